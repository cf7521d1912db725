import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// B10 with the approval engine (B6): a specification still waiting after the approval reminder time
/// reminds its customer's approvers once. Unlike a case, it is never approved without an answer —
/// nothing about money is approved automatically. Runs on one server at a time (`JobLock`), from the
/// approval job's loop, with the context's clock.
public enum SpecificationReminders {
    @discardableResult
    public static func run(reminderAfter defaultReminderAfter: TimeInterval, in context: OperationContext) async throws -> Bool {
        let now = context.now
        let settings = try await SettingsStore(database: context.database).load()
        let reminderAfter = ApprovalRound.reminderTime(settings, default: defaultReminderAfter)
        let notify = context.notifications
        return try await JobLock.run("specification_reminders", on: context.database) { db in
            let specs = InvoiceSpecifications(database: db)
            let claimed = try await specs.claimForReminder(createdBefore: Int(now.timeIntervalSince1970 - reminderAfter),
                                                           now: Int(now.timeIntervalSince1970))
            for spec in claimed {
                try await db.transaction { tx in
                    for approver in try await InvoiceSpecifications(database: tx).approvers(customerId: spec.customerId) {
                        try await Notifications.specificationMail(notify, kind: .specificationReminder, to: approver.email,
                                                                  language: Language(rawValue: approver.language ?? "") ?? .fallback,
                                                                  spec: spec).save(on: tx)
                    }
                }
            }
        }
    }
}
