import FluentKit

/// The language a staff member chose (A3), so mail to staff (the handler's notices, D4) is in it too.
struct M016_StaffLanguage: AsyncMigration {
    var name: String { "016_staff_language" }

    func prepare(on database: any Database) async throws {
        try await database.schema(StaffUserRecord.schema).field("language", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(StaffUserRecord.schema).deleteField("language").update()
    }
}
