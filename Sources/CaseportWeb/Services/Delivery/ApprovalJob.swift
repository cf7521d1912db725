import CaseportCore
import CaseportStore
import Fluent
import Foundation

/// The scheduled half of B6: reminds customers of resolved cases that wait for their approval, and closes
/// them as approved 24 hours after the reminder. Runs every minute inside `serve`, on one server at a time
/// (`JobLock`); the clock is injected so tests can move time.
struct ApprovalJob: Sendable {
    let database: any Database
    let translations: Translations
    let config: AppConfig
    let clock: @Sendable () -> Date

    @discardableResult
    func run() async throws -> Bool {
        let now = clock()
        let delivery = config.delivery
        let company = delivery.companyName
        let baseURL = config.publicURL ?? "http://127.0.0.1:8080"
        let translations = self.translations
        return try await JobLock.run("approval", on: database) { db in
            let approval = CaseApproval(database: db)
            try await approval.sendReminders(after: delivery.approvalReminderAfter, now: now, actorName: company) { record, tx in
                var language = Language.fallback
                var email = record.copyEmail
                if let userId = record.createdByUserId, let user = try await PortalUserRecord.find(userId, on: tx) {
                    language = Notifications.language(of: user)
                    email = user.email ?? email
                }
                if email == nil, let contactId = record.primaryContactId {
                    email = try await ContactRecord.find(contactId, on: tx)?.email
                }
                guard let email, !email.isEmpty else { return nil }
                return Notifications.approvalReminder(translations: translations, baseURL: baseURL, to: email, language: language,
                                                      record: record, company: company)
            }
            try await approval.closeUnanswered(now: now, actorName: company,
                                               message: translations.text("approval_auto_closed_message", in: .fallback))
        }
    }

    /// Every `interval` until cancelled.
    func runForever(interval: Duration = .seconds(60), logger: Logger) async {
        while !Task.isCancelled {
            do { try await run() } catch { logger.error("approval job: \(String(reflecting: error))") }
            try? await Task.sleep(for: interval)
        }
    }
}
