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
        guard let detail = try await StaffCases(database: request.db).detail(number: number) else { throw Abort(.notFound) }
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
}
