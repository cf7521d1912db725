import FluentKit
import SQLKit

/// Issue 17: a filtered portal list on PostgreSQL (state, category, type or priority) read each visible
/// case's row to test the filter: the customer branch of the rule fetched 2 000 heap rows for a customer
/// with 2 000 cases, and the object branch ANDed its bitmap with the filter column's whole index (250 000
/// entries for one case type): 35–48 ms for the count and as much for the page, measured with
/// `pg_stat_statements` in the realistic mix, where these lists were a quarter of PostgreSQL's time at 8 %
/// of the requests. With the filter columns INCLUDEd in the branches' covering indexes (M032's, which
/// these replace: same keys, so the unfiltered list and its order are served as before), each branch is an
/// index-only scan that tests the filter in the index: 0.4 ms.
///
/// PostgreSQL only: SQLite answers a filtered list through the rule's OR (`VisibleCases.page`), and has no
/// INCLUDE.
struct M042_FilteredListIndexes: AsyncMigration {
    var name: String { "042_filtered_list_indexes" }

    static let included = "status, category_id, case_type_id, priority_id"

    func prepare(on database: any Database) async throws {
        let sql = try database.requireSQL()
        guard sql.dialect.name == "postgresql" else { return }
        for branch in ["customer", "object"] {
            try await sql.raw("""
                CREATE INDEX IF NOT EXISTS cases_\(unsafeRaw: branch)_activity_filters
                ON cases (\(unsafeRaw: branch)_id, last_activity_at, id) INCLUDE (\(unsafeRaw: Self.included))
                """).run()
            try await sql.raw("DROP INDEX IF EXISTS cases_\(unsafeRaw: branch)_activity").run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = try database.requireSQL()
        guard sql.dialect.name == "postgresql" else { return }
        for branch in ["customer", "object"] {
            try await sql.raw("""
                CREATE INDEX IF NOT EXISTS cases_\(unsafeRaw: branch)_activity ON cases (\(unsafeRaw: branch)_id, last_activity_at, id)
                """).run()
            try await sql.raw("DROP INDEX IF EXISTS cases_\(unsafeRaw: branch)_activity_filters").run()
        }
    }
}
