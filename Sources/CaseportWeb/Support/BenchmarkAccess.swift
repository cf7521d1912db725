import CaseportCore
import CaseportStore
import Vapor

/// The little the `caseport-bench` executable needs from the web layer and that is not public
/// otherwise: the sizes the list pages ask the database for, and the outbox workers' loop. Nothing in
/// `caseport` uses it; it keeps the benchmark measuring exactly what the pages and the worker do.
public enum BenchmarkAccess {
    public static let portalCaseListPageSize = PortalCaseListController.pageSize
    public static let staffCaseListPageSize = StaffCasesController.pageSize
    public static let staffCaseCountCap = StaffCasesController.countCap

    /// The case report of case `number` as `GET /staff/cases/{number}/report.pdf` makes it (read and
    /// render, without HTTP), in `language`.
    public static func caseReport(_ app: Application, number: Int, language: Language) async throws -> [UInt8] {
        let request = Request(application: app, method: .GET, url: URI(path: StaffRoute.caseReport.path(number)),
                              on: app.eventLoopGroup.next())
        request.language = language
        guard let detail = try await StaffCases(database: request.database).detail(number: number) else { throw Abort(.notFound) }
        return try await CaseReportController.render(request, detail: detail)
    }

    /// Delivers the outbox with `config.concurrency` workers until no row is due.
    public static func deliverOutbox(_ app: Application, config: DeliveryConfig) async throws {
        let worker = OutboxWorker(database: app.db, config: config, group: app.eventLoopGroup, client: app.client,
                                  logger: app.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<config.concurrency {
                group.addTask { while try await worker.deliverBatch() > 0 {} }
            }
            try await group.waitForAll()
        }
    }

    /// The figures of one dashboard as its page computes them (every chart's GROUP BY queries), for a
    /// visibility (nil: staff, every case) over the last three months.
    public static func dashboardFigures(_ app: Application, kind: DashboardKind, visibility: CaseVisibility?) async throws -> Int {
        let charts = try await DashboardCharts(dashboards: Dashboards(database: app.db), language: .sv, t: { $0 })
            .charts(kind, visibility: visibility, filter: DashboardFilter(period: .lastThreeMonths(now: Date())))
        return charts.reduce(0) { $0 + $1.rows.count }
    }

    /// One monthly-report round (B12) at `now`, as the job in `serve` runs it; the number of reports made.
    public static func monthlyReportRound(_ app: Application, now: Date) async throws -> Int {
        try await MonthlyReportJob(application: app, clock: { now }).run() ?? 0
    }
}

extension BenchmarkAccess {
    /// Issue 13: a middleware that makes every request a visitor of claim `caseId`'s customer page, as
    /// the personal link's session does; only `caseport-bench claim-page` installs it.
    public static func claimViewer(caseId: Int, name: String) -> any Middleware {
        ClaimBenchViewer(viewer: ClaimViewer(caseId: caseId, linkId: 0, name: name))
    }

    struct ClaimBenchViewer: AsyncMiddleware {
        let viewer: ClaimViewer
        func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
            request.claimViewer = viewer
            return try await next.respond(to: request)
        }
    }
}

extension BenchmarkAccess {
    /// Where the app keeps files (the claim benchmark's documents).
    public static func fileStorage(_ app: Application) -> any FileStorage { app.caseport.storage }
}
