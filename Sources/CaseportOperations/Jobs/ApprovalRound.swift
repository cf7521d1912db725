import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// The scheduled half of B6, one round: customers of resolved cases that have waited the reminder time
/// get a reminder; cases whose reminder went out 24 hours ago close as approved. Runs on one server at a
/// time (`JobLock`); the time comes from the context's clock, so tests move it. The system actor is the
/// company, as customers see it.
///
/// The reminder time is the portal setting (D5, `PortalSettings.approvalReminderDays`); `defaultReminderAfter`
/// (the deployment's `APPROVAL_REMINDER_DAYS`, else 5 days) applies until an administrator sets one.
/// A case whose customer has no reachable address gets no reminder and is therefore never auto-closed:
/// it stays resolved and is listed for staff (`CaseApproval.unreached`).
public enum ApprovalRound {
    /// Returns false when another server held the round.
    @discardableResult
    public static func run(reminderAfter defaultReminderAfter: TimeInterval, in context: OperationContext) async throws -> Bool {
        let now = context.now
        let notify = context.notifications
        let company = notify.companyName
        let settings = try await SettingsStore(database: context.database).load()
        let reminderAfter = reminderTime(settings, default: defaultReminderAfter)
        return try await JobLock.run("approval", on: context.database) { db in
            let approval = CaseApproval(database: db)
            try await approval.sendReminders(after: reminderAfter, now: now, actorName: company) { record, tx in
                // The reminder is not a mail a user can turn off: without it the case would close unseen.
                try await CaseRecipients.of(record, respectingOptOut: false, on: tx).map {
                    Notifications.approvalReminder(notify, to: $0.email, language: $0.language, record: record)
                }
            }
            try await approval.closeUnanswered(now: now, actorName: company, text: MessageText("approval_auto_closed_message")) { record, tx in
                notify.text("approval_auto_closed_message", in: try await CaseRecipients.language(of: record, on: tx))
            }
        }
    }

    /// The settings' reminder time, else the deployment's default.
    public static func reminderTime(_ settings: PortalSettings, default defaultReminderAfter: TimeInterval) -> TimeInterval {
        settings.approvalReminderDays.map { TimeInterval($0) * 24 * 3_600 } ?? defaultReminderAfter
    }
}
