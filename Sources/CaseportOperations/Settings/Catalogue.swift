import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// The two lists a case is classified by (D5): categories and priorities. The raw values are the
/// route's `:kind` and the audit lines' subject.
public enum CatalogueKind: String, Sendable, CaseIterable {
    case categories, priorities

    /// The entry's name in audit lines: "category 3 name: …".
    var singular: String { self == .categories ? "category" : "priority" }

    /// Issue 12: the kind its per-language names are kept under.
    public var nameKind: CatalogueNameKind { self == .categories ? .category : .priority }
}

/// Issue 12: an item's names per language, as typed, checked and saved the same way for categories,
/// priorities, case types and type fields (M030 `catalogue_names`). Empty: the default name shows.
public enum TranslatedNames {
    /// The longest name, as for the default name.
    public static let longest = 100

    /// The languages whose typed name is too long.
    public static func tooLong(_ names: [Language: String]) -> [Language] {
        Language.allCases.filter { (names[$0]?.trimmed.count ?? 0) > longest }
    }

    /// Replaces the item's names and returns the audit lines ("<label> name (en): before → after").
    static func save(_ names: [Language: String], kind: CatalogueNameKind, id: Int, label: String,
                     on database: any Database) async throws -> [SettingsChange] {
        let store = CatalogueNames(database: database)
        let before = try await store.load().names(kind, id)
        let after = names.mapValues(\.trimmed).filter { !$0.value.isEmpty }
        guard before != after else { return [] }
        try await store.replace(kind, id: id, with: after)
        return Language.allCases.map {
            SettingsChange(field: "\(label) name (\($0.rawValue))", before: before[$0] ?? "–", after: after[$0] ?? "–")
        }.filter { $0.before != $0.after }
    }
}

/// D5: an administrator adds a category or priority, or renames, reorders or (de)activates one.
/// Names are unique per list (case-insensitive); an empty order puts a new entry last and leaves an
/// existing one where it is. Every change is a `settings_changed` audit line.
public enum SaveCatalogueEntry {
    public struct Input: Sendable {
        public var kind: CatalogueKind
        /// nil adds a new entry.
        public var entryId: Int?
        public var name: String
        public var order: String
        /// Ignored for a new entry, which is always active.
        public var isActive: Bool
        /// Issue 12: the name per language; nil leaves the names as they are.
        public var names: [Language: String]?

        public init(kind: CatalogueKind, entryId: Int?, name: String, order: String, isActive: Bool,
                    names: [Language: String]? = nil) {
            self.names = names
            self.kind = kind
            self.entryId = entryId
            self.name = name
            self.order = order
            self.isActive = isActive
        }
    }

    public enum Field: String, Hashable, Sendable {
        case name, order
        case nameSv = "name_sv", nameDa = "name_da", nameNb = "name_nb", nameEn = "name_en"

        /// The field of a name in `language`.
        public static func name(in language: Language) -> Field {
            switch language {
            case .sv: .nameSv
            case .da: .nameDa
            case .nb: .nameNb
            case .en: .nameEn
            }
        }
    }

    public struct Saved: Sendable, Equatable {
        public var kind: CatalogueKind
        public var entryId: Int
        public var created: Bool
    }

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Outcome<Saved, Field> {
        try actor.requireAdmin()
        switch input.kind {
        case .categories: return try await run(input, CategoryRecord.self, by: actor, in: context)
        case .priorities: return try await run(input, PriorityRecord.self, by: actor, in: context)
        }
    }

    private static func run<Entry: CatalogueEntryRecord>(_ input: Input, _ entry: Entry.Type, by actor: StaffActor,
                                                         in context: OperationContext) async throws -> Outcome<Saved, Field> {
        let db = context.database, kind = input.kind, id = input.entryId
        let name = input.name.trimmed
        var problems = Problems<Field>()
        let taken = try await Entry.query(on: db).all().contains { $0.id != id && $0.name.lowercased() == name.lowercased() }
        if let problem = SettingsRules.name(name, taken: taken) { problems.add(.name, problem) }
        let order = SettingsRules.order(input.order)
        if order == .invalid { problems.add(.order, "settings_error_order") }
        for language in TranslatedNames.tooLong(input.names ?? [:]) { problems.add(.name(in: language), ProblemKey.tooLong) }
        guard problems.isEmpty else { return .problems(problems) }

        let active = input.isActive, names = input.names
        let savedId: Int = try await db.transaction { tx in
            guard let id else {
                var place = order.number
                if place == nil { place = (try await Entry.lastPlace(on: tx) ?? 0) + 1 }
                let record = Entry(name: name, place: place ?? 0)
                try await record.create(on: tx)
                let newId = try record.requireID()
                var added: [SettingsChange] = [.init(field: "\(kind.rawValue) added", before: "–", after: name)]
                if let names {
                    added += try await TranslatedNames.save(names, kind: kind.nameKind, id: newId, label: "\(kind.singular) \(newId)", on: tx)
                }
                try await context.auditSettings(added, subject: kind.rawValue, by: actor, on: tx)
                return newId
            }
            guard let record = try await Entry.find(id, on: tx) else { throw OperationError.notFound }
            let label = "\(kind.singular) \(id)", place = order.number ?? record.place
            var changes: [SettingsChange] = [
                .init(field: "\(label) name", before: record.name, after: name),
                .init(field: "\(label) order", before: String(record.place), after: String(place)),
                .init(field: "\(label) active", before: .flag(record.isActive), after: .flag(active)),
            ]
            record.name = name
            record.place = place
            record.isActive = active
            try await record.update(on: tx)
            if let names { changes += try await TranslatedNames.save(names, kind: kind.nameKind, id: id, label: label, on: tx) }
            try await context.auditSettings(changes, subject: kind.rawValue, by: actor, on: tx)
            return id
        }
        return .done(Saved(kind: kind, entryId: savedId, created: id == nil))
    }
}

