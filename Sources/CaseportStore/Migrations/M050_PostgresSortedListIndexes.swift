import FluentKit
import SQLKit

/// Issue 17, session 23: a portal list sorted by number or subject read on PostgreSQL each key's first cases in
/// that order (`VisibleCases.postgresFirstVisible`) only for last activity and creation, whose covering
/// indexes exist; sorted by number or subject it gathered every visible case (2 000 for a customer with
/// 2 000, each case's row on a page of its own), removed the duplicates and sorted them: 12–20 ms a page under
/// the realistic mix, about a sixth of PostgreSQL's statement time from about 1.5 % of the requests
/// (`pg_stat_statements`). With these indexes each branch reads its first cases in order, index-only:
/// page 3 of a customer's list by subject 0.23–0.36 ms against 5.3–6.0 before (`EXPLAIN ANALYZE`, one session,
/// warm; 1.4–2.0 for the old form with these indexes); 0.7–1.1 ms under the mix.
///
/// PostgreSQL only: SQLite reads those orders its own way (`VisibleCases.page`).
struct M050_PostgresSortedListIndexes: AsyncMigration {
    var name: String { "050_postgres_sorted_list_indexes" }

    static let indexes: [(name: String, columns: String)] = [
        ("cases_customer_number_id", "customer_id, number, id"),
        ("cases_object_number_id", "object_id, number, id"),
        ("cases_customer_subject_id", "customer_id, subject, id"),
        ("cases_object_subject_id", "object_id, subject, id"),
    ]

    func prepare(on database: any Database) async throws {
        let sql = try database.requireSQL()
        guard sql.dialect.name == "postgresql" else { return }
        for index in Self.indexes {
            try await sql.raw("CREATE INDEX IF NOT EXISTS \(unsafeRaw: index.name) ON cases (\(unsafeRaw: index.columns))").run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = try database.requireSQL()
        guard sql.dialect.name == "postgresql" else { return }
        for index in Self.indexes {
            try await sql.raw("DROP INDEX IF EXISTS \(unsafeRaw: index.name)").run()
        }
    }
}
