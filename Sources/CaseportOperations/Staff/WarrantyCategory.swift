import CaseportCore
import CaseportStore
import FluentKit

/// D2: the "warranty claim" category that inquiries turned into cases in bulk are filed under — the
/// one remembered in the settings, else one named so in any of the four languages, else a new one
/// (an audit line, like any catalogue change), remembered for next time.
enum WarrantyCategory {
    static func id(for actor: StaffActor, language: Language, in context: OperationContext) async throws -> Int {
        let db = context.database
        if let id = try await SettingsStore(database: db).load().warrantyCategoryId, try await CategoryRecord.find(id, on: db) != nil {
            return id
        }
        let names = Set(Language.allCases.map { context.notifications.text("inbox_warranty_category", in: $0).lowercased() })
        return try await db.transaction { tx in
            let store = SettingsStore(database: tx)
            var settings = try await store.load()
            let id: Int
            if let existing = try await CategoryRecord.query(on: tx).sort(\.$id).all().first(where: { names.contains($0.name.lowercased()) }) {
                id = try existing.requireID()
            } else {
                let next = try await CategoryRecord.query(on: tx).max(\.$sortOrder) ?? 0
                let category = CategoryRecord(name: context.notifications.text("inbox_warranty_category", in: language), sortOrder: next + 1)
                try await category.create(on: tx)
                id = try category.requireID()
                try await context.auditSettings([.init(field: "categories added", before: "–", after: category.name)],
                                                subject: "categories", by: actor, on: tx)
            }
            settings.warrantyCategoryId = id
            try await store.save(settings)
            return id
        }
    }
}
