import CaseportCore
import CaseportStore
import FluentKit

/// The one-time "choose your password" links, issued and queued in the transaction that causes them.
extension Notifications {
    /// A9: a portal user's login details with a set-password link valid seven days, in the user's
    /// language, else in `fallback` (the language of whoever sends them).
    public static func queuePortalLoginDetails(_ context: NotificationContext, user: PortalUserRecord, email: String,
                                               organisation: CustomerRecord, fallback: Language, on db: any Database) async throws {
        let token = try await AccountTokens(database: db).issue(userId: try user.requireID(), purpose: "set_password",
                                                                lifetime: 7 * 24 * 3_600)
        let link = "\(context.publicBaseURL)/password/set?token=\(token)"
        try await loginDetails(context, to: email, name: user.displayName, organisation: organisation.shortCode,
                               username: user.username, link: link, language: user.language.flatMap(Language.init(rawValue:)) ?? fallback)
            .create(on: db)
    }

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
