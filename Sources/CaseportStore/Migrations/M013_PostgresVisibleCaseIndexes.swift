import FluentKit
import SQLKit

/// PostgreSQL only (SQLite's indexes already end in the rowid, which is the case id):
///  - the customer and object indexes of cases gain `id`, so the portal's list collects a viewer's
///    cases from index-only scans instead of reading 2 000 heap rows (see `VisibleCases`);
///  - the full-text documents gain the access tokens SQLite's documents already carry
///    (`CaseSearchIndex.accessTokens`), so a search intersects with the viewer's cases in the index.
struct M013_PostgresVisibleCaseIndexes: AsyncMigration {
    var name: String { "013_postgres_visible_case_indexes" }

    func prepare(on database: any Database) async throws {
        let sql = try database.requireSQL()
        guard sql.dialect.name == "postgresql" else { return }
        try await sql.raw("CREATE INDEX cases_customer_created_id ON cases (customer_id, created_at, id)").run()
        try await sql.raw("CREATE INDEX cases_object_created_id ON cases (object_id, created_at, id)").run()
        try await sql.raw("DROP INDEX cases_customer_created").run()
        try await sql.raw("DROP INDEX cases_object_created").run()
        try await sql.raw("""
            UPDATE case_search s SET document = s.document || to_tsvector('simple',
                'zzc' || COALESCE(c.customer_id, 0) || COALESCE(' zzo' || c.object_id, '')
                || COALESCE(' zzw' || o.customer_id, '')
                || COALESCE((SELECT string_agg(' zzk' || cc.contact_id, '') FROM case_contacts cc WHERE cc.case_id = c.id), ''))
            FROM cases c LEFT JOIN objects o ON o.id = c.object_id
            WHERE c.id = s.case_id
            """).run()
    }

    func revert(on database: any Database) async throws {
        let sql = try database.requireSQL()
        guard sql.dialect.name == "postgresql" else { return }
        try await sql.raw("CREATE INDEX cases_customer_created ON cases (customer_id, created_at)").run()
        try await sql.raw("CREATE INDEX cases_object_created ON cases (object_id, created_at)").run()
        try await sql.raw("DROP INDEX cases_customer_created_id").run()
        try await sql.raw("DROP INDEX cases_object_created_id").run()
    }
}
