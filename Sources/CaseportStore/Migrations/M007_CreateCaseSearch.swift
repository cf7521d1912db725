import FluentKit
import SQLKit

/// The full-text index over a case's number, subject, description and public messages (B2):
/// an FTS5 table on SQLite, a tsvector column with a GIN index on PostgreSQL. `CaseSearchIndex`
/// keeps it current.
struct M007_CreateCaseSearch: AsyncMigration {
    var name: String { "007_create_case_search" }

    func prepare(on database: any Database) async throws {
        let sql = try database.requireSQL()
        if sql.dialect.name == "sqlite" {
            // unicode61 folds case for å ä ö æ ø too; diacritics are kept so "å" and "a" stay different letters.
            try await sql.raw("""
                CREATE VIRTUAL TABLE case_search USING fts5(body, tokenize = 'unicode61 remove_diacritics 0')
                """).run()
        } else {
            try await sql.raw("""
                CREATE TABLE case_search (
                    case_id BIGINT PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
                    document TSVECTOR NOT NULL
                )
                """).run()
            try await sql.raw("CREATE INDEX case_search_document ON case_search USING GIN (document)").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.requireSQL().raw("DROP TABLE case_search").run()
    }
}
