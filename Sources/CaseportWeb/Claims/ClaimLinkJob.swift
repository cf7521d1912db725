import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Foundation
import Vapor

/// Runs `ClaimLinkRound` (issue 13, C7) inside `serve`: every minute over all claims, and within a second
/// over the claims staff just changed on this server (`ClaimLinkWakeUps`). Claims that reached their "link
/// sent" moment send their recipients the personal link, once per recipient and trigger (the round's
/// unique key makes several servers and overlapping rounds safe without a lock).
struct ClaimLinkJob: Sendable {
    let database: any Database
    let translations: Translations
    let config: AppConfig
    let clock: @Sendable () -> Date

    @discardableResult
    func run(caseNumbers: Set<Int>? = nil) async throws -> Int {
        // Without CASEPORT_PUBLIC_URL, links point at this machine (a demo on one machine).
        let notifications = NotificationContext(translations: translations, publicBaseURL: config.publicURL ?? "http://127.0.0.1:8080",
                                                companyName: config.delivery.companyName)
        return try await ClaimLinkRound.run(in: OperationContext(database: database, clock: clock, notifications: notifications),
                                            caseNumbers: caseNumbers)
    }

    /// A full round at once and then every `interval`; between them, every `check`, a round over the
    /// claims woken since the last look.
    func runForever(wakeUps: ClaimLinkWakeUps, interval: Duration = .seconds(60), check: Duration = .seconds(1),
                    logger: Logger) async {
        let ticks = ContinuousClock()
        var lastFullRound: ContinuousClock.Instant?
        while !Task.isCancelled {
            // Taken before the round: a claim woken while it runs is looked at on the next pass.
            let woken = wakeUps.take()
            let full = lastFullRound.map { ticks.now - $0 >= interval } ?? true
            if full { lastFullRound = ticks.now }
            if full || !woken.isEmpty {
                do { try await run(caseNumbers: full ? nil : woken) } catch { logger.error("claim link job: \(String(reflecting: error))") }
            }
            try? await Task.sleep(for: check)
        }
    }
}
