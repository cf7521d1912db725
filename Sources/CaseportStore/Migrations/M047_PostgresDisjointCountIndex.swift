import FluentKit
import SQLKit

/// Issue 17, session 16: PostgreSQL counts a viewer's cases branch by branch (`VisibleCases.disjointCount`:
/// the customer's cases, plus the cases at their objects that are not the customer's, plus their linked
/// cases that are neither), instead of gathering every visible id of the UNION and removing duplicates.
/// The object branch asks each case's customer, which M042's covering index for that branch did not hold:
/// the count read every case's row (2 000 heap pages for a customer's 2 000 cases, 1.5 ms), and with a type
/// or category filter PostgreSQL chose to AND the type's index in (250 000 entries, 18 ms). This index
/// replaces M042's object index (same keys, the same columns INCLUDEd) and holds the customer too, so each
/// branch of a count, filtered or not, is index-only.
///
/// PostgreSQL only: SQLite counts with the rule's OR in one pass (`VisibleCases.count`), and M044's
/// indexes already hold the other branch's column.
struct M047_PostgresDisjointCountIndex: AsyncMigration {
    var name: String { "047_postgres_disjoint_count_index" }

    func prepare(on database: any Database) async throws {
        let sql = try database.requireSQL()
        guard sql.dialect.name == "postgresql" else { return }
        try await sql.raw("""
            CREATE INDEX IF NOT EXISTS cases_object_activity_customer ON cases (object_id, last_activity_at, id)
            INCLUDE (\(unsafeRaw: M042_FilteredListIndexes.included), customer_id)
            """).run()
        try await sql.raw("DROP INDEX IF EXISTS cases_object_activity_filters").run()
    }

    func revert(on database: any Database) async throws {
        let sql = try database.requireSQL()
        guard sql.dialect.name == "postgresql" else { return }
        try await sql.raw("""
            CREATE INDEX IF NOT EXISTS cases_object_activity_filters ON cases (object_id, last_activity_at, id)
            INCLUDE (\(unsafeRaw: M042_FilteredListIndexes.included))
            """).run()
        try await sql.raw("DROP INDEX IF EXISTS cases_object_activity_customer").run()
    }
}
