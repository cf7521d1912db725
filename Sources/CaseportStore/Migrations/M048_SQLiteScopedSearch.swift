import FluentKit
import SQLKit

/// SQLite only: the scoped full-text index (`CaseSearchIndex.scopedDocument`): every word of a case's
/// document joined to each of its access tokens, so that a portal user's search reads short document lists
/// of their own cases instead of walking a common word's list over the whole index (issue 17, session 20).
/// Contentless (the text stays in `case_search`); `contentless_delete` lets a case's row be replaced.
/// Filled here from the documents, whose access tokens say whose each case is: a minute or two at a
/// million cases.
struct M048_SQLiteScopedSearch: AsyncMigration {
    var name: String { "048_sqlite_scoped_search" }

    func prepare(on database: any Database) async throws {
        let sql = try database.requireSQL()
        guard sql.dialect.name == "sqlite" else { return }
        try await sql.raw("""
            CREATE VIRTUAL TABLE case_search_scoped USING fts5(body, content = '', contentless_delete = 1,
                                                               tokenize = 'unicode61 remove_diacritics 0')
            """).run()
        try await CaseSearchIndex.fillSQLiteScoped(on: sql)
    }

    func revert(on database: any Database) async throws {
        let sql = try database.requireSQL()
        guard sql.dialect.name == "sqlite" else { return }
        try await sql.raw("DROP TABLE case_search_scoped").run()
    }
}
