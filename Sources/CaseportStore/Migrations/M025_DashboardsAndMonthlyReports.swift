import FluentKit
import SQLKit

/// Issue 14 points 4 and 6: when a case was closed, which customers get monthly reports, and the reports.
///
/// - `cases.closed_at` (Unix seconds, like `resolved_at`): set when a case moves to closed, cleared when it
///   leaves closed; the lead-time dashboard and the monthly report read `closed_at − created_at`. Cases closed
///   before this migration get the time of their last status event to "closed" (else their `updated_at`).
/// - `monthly_report_customers`: one row per customer that staff switched monthly reports on for (B12), and
///   whether a month without cases is still mailed (the setting of B12's "optionally skipped").
/// - `monthly_reports`: one PDF per customer and month (`yyyy-mm`), its bytes in `FileStorage` under
///   `storage_key`. The unique (customer_id, month) is what makes a second run of the job write nothing.
struct M025_DashboardsAndMonthlyReports: AsyncMigration {
    var name: String { "025_dashboards_and_monthly_reports" }

    func prepare(on database: any Database) async throws {
        let sql = try database.requireSQL()
        try await database.schema(CaseRecord.schema).field("closed_at", .double).update()
        let eventTime: SQLQueryString = sql.dialect.name == "postgresql"
            ? "CAST(EXTRACT(EPOCH FROM e.at) AS DOUBLE PRECISION)" : "e.at"
        let updatedTime: SQLQueryString = sql.dialect.name == "postgresql"
            ? "CAST(EXTRACT(EPOCH FROM cases.updated_at) AS DOUBLE PRECISION)" : "cases.updated_at"
        try await sql.raw("""
            UPDATE cases SET closed_at = COALESCE(
                (SELECT MAX(\(eventTime)) FROM case_events e
                 WHERE e.case_id = cases.id AND e.kind = 'status' AND e.payload LIKE '%"to":"closed"%'),
                \(updatedTime))
            WHERE status = 'closed'
            """).run()
        try await sql.create(index: "cases_closed_at").on(CaseRecord.schema).column("closed_at").run()

        try await database.schema("monthly_report_customers")
            .field("customer_id", .int, .identifier(auto: false), .references(CustomerRecord.schema, "id", onDelete: .cascade))
            .field("switched_on_at", .double, .required)
            .field("mail_when_empty", .bool, .required)
            .create()
        try await database.schema("monthly_reports")
            .field("id", .int, .identifier(auto: true))
            .field("customer_id", .int, .required, .references(CustomerRecord.schema, "id", onDelete: .cascade))
            .field("month", .string, .required)
            .field("storage_key", .string, .required)
            .field("byte_size", .int, .required)
            .field("case_count", .int, .required)
            .field("created_at", .double, .required)
            .unique(on: "customer_id", "month")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("monthly_reports").delete()
        try await database.schema("monthly_report_customers").delete()
        try await database.requireSQL().raw("DROP INDEX cases_closed_at").run()
        try await database.schema(CaseRecord.schema).deleteField("closed_at").update()
    }
}
