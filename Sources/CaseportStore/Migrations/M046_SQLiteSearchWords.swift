import FluentKit
import SQLKit

/// SQLite only: every word of the full-text documents (as M015 keeps them on PostgreSQL), so a search term
/// becomes the OR of the words it starts instead of an FTS5 prefix query, which merges every matching
/// word's document list over all cases before the viewer's access tokens narrow it (issue 17: 1.5 ms of a
/// 3.5 ms search at a million cases; the OR of exact words is read lazily). `CaseSearchIndex` keeps the list
/// current; the words come from FTS5's own vocabulary here, so they are its tokens. Numbers and the access
/// tokens are left out (a number is still searched as a prefix).
struct M046_SQLiteSearchWords: AsyncMigration {
    var name: String { "046_sqlite_search_words" }

    func prepare(on database: any Database) async throws {
        let sql = try database.requireSQL()
        guard sql.dialect.name == "sqlite" else { return }
        // WITHOUT ROWID: the word is the key, so "starts with" is one range of it (BINARY, byte order).
        try await sql.raw("CREATE TABLE search_words (word TEXT PRIMARY KEY) WITHOUT ROWID").run()
        // A scratch FTS5 table with case_search's tokenizer and its vocabulary: a document with characters
        // above U+0300 is tokenized here (`CaseSearchIndex.sqliteWords(of:on:)`); it is empty between uses.
        try await sql.raw("""
            CREATE VIRTUAL TABLE search_words_tokenizer USING fts5(body, tokenize = 'unicode61 remove_diacritics 0')
            """).run()
        try await sql.raw("CREATE VIRTUAL TABLE search_words_tokenizer_terms USING fts5vocab(search_words_tokenizer, row)").run()
        try await CaseSearchIndex.fillSQLiteWords(on: sql)
    }

    func revert(on database: any Database) async throws {
        let sql = try database.requireSQL()
        guard sql.dialect.name == "sqlite" else { return }
        try await sql.raw("DROP TABLE search_words_tokenizer_terms").run()
        try await sql.raw("DROP TABLE search_words_tokenizer").run()
        try await sql.raw("DROP TABLE search_words").run()
    }
}
