import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// The scheduled half of B6, one round: customers of resolved cases that have waited `reminderAfter`
/// get a reminder; cases whose reminder went out 24 hours ago close as approved. Runs on one server at a
/// time (`JobLock`); the time comes from the context's clock, so tests move it. The system actor is the
/// company, as customers see it.
public enum ApprovalRound {
    /// Returns false when another server held the round.
    @discardableResult
    public static func run(reminderAfter: TimeInterval, in context: OperationContext) async throws -> Bool {
        let now = context.now
        let notify = context.notifications
        let company = notify.companyName
        return try await JobLock.run("approval", on: context.database) { db in
            let approval = CaseApproval(database: db)
            try await approval.sendReminders(after: reminderAfter, now: now, actorName: company) { record, tx in
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
                return Notifications.approvalReminder(notify, to: email, language: language, record: record)
            }
            try await approval.closeUnanswered(now: now, actorName: company,
                                               message: notify.text("approval_auto_closed_message", in: .fallback))
        }
    }
}
