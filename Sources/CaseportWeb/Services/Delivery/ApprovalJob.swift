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
        return try await ApprovalRound.run(reminderAfter: config.delivery.approvalReminderAfter,
                                           in: OperationContext(database: database, clock: clock, notifications: notifications))
    }

    /// Every `interval` until cancelled.
    func runForever(interval: Duration = .seconds(60), logger: Logger) async {
        while !Task.isCancelled {
            do { try await run() } catch { logger.error("approval job: \(String(reflecting: error))") }
            try? await Task.sleep(for: interval)
        }
    }
}
