import FluentKit
import SQLKit

/// Issue 17: the approval round (B6, every minute on one server) asks for resolved cases that wait for a
/// reminder, and for those whose reminder is 24 hours old. Only `(status, …)` indexes served it, so each
/// round read every resolved case's row to test the reminder columns: 150–180 ms a query at 1 000 000
/// cases (166 000 resolved) on PostgreSQL, measured with `log_min_duration_statement`. Partial indexes
/// hold only the resolved cases each query can pick, in the order of the time it compares. (Each index's
/// condition excludes the other query's rows: given `cases_reminded` with the waiting cases' NULLs in it,
/// SQLite chose it for `approval_reminded_at IS NULL` and read them all.)
struct M043_ApprovalRoundIndexes: AsyncMigration {
    var name: String { "043_approval_round_indexes" }

    func prepare(on database: any Database) async throws {
        let sql = try database.requireSQL()
        try await sql.raw("""
            CREATE INDEX IF NOT EXISTS cases_awaiting_reminder ON cases (resolved_at)
            WHERE status = 'resolved' AND approval_reminded_at IS NULL AND approval_unreached_at IS NULL
            """).run()
        try await sql.raw("""
            CREATE INDEX IF NOT EXISTS cases_reminded ON cases (approval_reminded_at)
            WHERE status = 'resolved' AND approval_reminded_at IS NOT NULL
            """).run()
        try await sql.raw("""
            CREATE INDEX IF NOT EXISTS cases_unreached ON cases (approval_unreached_at)
            WHERE status = 'resolved' AND approval_unreached_at IS NOT NULL
            """).run()
    }

    func revert(on database: any Database) async throws {
        let sql = try database.requireSQL()
        for index in ["cases_awaiting_reminder", "cases_reminded", "cases_unreached"] {
            try await sql.raw("DROP INDEX IF EXISTS \(unsafeRaw: index)").run()
        }
    }
}
