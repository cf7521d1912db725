import Foundation

/// UI strings per language, loaded from `Resources/Locales/<code>.json` and from
/// `Resources/Locales/<area>/<code>.json` (flat key → text maps; one folder per part of the
/// product keeps each part's strings together). A key defined twice is an error at start-up.
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
        let areas = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { area in
                var isDirectory: ObjCBool = false
                return FileManager.default.fileExists(
                    atPath: directory.appendingPathComponent(area).path, isDirectory: &isDirectory)
                    && isDirectory.boolValue
            }
            .sorted()
        for language in Language.allCases {
            let name = "\(language.rawValue).json"
            var table = try decodeTable(directory.appendingPathComponent(name))
            for area in areas {
                let file = directory.appendingPathComponent(area).appendingPathComponent(name)
                guard FileManager.default.fileExists(atPath: file.path) else { continue }
                for (key, text) in try decodeTable(file) {
                    if table[key] != nil { throw DuplicateKey(key: key, file: file.path) }
                    table[key] = text
                }
            }
            tables[language] = table
        }
        return Translations(tables: tables)
    }

    public struct DuplicateKey: Error, CustomStringConvertible {
        public let key: String
        public let file: String
        public var description: String { "translation key \(key) defined twice (again in \(file))" }
    }

    private static func decodeTable(_ file: URL) throws -> [String: String] {
        try JSONDecoder().decode([String: String].self, from: Data(contentsOf: file))
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
