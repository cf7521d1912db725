import FluentKit
import SQLKit

/// Issue 12: a case file belongs to the message it came with (a reply that carries files, or the
/// "file uploaded" line an upload writes), so the case page shows it as a chip inside that message.
/// Nullable: files on customers and objects, and case files stored before this, have no message.
/// A plain column (SQLite cannot add a foreign key to an existing table); the message is never
/// deleted while its case lives, and both go together.
struct M031_FileMessage: AsyncMigration {
    var name: String { "031_file_message" }

    func prepare(on database: any Database) async throws {
        try await database.schema(StoredFileRecord.schema).field("message_id", .int).update()
        try await database.requireSQL().create(index: "files_message_id").on(StoredFileRecord.schema).column("message_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.requireSQL().drop(index: "files_message_id").run()
        try await database.schema(StoredFileRecord.schema).deleteField("message_id").update()
    }
}
