import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Foundation

/// E3: runs `RunRetention` once a night inside `serve` (when the policy switches it on), and on demand
/// for `caseport retention run`. One server at a time: `RunRetention` takes the job lock.
struct RetentionJob: Sendable {
    let database: any Database
    let translations: Translations
    let config: AppConfig
    let storage: any FileStorage
    let clock: @Sendable () -> Date

    var context: OperationContext {
        let notifications = NotificationContext(translations: translations, publicBaseURL: config.publicURL ?? "http://127.0.0.1:8080",
                                                companyName: config.delivery.companyName)
        return OperationContext(database: database, clock: clock, notifications: notifications)
    }

    func run(dryRun: Bool) async throws -> RunRetention.Report? {
        try await RunRetention.run(dryRun: dryRun, storage: storage, by: SystemActor(name: config.delivery.companyName), in: context)
    }

    /// Each night at about 02:30 server time: waits, runs when the policy says so, repeats until cancelled.
    func runNightly(logger: Logger) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(Self.secondsUntilNextRun(from: clock())))
            guard !Task.isCancelled else { return }
            do {
                if let report = try await RunRetention.nightly(storage: storage, in: context) {
                    logger.info("retention: \(report.totalCases) cases (\(report.summary))")
                }
            } catch {
                logger.error("retention job: \(String(reflecting: error))")
            }
        }
    }

    static func secondsUntilNextRun(from now: Date, calendar: Calendar = .current) -> Double {
        var next = calendar.date(bySettingHour: 2, minute: 30, second: 0, of: now) ?? now.addingTimeInterval(86_400)
        if next <= now { next = calendar.date(byAdding: .day, value: 1, to: next) ?? now.addingTimeInterval(86_400) }
        return max(60, next.timeIntervalSince(now))
    }
}
