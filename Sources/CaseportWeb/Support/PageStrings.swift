import CaseportCore
import LeafKit

/// One language's UI strings as templates read them (`layout.t.some_key`). The Leaf form is built
/// once at start-up: encoding a few hundred strings into every page's context was a measurable part
/// of each page view, and Leaf takes a `LeafDataRepresentable` value as it is.
struct PageStrings: Encodable, LeafDataRepresentable, Sendable {
    let table: [String: String]
    let leafData: LeafData

    init(_ table: [String: String]) {
        self.table = table
        self.leafData = .dictionary(table.mapValues { LeafData.string($0) })
    }

    func encode(to encoder: any Encoder) throws {
        try table.encode(to: encoder)
    }

    /// Every language's strings, built once.
    static func all(_ translations: Translations) -> [Language: PageStrings] {
        Dictionary(uniqueKeysWithValues: Language.allCases.map { ($0, PageStrings(translations.table(for: $0))) })
    }
}
