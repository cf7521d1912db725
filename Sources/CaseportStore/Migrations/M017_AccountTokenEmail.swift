import FluentKit

/// The address a registration's confirmation link was sent to (issue 9, point 3): confirming links
/// the account to a contact by that address, not by whatever the account's address is later.
struct M017_AccountTokenEmail: AsyncMigration {
    var name: String { "017_account_token_email" }

    func prepare(on database: any Database) async throws {
        try await database.schema(AccountTokenRecord.schema).field("email", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AccountTokenRecord.schema).deleteField("email").update()
    }
}
