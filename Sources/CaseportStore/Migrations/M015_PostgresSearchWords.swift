import FluentKit
import SQLKit

/// PostgreSQL only: every word of the full-text documents, so a search prefix ("läck") can be
/// expanded to the words it starts ("läckage", "läckaget") before asking the GIN index. GIN answers
/// exact words ANDed with the viewer's access tokens from short posting lists (2 ms), but turns a
/// prefix (`läck:*`) into a bitmap of every document with a matching word first (30–45 ms for a
/// common word over a million cases). `CaseSearchIndex` keeps the list current. SQLite's FTS5 has
/// fast prefix queries of its own and needs no list.
struct M015_PostgresSearchWords: AsyncMigration {
    var name: String { "015_postgres_search_words" }

    func prepare(on database: any Database) async throws {
        let sql = try database.requireSQL()
        guard sql.dialect.name == "postgresql" else { return }
        // C collation: byte order, so "starts with" is one range of the primary key.
        try await sql.raw("CREATE TABLE search_words (word TEXT COLLATE \"C\" PRIMARY KEY)").run()
        try await sql.raw("""
            INSERT INTO search_words (word)
            SELECT word FROM ts_stat('SELECT document FROM case_search') WHERE word !~ '^zz[cowk][0-9]+$'
            """).run()
    }

    func revert(on database: any Database) async throws {
        let sql = try database.requireSQL()
        guard sql.dialect.name == "postgresql" else { return }
        try await sql.raw("DROP TABLE search_words").run()
    }
}
