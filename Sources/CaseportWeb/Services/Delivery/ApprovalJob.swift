import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Foundation

/// Runs `ApprovalRound` (B6) every minute inside `serve`; the clock is injected so tests can move time.
struct ApprovalJob: Sendable {
    let database: any Database
    let translations: Translations
    let config: AppConfig
    let clock: @Sendable () -> Date

    @discardableResult
    func run() async throws -> Bool {
        // Without CASEPORT_PUBLIC_URL, reminder links point at this machine (a demo on one machine).
        let notifications = NotificationContext(translations: translations, publicBaseURL: config.publicURL ?? "http://127.0.0.1:8080",
                                                companyName: config.delivery.companyName)
        let context = OperationContext(database: database, clock: clock, notifications: notifications)
        let ran = try await ApprovalRound.run(reminderAfter: config.delivery.approvalReminderAfter, in: context)
        // Issue 14 (B10): waiting invoice specifications are reminded by the same engine, never approved.
        try await SpecificationReminders.run(reminderAfter: config.delivery.approvalReminderAfter, in: context)
        // Issue 13 (C4): inspection and settlement reports shared once their claim reaches the chosen moment.
        try await AutoShareReports.run(in: context)
        return ran
    }

    /// Every `interval` until cancelled.
    func runForever(interval: Duration = .seconds(60), logger: Logger) async {
        while !Task.isCancelled {
            do { try await run() } catch { logger.error("approval job: \(String(reflecting: error))") }
            try? await Task.sleep(for: interval)
        }
    }
}
