import Foundation

/// UI strings per language, loaded from `Resources/Locales/<code>.json` (flat key → text maps).
/// A missing key falls back to English and then to the key itself, so a page never breaks; the test
/// suite fails when any language lacks a key that English has.
public struct Translations: Sendable {
    public let tables: [Language: [String: String]]

    /// Each language's strings with English filling its gaps, merged once at load, not per page view.
    private let merged: [Language: [String: String]]

    public init(tables: [Language: [String: String]]) {
        self.tables = tables
        let english = tables[.en] ?? [:]
        var merged: [Language: [String: String]] = [:]
        for language in Language.allCases {
            merged[language] = english.merging(tables[language] ?? [:]) { _, own in own }
        }
        self.merged = merged
    }

    public static func load(from directory: URL) throws -> Translations {
        var tables: [Language: [String: String]] = [:]
        for language in Language.allCases {
            let file = directory.appendingPathComponent("\(language.rawValue).json")
            let data = try Data(contentsOf: file)
            tables[language] = try JSONDecoder().decode([String: String].self, from: data)
        }
        return Translations(tables: tables)
    }

    /// Every string of one language, with English filling any gap.
    public func table(for language: Language) -> [String: String] {
        merged[language] ?? [:]
    }

    public func text(_ key: String, in language: Language) -> String {
        tables[language]?[key] ?? tables[.en]?[key] ?? key
    }

    /// Keys that English has and `language` lacks.
    public func missingKeys(in language: Language) -> [String] {
        let own = tables[language] ?? [:]
        return (tables[.en] ?? [:]).keys.filter { own[$0] == nil }.sorted()
    }
}
