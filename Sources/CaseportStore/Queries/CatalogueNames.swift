import CaseportCore
import FluentKit
import SQLKit

/// Issue 12 (M030): which catalogue item a per-language name belongs to.
public enum CatalogueNameKind: String, Sendable, CaseIterable {
    case category, caseType = "case_type", priority, typeField = "type_field"
}

/// Every per-language catalogue name, read once per page. An item with no name in the reader's
/// language shows its default name (the `name` column, or a type field's `label`).
public struct CatalogueNameMap: Sendable {
    struct Key: Hashable, Sendable {
        var kind: CatalogueNameKind
        var id: Int
        var language: Language
    }

    struct DefaultKey: Hashable, Sendable {
        var kind: CatalogueNameKind
        var id: Int
    }

    var names: [Key: String] = [:]
    /// Categories', case types' and priorities' default names (their `name` column), so that a list can
    /// name its rows without asking the database per row (`VisibleCases.catalogueNamesInRows`, issue 17).
    var defaults: [DefaultKey: String] = [:]

    public init() {}

    /// The item's name in `language`, else `fallback` (its default name).
    public func name(_ kind: CatalogueNameKind, _ id: Int?, _ fallback: String, in language: Language) -> String {
        guard let id, let name = names[Key(kind: kind, id: id, language: language)] else { return fallback }
        return name
    }

    /// As `name`, for an optional default name (a case without a category stays without one).
    public func name(_ kind: CatalogueNameKind, _ id: Int?, _ fallback: String?, in language: Language) -> String? {
        fallback.map { name(kind, id, $0, in: language) }
    }

    /// A category's, case type's or priority's name in `language`, else its default name; nil for no id, or
    /// for an item this map does not know (one made after the map was read: the next page names it).
    public func name(_ kind: CatalogueNameKind, _ id: Int?, in language: Language) -> String? {
        guard let id else { return nil }
        return names[Key(kind: kind, id: id, language: language)] ?? defaults[DefaultKey(kind: kind, id: id)]
    }

    /// The names an item has, per language (for the staff form).
    public func names(_ kind: CatalogueNameKind, _ id: Int) -> [Language: String] {
        var found: [Language: String] = [:]
        for language in Language.allCases {
            if let name = names[Key(kind: kind, id: id, language: language)] { found[language] = name }
        }
        return found
    }
}

public struct CatalogueNames: Sendable {
    let database: any Database

    public init(database: any Database) { self.database = database }

    public func load() async throws -> CatalogueNameMap {
        var map = CatalogueNameMap()
        for row in try await CatalogueNameRecord.query(on: database).all() {
            guard let kind = CatalogueNameKind(rawValue: row.kind), let language = Language(rawValue: row.language) else { continue }
            map.names[.init(kind: kind, id: row.itemId, language: language)] = row.name
        }
        for row in try await database.requireSQL().raw("""
            SELECT 'category' AS kind, id, name FROM categories
            UNION ALL SELECT 'case_type', id, name FROM case_types
            UNION ALL SELECT 'priority', id, name FROM priorities
            """).all() {
            guard let kind = CatalogueNameKind(rawValue: try row.decode(column: "kind", as: String.self)) else { continue }
            map.defaults[.init(kind: kind, id: try row.decode(column: "id", as: Int.self))] = try row.decode(column: "name", as: String.self)
        }
        return map
    }

    /// Replaces an item's names: a language with an empty or missing name has none (the default shows).
    public func replace(_ kind: CatalogueNameKind, id: Int, with names: [Language: String]) async throws {
        try await CatalogueNameRecord.query(on: database).filter(\.$kind == kind.rawValue).filter(\.$itemId == id).delete()
        for language in Language.allCases {
            guard let name = names[language]?.trimmingCharacters(in: .whitespacesAndNewlines), !name.isEmpty else { continue }
            try await CatalogueNameRecord(kind: kind.rawValue, itemId: id, language: language.rawValue, name: name).create(on: database)
        }
    }

    /// Forgets a deleted item's names.
    public func remove(_ kind: CatalogueNameKind, id: Int) async throws {
        try await CatalogueNameRecord.query(on: database).filter(\.$kind == kind.rawValue).filter(\.$itemId == id).delete()
    }
}
