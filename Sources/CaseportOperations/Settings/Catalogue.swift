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

        public init(kind: CatalogueKind, entryId: Int?, name: String, order: String, isActive: Bool) {
            self.kind = kind
            self.entryId = entryId
            self.name = name
            self.order = order
            self.isActive = isActive
        }
    }

    public enum Field: String, Hashable, Sendable { case name, order }

    public struct Saved: Sendable, Equatable {
        public var kind: CatalogueKind
        public var entryId: Int
        public var created: Bool
    }

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Outcome<Saved, Field> {
        try actor.requireAdmin()
        let db = context.database, kind = input.kind, id = input.entryId
        let name = input.name.trimmed
        var problems = Problems<Field>()
        let names: [(id: Int?, name: String)]
        switch kind {
        case .categories: names = try await CategoryRecord.query(on: db).all().map { ($0.id, $0.name) }
        case .priorities: names = try await PriorityRecord.query(on: db).all().map { ($0.id, $0.name) }
        }
        let taken = names.contains { $0.id != id && $0.name.lowercased() == name.lowercased() }
        if let problem = SettingsRules.name(name, taken: taken) { problems.add(.name, problem) }
        let order = SettingsRules.order(input.order)
        if order == .invalid { problems.add(.order, "settings_error_order") }
        guard problems.isEmpty else { return .problems(problems) }

        let active = input.isActive
        let savedId: Int = try await db.transaction { tx in
            if let id {
                let changes = try await update(kind, id: id, name: name, order: order.number, active: active, on: tx)
                try await context.auditSettings(changes, subject: kind.rawValue, by: actor, on: tx)
                return id
            }
            let newId: Int
            switch kind {
            case .categories:
                let next = try await CategoryRecord.query(on: tx).max(\.$sortOrder) ?? 0
                let record = CategoryRecord(name: name, sortOrder: order.number ?? next + 1)
                try await record.create(on: tx)
                newId = try record.requireID()
            case .priorities:
                let next = try await PriorityRecord.query(on: tx).max(\.$rank) ?? 0
                let record = PriorityRecord(name: name, rank: order.number ?? next + 1)
                try await record.create(on: tx)
                newId = try record.requireID()
            }
            try await context.auditSettings([.init(field: "\(kind.rawValue) added", before: "–", after: name)],
                                            subject: kind.rawValue, by: actor, on: tx)
            return newId
        }
        return .done(Saved(kind: kind, entryId: savedId, created: id == nil))
    }

    /// Writes the entry's new name, order and state; returns the audit changes.
    private static func update(_ kind: CatalogueKind, id: Int, name: String, order: Int?, active: Bool,
                               on tx: any Database) async throws -> [SettingsChange] {
        let label = "\(kind.singular) \(id)"
        switch kind {
        case .categories:
            guard let record = try await CategoryRecord.find(id, on: tx) else { throw OperationError.notFound }
            let changes: [SettingsChange] = [
                .init(field: "\(label) name", before: record.name, after: name),
                .init(field: "\(label) order", before: String(record.sortOrder), after: String(order ?? record.sortOrder)),
                .init(field: "\(label) active", before: .flag(record.isActive), after: .flag(active)),
            ]
            record.name = name
            record.sortOrder = order ?? record.sortOrder
            record.isActive = active
            try await record.update(on: tx)
            return changes
        case .priorities:
            guard let record = try await PriorityRecord.find(id, on: tx) else { throw OperationError.notFound }
            let changes: [SettingsChange] = [
                .init(field: "\(label) name", before: record.name, after: name),
                .init(field: "\(label) order", before: String(record.rank), after: String(order ?? record.rank)),
                .init(field: "\(label) active", before: .flag(record.isActive), after: .flag(active)),
            ]
            record.name = name
            record.rank = order ?? record.rank
            record.isActive = active
            try await record.update(on: tx)
            return changes
        }
    }
}

/// What became of an entry that was asked to be deleted.
public enum Removal: String, Sendable, Equatable {
    /// No case used it: it is gone.
    case deleted
    /// Cases use it: it is deactivated instead, so those cases keep it (D5).
    case deactivated
}

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
        let kind = input.kind, id = input.entryId
        let usage = CatalogueUsage(database: context.database)
        let used = kind == .categories ? try await usage.categoryIsUsed(id) : try await usage.priorityIsUsed(id)
        let removal: Removal = used ? .deactivated : .deleted
        try await context.database.transaction { tx in
            let name: String
            switch kind {
            case .categories:
                guard let record = try await CategoryRecord.find(id, on: tx) else { throw OperationError.notFound }
                name = record.name
                if used {
                    record.isActive = false
                    try await record.update(on: tx)
                } else {
                    try await record.delete(on: tx)
                }
            case .priorities:
                guard let record = try await PriorityRecord.find(id, on: tx) else { throw OperationError.notFound }
                name = record.name
                if used {
                    record.isActive = false
                    try await record.update(on: tx)
                } else {
                    try await record.delete(on: tx)
                }
            }
            try await context.auditSettings([.init(field: "\(kind.singular) \(removal.rawValue)", before: name, after: "–")],
                                            subject: kind.rawValue, by: actor, on: tx)
        }
        return .done(removal)
    }
}
