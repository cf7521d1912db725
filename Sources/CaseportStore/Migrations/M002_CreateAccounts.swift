import FluentKit
import SQLKit

/// Portal users and staff users (SPEC A1, A6, A9, D1).
struct M002_CreateAccounts: AsyncMigration {
    var name: String { "002_create_accounts" }

    func prepare(on database: any Database) async throws {
        try await database.schema(PortalUserRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("organisation_id", .int, .required, .references(CustomerRecord.schema, "id"))
            .field("username", .string, .required)
            .field("username_key", .string, .required)
            .field("login_kind", .string, .required)
            .field("contact_id", .int, .references(ContactRecord.schema, "id", onDelete: .setNull))
            .field("object_id", .int, .references(ObjectRecord.schema, "id", onDelete: .setNull))
            .field("first_name", .string, .required)
            .field("last_name", .string, .required)
            .field("email", .string)
            .field("phone", .string)
            .field("password_hash", .string, .required)
            .field("is_admin", .bool, .required)
            .field("is_shared", .bool, .required)
            .field("is_active", .bool, .required)
            .field("language", .string)
            .field("last_login_at", .datetime)
            .field("created_at", .datetime)
            .unique(on: "organisation_id", "username_key")
            .create()
        try await database.schema(StaffUserRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("email", .string, .required)
            .field("email_key", .string, .required)
            .field("name", .string, .required)
            .field("role", .string, .required)
            .field("password_hash", .string, .required)
            .field("is_active", .bool, .required)
            .field("last_login_at", .datetime)
            .field("created_at", .datetime)
            .unique(on: "email_key")
            .create()
        let sql = try database.requireSQL()
        try await sql.create(index: "portal_users_contact").on(PortalUserRecord.schema).column("contact_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(StaffUserRecord.schema).delete()
        try await database.schema(PortalUserRecord.schema).delete()
    }
}
