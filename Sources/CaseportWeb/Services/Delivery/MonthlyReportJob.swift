import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Foundation
import Vapor

/// Runs `MonthlyReportRound` (B12) inside `serve`: every ten minutes it makes the reports of last month
/// that are still missing (in practice, once, early on the 1st); the clock is injected for tests.
struct MonthlyReportJob: Sendable {
    let database: any Database
    let pdf: MonthlyReportPDF
    let storage: any FileStorage
    let translations: Translations
    let config: AppConfig
    let clock: @Sendable () -> Date

    init(application: Application, clock: @escaping @Sendable () -> Date) {
        database = application.db
        storage = application.caseport.storage
        translations = application.caseport.translations
        config = application.caseport.config
        pdf = MonthlyReportPDF(database: application.db, storage: application.caseport.storage,
                               translations: application.caseport.translations,
                               fontsDirectory: URL(fileURLWithPath: application.directory.resourcesDirectory).appendingPathComponent("Fonts"),
                               companyName: application.caseport.config.delivery.companyName)
        self.clock = clock
    }

    @discardableResult
    func run() async throws -> Int? {
        // Without CASEPORT_PUBLIC_URL, the mail's link points at this machine (a demo on one machine).
        let notifications = NotificationContext(translations: translations, publicBaseURL: config.publicURL ?? "http://127.0.0.1:8080",
                                                companyName: config.delivery.companyName)
        return try await MonthlyReportRound.run(render: pdf.renderer, storage: storage,
                                                in: OperationContext(database: database, clock: clock, notifications: notifications))
    }

    func runForever(interval: Duration = .seconds(600), logger: Logger) async {
        while !Task.isCancelled {
            do { try await run() } catch { logger.error("monthly reports: \(String(reflecting: error))") }
            try? await Task.sleep(for: interval)
        }
    }
}
