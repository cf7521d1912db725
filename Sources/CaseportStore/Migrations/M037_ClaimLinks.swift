import FluentKit
import SQLKit

/// Issue 13 (A10, C7, C9): personal links to a claim's customer page, their automatic sendings (one
/// per case, contact and trigger: a unique key) and the sessions of browsers that opened one.
struct M037_ClaimLinks: AsyncMigration {
    var name: String { "037_claim_links" }

    func prepare(on database: any Database) async throws {
        try await database.schema(ClaimLinkRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("case_id", .int, .required, .references(CaseRecord.schema, "id", onDelete: .cascade))
            .field("contact_id", .int, .references(ContactRecord.schema, "id", onDelete: .setNull))
            .field("recipient_name", .string, .required)
            .field("email", .string)
            .field("phone", .string)
            .field("language", .string, .required)
            .field("token_hash", .string, .required)
            .field("trigger", .string, .required)
            .field("created_at", .double, .required)
            .field("created_by_staff_id", .int, .references(StaffUserRecord.schema, "id", onDelete: .setNull))
            .field("revoked_at", .double)
            .field("last_opened_at", .double)
            .field("code_hash", .string)
            .field("code_expires_at", .double)
            .field("code_sent_at", .double)
            .field("code_failures", .int, .required, .sql(.default(0)))
            .field("code_locked_until", .double)
            .unique(on: "token_hash")
            .create()
        try await database.schema(ClaimLinkSendRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("case_id", .int, .required, .references(CaseRecord.schema, "id", onDelete: .cascade))
            .field("contact_id", .int, .required, .references(ContactRecord.schema, "id", onDelete: .cascade))
            .field("trigger", .string, .required)
            .field("link_id", .int, .references(ClaimLinkRecord.schema, "id", onDelete: .setNull))
            .field("sent_at", .double, .required)
            .unique(on: "case_id", "contact_id", "trigger")
            .create()
        try await database.schema(ClaimLinkSessionRecord.schema)
            .field("id", .string, .identifier(auto: false))
            .field("link_id", .int, .required, .references(ClaimLinkRecord.schema, "id", onDelete: .cascade))
            .field("created_at", .double, .required)
            .field("expires_at", .double, .required)
            .field("verified_at", .double)
            .create()
        let sql = try database.requireSQL()
        try await sql.create(index: "claim_links_case").on(ClaimLinkRecord.schema).column("case_id").column("contact_id").run()
        try await sql.create(index: "claim_link_sessions_link").on(ClaimLinkSessionRecord.schema).column("link_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ClaimLinkSessionRecord.schema).delete()
        try await database.schema(ClaimLinkSendRecord.schema).delete()
        try await database.schema(ClaimLinkRecord.schema).delete()
    }
}
