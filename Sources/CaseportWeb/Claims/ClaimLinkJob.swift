import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Foundation
import Vapor

/// Runs `ClaimLinkRound` (issue 13, C7) every minute inside `serve`: claims that reached their "link
/// sent" moment send their recipients the personal link, once per recipient and trigger (the round's
/// unique key makes several servers safe without a lock).
struct ClaimLinkJob: Sendable {
    let database: any Database
    let translations: Translations
    let config: AppConfig
    let clock: @Sendable () -> Date

    @discardableResult
    func run() async throws -> Int {
        // Without CASEPORT_PUBLIC_URL, links point at this machine (a demo on one machine).
        let notifications = NotificationContext(translations: translations, publicBaseURL: config.publicURL ?? "http://127.0.0.1:8080",
                                                companyName: config.delivery.companyName)
        return try await ClaimLinkRound.run(in: OperationContext(database: database, clock: clock, notifications: notifications))
    }

    func runForever(interval: Duration = .seconds(60), logger: Logger) async {
        while !Task.isCancelled {
            do { try await run() } catch { logger.error("claim link job: \(String(reflecting: error))") }
            try? await Task.sleep(for: interval)
        }
    }
}
