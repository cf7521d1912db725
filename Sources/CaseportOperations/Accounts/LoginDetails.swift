import CaseportCore
import CaseportStore
import FluentKit

/// A9 login details: a set-password link valid for a week, queued in the caller's transaction, in the
/// user's language (else `language`, the sender's). The password itself is never mailed.
public enum LoginDetails {
    public static let lifetime = 7 * 24 * 3_600.0

    public static func queue(user: PortalUserRecord, email: String, organisation: CustomerRecord, language: Language,
                             in context: OperationContext, on db: any Database) async throws {
        try await queue(userId: try user.requireID(), name: user.displayName, username: user.username, email: email,
                        organisationCode: organisation.shortCode,
                        language: user.language.flatMap(Language.init(rawValue:)) ?? language, in: context, on: db)
    }

    /// The same for a user known by its fields (the CSV import has no records in hand), in `language`.
    static func queue(userId: Int, name: String, username: String, email: String, organisationCode: String,
                      language: Language, in context: OperationContext, on db: any Database) async throws {
        let token = try await AccountTokens(database: db).issue(userId: userId, purpose: "set_password", lifetime: lifetime,
                                                                now: context.now)
        let link = "\(context.notifications.publicBaseURL)/password/set?token=\(token)"
        try await Notifications.loginDetails(context.notifications, to: email, name: name, organisation: organisationCode,
                                             username: username, link: link, language: language).create(on: db)
    }
}
