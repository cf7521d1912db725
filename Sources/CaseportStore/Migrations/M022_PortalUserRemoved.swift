import FluentKit

/// A9 (issue 11 point 10): a customer administrator removes a user. The account is deactivated and
/// hidden from the organisation's user list from `removed_at` on; its row stays, so the cases and
/// messages it wrote keep their author.
struct M022_PortalUserRemoved: AsyncMigration {
    var name: String { "022_portal_user_removed" }

    func prepare(on database: any Database) async throws {
        try await database.schema(PortalUserRecord.schema).field("removed_at", .datetime).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PortalUserRecord.schema).deleteField("removed_at").update()
    }
}
