import CaseportCore
import CaseportStore
import FluentKit

/// The one-time "choose your password" links, issued and queued in the transaction that causes them.
extension Notifications {
    /// D1: a staff account's set-password link, in the language of the administrator who sends it.
    public static func queueStaffPasswordLink(_ context: NotificationContext, to user: StaffUserRecord, language: Language,
                                              on db: any Database) async throws {
        let token = try await StaffAccountTokens(database: db).issue(staffUserId: try user.requireID())
        let values = ["name": user.name, "email": user.email, "link": "\(context.publicBaseURL)/staff/password/set?token=\(token)"]
        try await OutboxRecord(kind: .staffLoginDetails, recipient: user.email, language: language.rawValue,
                               subject: fill(context.text("mail_staff_login_details_subject", in: language), values),
                               body: fill(context.text("mail_staff_login_details_body", in: language), values)).create(on: db)
    }
}