/// Categories and priorities are the same kind of list: a name, a place in the list, active or not.
protocol CatalogueEntryRecord: DeactivatableRecord where IDValue == Int {
    var name: String { get set }
    /// `sortOrder` of a category, `rank` of a priority.
    var place: Int { get set }
    init(name: String, place: Int)
    /// The largest place in the list, nil when it is empty.
    static func lastPlace(on database: any Database) async throws -> Int?
}

extension CategoryRecord: CatalogueEntryRecord {
    var place: Int {
        get { sortOrder }
        set { sortOrder = newValue }
    }
    convenience init(name: String, place: Int) { self.init(name: name, sortOrder: place) }
    static func lastPlace(on database: any Database) async throws -> Int? { try await query(on: database).max(\.$sortOrder) }
}

extension PriorityRecord: CatalogueEntryRecord {
    var place: Int {
        get { rank }
        set { rank = newValue }
    }
    convenience init(name: String, place: Int) { self.init(name: name, rank: place) }
    static func lastPlace(on database: any Database) async throws -> Int? { try await query(on: database).max(\.$rank) }
}

/// What became of an entry that was asked to be deleted.
public enum Removal: String, Sendable, Equatable {
    /// No case used it: it is gone.
    case deleted
    /// Cases use it: it is deactivated instead, so those cases keep it (D5).
    case deactivated

    /// Deletes `record`, or deactivates it when cases use it, with the audit line "<what> deleted|deactivated:
    /// <name> → –", in one transaction (`database` when already inside one).
    static func apply<Record: DeactivatableRecord>(to record: Record, used: Bool, what: String, name: String, subject: String,
                                                   by actor: StaffActor, in context: OperationContext,
                                                   on database: (any Database)? = nil) async throws -> Removal {
        try await (database ?? context.database).transaction { tx in
            let removal: Removal
            if used {
                record.isActive = false
                try await record.update(on: tx)
                removal = .deactivated
            } else {
                try await record.delete(on: tx)
                removal = .deleted
            }
            try await context.auditSettings([.init(field: "\(what) \(removal.rawValue)", before: name, after: "–")],
                                            subject: subject, by: actor, on: tx)
            return removal
        }
    }
}

/// A catalogue row that is deactivated instead of deleted while cases use it.
protocol DeactivatableRecord: Model {
    var isActive: Bool { get set }
}

extension CaseTypeRecord: DeactivatableRecord {}
extension CaseTypeFieldRecord: DeactivatableRecord {}

/// D5: an administrator deletes a category or priority. One that cases use is deactivated instead.
public enum RemoveCatalogueEntry {
    public struct Input: Sendable {
        public var kind: CatalogueKind
        public var entryId: Int
        public init(kind: CatalogueKind, entryId: Int) {
            self.kind = kind
            self.entryId = entryId
        }
    }

    /// Nothing to type, so nothing can be wrong with it.
    public enum Field: Hashable, Sendable {}

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Outcome<Removal, Field> {
        try actor.requireAdmin()
        let usage = CatalogueUsage(database: context.database)
        switch input.kind {
        case .categories:
            return .done(try await remove(CategoryRecord.self, input, used: try await usage.categoryIsUsed(input.entryId), by: actor, in: context))
        case .priorities:
            return .done(try await remove(PriorityRecord.self, input, used: try await usage.priorityIsUsed(input.entryId), by: actor, in: context))
        }
    }

    private static func remove<Entry: CatalogueEntryRecord>(_ entry: Entry.Type, _ input: Input, used: Bool, by actor: StaffActor,
                                                            in context: OperationContext) async throws -> Removal {
        try await context.database.transaction { tx in
            guard let record = try await Entry.find(input.entryId, on: tx) else { throw OperationError.notFound }
            let removal = try await Removal.apply(to: record, used: used, what: input.kind.singular, name: record.name,
                                                  subject: input.kind.rawValue, by: actor, in: context, on: tx)
            if removal == .deleted { try await CatalogueNames(database: tx).remove(input.kind.nameKind, id: input.entryId) }
            return removal
        }
    }
}
