import FluentKit

/// Unplaced mail (B7) kept as a file in storage instead of a text column: a large message no longer
/// sits in the database, and the staff list reads only the columns it shows. Rows kept before keep
/// their `raw` text.
struct M018_UnplacedMailFiles: AsyncMigration {
    var name: String { "018_unplaced_mail_files" }

    func prepare(on database: any Database) async throws {
        try await database.schema(UnplacedMailRecord.schema).field("raw_key", .string).update()
        try await database.schema(UnplacedMailRecord.schema).field("raw_bytes", .int64).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(UnplacedMailRecord.schema).deleteField("raw_key").update()
        try await database.schema(UnplacedMailRecord.schema).deleteField("raw_bytes").update()
    }
}
