import FluentKit
import SQLKit

/// Issue 17: M042's filtered portal list for SQLite. A filtered or re-sorted portal list read every
/// visible case's table row (4.7 ms of server CPU a request at 1 000 000 cases, against 2.0 for the
/// unfiltered list): SQLite answers the rule's OR (`VisibleCases.page`, `count`) with a multi-index OR,
/// one index search per branch, and each branch chose the smallest index on its column
/// (`(customer_id, created_at)`), which holds neither the filter columns nor most sort columns.
///
/// SQLite has no INCLUDE, so the branches' indexes of M032 (`(customer_id | object_id, last_activity_at,
/// id)`, which these replace: same leading keys, so the unfiltered list's UNION and its order are served
/// as before) gain, after those keys, every other column the portal list reads for its rule, filter and
/// order: the other branch's column (the OR's terms use the cases' columns together, and SQLite takes an
/// index as covering only when it holds every column the statement reads from `cases`), the filter
/// columns and the sort columns. Each branch of the OR is then an index-only search ("USING COVERING
/// INDEX"); the contact branch reads its few cases by id as before. At 1 000 000 cases (a customer's
/// 2 000 cases, a warm connection, SQLite 3.54): a category or type filter's count 0.93–0.95 → 0.20 ms
/// and page 0.96–0.99 → 0.21–0.24 ms; the open cases' page 0.67 → 0.39 ms; a page by number or subject
/// 0.81 → 0.31–0.34 ms; 7.4–9.9 → 2.5 ms of server CPU a filtered list request (docs/PERFORMANCE.md,
/// "Filtered lists on SQLite (session 13)"). Each index is 67 MB instead of 25.
///
/// SQLite only: PostgreSQL's branches are M042's indexes, with the filter columns INCLUDEd.
struct M044_SQLiteFilteredListIndexes: AsyncMigration {
    var name: String { "044_sqlite_filtered_list_indexes" }

    /// The columns after each branch's keys, in this order: the other branch's column, then as M042.
    static let held = "status, category_id, case_type_id, priority_id, number, created_at, subject"

    static func columns(_ branch: String) -> String {
        let other = branch == "customer" ? "object_id" : "customer_id"
        return "\(branch)_id, last_activity_at, id, \(other), \(held)"
    }

    func prepare(on database: any Database) async throws {
        let sql = try database.requireSQL()
        guard sql.dialect.name == "sqlite" else { return }
        for branch in ["customer", "object"] {
            try await sql.raw("""
                CREATE INDEX IF NOT EXISTS cases_\(unsafeRaw: branch)_activity_filters ON cases (\(unsafeRaw: Self.columns(branch)))
                """).run()
            try await sql.raw("DROP INDEX IF EXISTS cases_\(unsafeRaw: branch)_activity").run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = try database.requireSQL()
        guard sql.dialect.name == "sqlite" else { return }
        for branch in ["customer", "object"] {
            try await sql.raw("""
                CREATE INDEX IF NOT EXISTS cases_\(unsafeRaw: branch)_activity ON cases (\(unsafeRaw: branch)_id, last_activity_at, id)
                """).run()
            try await sql.raw("DROP INDEX IF EXISTS cases_\(unsafeRaw: branch)_activity_filters").run()
        }
    }
}
