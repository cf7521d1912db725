import FluentKit
import SQLKit

/// Issue 12, point 10 (words in the reader's language). A system message's locale key and parameters
/// (`case_messages.text_key`, `text_params`), so a file upload or an automatic close reads in each
/// reader's language (older rows keep their stored text). A supplier's language (`suppliers.language`,
/// a `Language` code; NULL: the deployment's language), so the e-mail and SMS a supplier gets are in
/// theirs, not in the language of the staff member who triggered them. And the catalogue's names per
/// language: one row per (kind, item, language) in `catalogue_names`; an item without a row for the
/// reader's language shows its own `name` (or a type field's `label`). Portal pages are cached by the
/// change stamp (M014), so a change to these names raises it like the catalogue's own tables.
struct M030_Languages: AsyncMigration {
    var name: String { "030_languages" }

    func prepare(on database: any Database) async throws {
        try await database.schema(SupplierRecord.schema).field("language", .string).update()
        // One column per ALTER: SQLite adds a single column per statement.
        try await database.schema(CaseMessageRecord.schema).field("text_key", .string).update()
        try await database.schema(CaseMessageRecord.schema).field("text_params", .string).update()
        try await database.schema(CatalogueNameRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("kind", .string, .required)
            .field("item_id", .int, .required)
            .field("language", .string, .required)
            .field("name", .string, .required)
            .unique(on: "kind", "item_id", "language")
            .create()
        let sql = try database.requireSQL()
        if sql.dialect.name == "sqlite" {
            for operation in ["INSERT", "UPDATE", "DELETE"] {
                try await sql.raw("""
                    CREATE TRIGGER catalogue_names_stamp_\(unsafeRaw: operation.lowercased())
                    AFTER \(unsafeRaw: operation) ON catalogue_names
                    BEGIN UPDATE change_stamp SET n = n + 1 WHERE id = 1; END
                    """).run()
            }
        } else {
            try await sql.raw("""
                CREATE CONSTRAINT TRIGGER catalogue_names_stamp AFTER INSERT OR UPDATE OR DELETE
                ON catalogue_names DEFERRABLE INITIALLY DEFERRED
                FOR EACH ROW EXECUTE FUNCTION caseport_raise_change_stamp()
                """).run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(CatalogueNameRecord.schema).delete()
        try await database.schema(SupplierRecord.schema).deleteField("language").update()
        try await database.schema(CaseMessageRecord.schema).deleteField("text_key").update()
        try await database.schema(CaseMessageRecord.schema).deleteField("text_params").update()
    }
}
