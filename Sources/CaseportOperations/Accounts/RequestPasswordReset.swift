import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// A4: "forgot password". The answer is the same whether or not the account exists, after the same bcrypt
/// work. Requests are limited per account — name, short code and number share one counter, counted
/// atomically before anything is queued (the login throttle's table, under its own realm) — so the form
/// cannot flood an inbox. The mail holds a one-time set-password link valid for an hour.
public enum RequestPasswordReset {
    public static let lifetime: TimeInterval = 3_600

    public struct Input: Sendable {
        public var organisation: String
        public var username: String

        public init(organisation: String, username: String) {
            self.organisation = organisation
            self.username = username
        }
    }

    public enum Field: String, Hashable, Sendable {
        case organisation, username
    }

    /// What happened, for logs and tests only: the person asking always gets the same answer.
    public struct Requested: Sendable, Equatable {
        /// Too many requests for this account: nothing was queued.
        public var throttled: Bool
        /// A link was queued (an active account with an address).
        public var queued: Bool
    }

    public static func run(_ input: Input, passwords: any PasswordHashing, dummyHash: String,
                           in context: OperationContext) async throws
        -> Outcome<Requested, Field> {
        let db = context.database
        let organisation = input.organisation.trimmed, username = input.username.trimmed
        var problems = Problems<Field>()
        if organisation.isEmpty { problems.set(.organisation, ProblemKey.required) }
        if username.isEmpty { problems.set(.username, ProblemKey.required) }
        if organisation.count > InputLimits.organisation { problems.set(.organisation, ProblemKey.tooLong) }
        if username.count > InputLimits.username { problems.set(.username, ProblemKey.tooLong) }
        guard problems.isEmpty else { return .problems(problems) }

        let settings = try await SettingsStore(database: db).load()
        let resolution = try await PortalAccounts.resolve(organisation: organisation, username: username,
                                                          field: settings.organisationLoginField, realm: "password_reset", on: db)
        // Counted atomically per resolved account before anything is queued, so a burst of requests
        // queues at most five mails.
        let attempt = try await LoginAttempts(database: db).count(key: resolution.throttleKey, now: context.now)
        // The same bcrypt work whatever follows, so the answer's timing does not tell whether the account exists.
        _ = try await passwords.verify(username, against: dummyHash)
        guard attempt.mayProceed else { return .done(Requested(throttled: true, queued: false)) }
        guard let user = resolution.user, user.isActive, let email = user.email, !email.isEmpty else {
            return .done(Requested(throttled: false, queued: false))
        }
        let now = context.now
        try await db.transaction { tx in
            let token = try await AccountTokens(database: tx).issue(userId: try user.requireID(), purpose: "set_password",
                                                                    lifetime: lifetime, now: now)
            try await Notifications.passwordReset(context.notifications, user: user, email: email,
                                                  link: "\(context.notifications.publicBaseURL)/password/set?token=\(token)")
                .create(on: tx)
        }
        return .done(Requested(throttled: false, queued: true))
    }
}
