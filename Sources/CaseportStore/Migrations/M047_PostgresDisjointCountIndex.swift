import FluentKit
import SQLKit

/// Issue 17, session 16: PostgreSQL counts a viewer's cases branch by branch (`VisibleCases.postgresCount`:
/// the customer's cases, plus the cases at their objects that are not the customer's, plus their linked
/// cases that are neither), instead of gathering every visible id of the UNION and removing duplicates.
/// The object branch asks each case's customer; `(object_id, status)` did not hold it, so that branch read
/// every case's row (2 000 heap pages for a customer's 2 000 cases, 1.5 ms). This index replaces it (same
/// leading columns, so what used it still can) and holds the customer too.
///
/// PostgreSQL only: SQLite counts with the rule's OR in one pass (`VisibleCases.count`), and M044's
/// indexes already hold the other branch's column.
struct M047_PostgresDisjointCountIndex: AsyncMigration {
    var name: String { "047_postgres_disjoint_count_index" }

    func prepare(on database: any Database) async throws {
        let sql = try database.requireSQL()
        guard sql.dialect.name == "postgresql" else { return }
        try await sql.raw("CREATE INDEX IF NOT EXISTS cases_object_status_customer ON cases (object_id, status) INCLUDE (customer_id)").run()
        try await sql.raw("DROP INDEX IF EXISTS cases_object_status").run()
    }

    func revert(on database: any Database) async throws {
        let sql = try database.requireSQL()
        guard sql.dialect.name == "postgresql" else { return }
        try await sql.raw("CREATE INDEX IF NOT EXISTS cases_object_status ON cases (object_id, status)").run()
        try await sql.raw("DROP INDEX IF EXISTS cases_object_status_customer").run()
    }
}
