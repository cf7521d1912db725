import FluentKit

/// D4: when the back office last marked a case's customer activity as read (Unix seconds), so the
/// case page can name what the customer sent since then. Empty on older cases: everything the
/// customer sent counts until the first "mark as read".
struct M020_CaseStaffReadAt: AsyncMigration {
    var name: String { "020_case_staff_read_at" }

    func prepare(on database: any Database) async throws {
        try await database.schema(CaseRecord.schema).field("staff_read_at", .double).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(CaseRecord.schema).deleteField("staff_read_at").update()
    }
}
