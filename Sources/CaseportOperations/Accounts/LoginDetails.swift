import CaseportCore
import CaseportStore
import FluentKit

/// A9 login details: a set-password link valid for a week, queued in the caller's transaction, in the
/// user's language (else `language`, the sender's). The password itself is never mailed.
public enum LoginDetails {
    public static let lifetime = 7 * 24 * 3_600.0

    public static func queue(user: PortalUserRecord, email: String, organisation: CustomerRecord, language: Language,
                             in context: OperationContext, on db: any Database) async throws {
        let token = try await AccountTokens(database: db).issue(userId: try user.requireID(), purpose: "set_password",
                                                                lifetime: lifetime, now: context.now)
        let link = "\(context.notifications.publicBaseURL)/password/set?token=\(token)"
        try await Notifications.loginDetails(context.notifications, to: email, name: user.displayName,
                                             organisation: organisation.shortCode, username: user.username, link: link,
                                             language: user.language.flatMap(Language.init(rawValue:)) ?? language)
            .create(on: db)
    }
}
