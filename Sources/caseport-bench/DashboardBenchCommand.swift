import CaseportBenchData
import CaseportCore
import CaseportStore
import CaseportWeb
import Fluent
import SQLKit
import Vapor

/// `caseport-bench dashboards`: seeds an empty database with N cases (default 100 000 over 500 customers,
/// spread over the last five weeks; a third closed, with lead times of 1–20 days), then times every
/// dashboard's figures (median, p99) for staff (every case) and for a contact linked to one customer,
/// and one monthly-report round making and queueing a report for each of the 500 customers.
struct DashboardBenchCommand: AsyncCommand {
    let config: AppConfig

    struct Signature: CommandSignature {
        @Option(name: "cases", help: "How many cases to seed (default 100000).")
        var cases: Int?
        @Option(name: "iterations", help: "Timed runs per dashboard (default 50).")
        var iterations: Int?
        init() {}
    }

    var help: String { "Times the dashboards over many cases and a round of 500 monthly reports." }

    struct Failure: Error, CustomStringConvertible { let description: String }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let console = context.console
        try await prepareDatabase(app)
        let db = app.db
        guard try await CaseRecord.query(on: db).count() == 0 else { throw Failure(description: "use an empty database") }
        let shape = BenchmarkData.Shape(customers: 500, cases: signature.cases ?? 100_000)
        try await BenchmarkData.seed(shape, passwordHash: "x", on: db) { step in console.print("seeding: \(step)") }
        let sql = db as! any SQLDatabase
        let created: SQLQueryString = sql.dialect.name == "postgresql" ? "CAST(EXTRACT(EPOCH FROM created_at) AS DOUBLE PRECISION)" : "created_at"
        try await sql.raw("UPDATE cases SET closed_at = " + created + " + (id % 20) * 86400 + 3600 WHERE status = 'closed'").run()
        try await sql.raw("INSERT INTO monthly_report_customers (customer_id, switched_on_at, mail_when_empty) SELECT id, 0, \(unsafeRaw: sql.dialect.name == "postgresql" ? "true" : "1") FROM customers").run()
        console.print("database: \(config.database.summary); \(shape.cases) cases, \(shape.customers) customers")

        let customer = try await CustomerRecord.query(on: db).sort(\.$id).first()!
        let contactScope = DashboardScope.customers.visibility(ContactLinks(contactId: -1, customerIds: [try customer.requireID()]))
        let iterations = max(10, signature.iterations ?? 50)
        for (who, visibility) in [("staff, every case", nil as CaseVisibility?), ("contact of one customer", contactScope)] {
            for kind in DashboardKind.available {
                var times: [Double] = []
                var rows = 0
                for _ in 0..<iterations {
                    let began = Date()
                    rows = try await BenchmarkAccess.dashboardFigures(app, kind: kind, visibility: visibility)
                    times.append(Date().timeIntervalSince(began) * 1000)
                }
                times.sort()
                let p99 = times[min(times.count - 1, Int((Double(times.count) * 0.99).rounded(.up)) - 1)]
                console.print(String(format: "%@, %@ (%d rows): median %.1f ms, p99 %.1f ms", who, kind.rawValue, rows,
                                     times[times.count / 2], p99))
            }
        }
        // The month the seeded cases fall in is "last month" a month from now.
        let later = DashboardPeriod.calendar.date(byAdding: .month, value: 1, to: Date())!
        let began = Date()
        let made = try await BenchmarkAccess.monthlyReportRound(app, now: later)
        let seconds = Date().timeIntervalSince(began)
        let queued = try await OutboxRecord.query(on: db).filter(\.$kind == OutboxKind.monthlyReport.rawValue).count()
        console.print(String(format: "monthly reports: %d made and %d mails queued in %.1f s (%.0f ms per report)", made, queued, seconds,
                             seconds * 1000 / Double(max(made, 1))))
    }
}
