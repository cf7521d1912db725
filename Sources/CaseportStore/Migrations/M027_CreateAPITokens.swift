import FluentKit
import SQLKit

/// E4 (issue 16): API tokens. Only the SHA-256 of a token is kept (`token_hash`, unique); `prefix` is
/// the token's first characters, shown in lists so a person can tell tokens apart. A token belongs to
/// a staff member (`staff_user_id`, acting with `role`) or to a portal user (`portal_user_id`, seeing
/// what that user sees; `organisation_id` is the user's customer, for the customer administrator's list).
/// Times are Unix seconds, compared in SQL.
struct M027_CreateAPITokens: AsyncMigration {
    var name: String { "027_api_tokens" }

    func prepare(on database: any Database) async throws {
        try await database.schema("api_tokens")
            .field("id", .int, .identifier(auto: true))
            .field("token_hash", .string, .required)
            .field("prefix", .string, .required)
            .field("name", .string, .required)
            .field("realm", .string, .required)
            .field("staff_user_id", .int)
            .field("role", .string)
            .field("portal_user_id", .int)
            .field("organisation_id", .int)
            .field("scope", .string, .required)
            .field("created_at", .double, .required)
            .field("created_by_name", .string, .required)
            .field("expires_at", .double)
            .field("last_used_at", .double)
            .field("revoked_at", .double)
            .unique(on: "token_hash")
            .create()
        let sql = try database.requireSQL()
        try await sql.create(index: "api_tokens_organisation").on("api_tokens").column("organisation_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("api_tokens").delete()
    }
}
