import FluentKit
import SQLKit

/// Database-backed sessions (shared by every app server), login throttling and settings.
struct M005_CreateSessions: AsyncMigration {
    var name: String { "005_create_sessions_logins_settings" }

    func prepare(on database: any Database) async throws {
        try await database.schema(SessionRecord.schema)
            .field("id", .string, .identifier(auto: false))
            .field("realm", .string, .required)
            .field("user_id", .int, .required)
            .field("created_at", .double, .required)
            .field("expires_at", .double, .required)
            .create()
        try await database.schema(LoginAttemptRecord.schema)
            .field("id", .string, .identifier(auto: false))
            .field("failures", .int, .required)
            .field("locked_until", .double)
            .field("updated_at", .double, .required)
            .create()
        try await database.schema(SettingRecord.schema)
            .field("id", .string, .identifier(auto: false))
            .field("value", .string, .required)
            .create()
        let sql = try database.requireSQL()
        try await sql.create(index: "sessions_expires").on(SessionRecord.schema).column("expires_at").run()
        try await sql.create(index: "sessions_user").on(SessionRecord.schema).column("realm").column("user_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(SettingRecord.schema).delete()
        try await database.schema(LoginAttemptRecord.schema).delete()
        try await database.schema(SessionRecord.schema).delete()
    }
}
