import CaseportCore
import CaseportStore
import FluentKit

/// A1/A2/A6/A11: signing in to the portal with organisation, username and password, and signing out.
/// The attempt is counted before the password is checked (A2), so parallel guesses cannot outrun the
/// lock; a refusal never tells whether the organisation or account exists (the same bcrypt work, the
/// same text). Every attempt is an audit line (E5). The session and its cookie are the web's.
public enum PortalSignIn {
    public struct Input: Sendable {
        public var organisation: String
        public var username: String
        public var password: String

        public init(organisation: String, username: String, password: String) {
            self.organisation = organisation
            self.username = username
            self.password = password
        }
    }

    /// Why the login page answers with an error. The page has one message, not one per field.
    public enum Refusal: Sendable, Equatable {
        case missing, tooLong, locked, inactive
        /// No such account or the wrong password; `nowLocked` when this failure locked the key.
        case wrongCredentials(nowLocked: Bool)

        /// The locale key of the page's message.
        public var messageKey: String {
            switch self {
            case .missing: return "login_error_missing"
            case .tooLong: return "login_error_too_long"
            case .locked, .wrongCredentials(nowLocked: true): return "login_error_locked"
            case .wrongCredentials(nowLocked: false): return "login_error_invalid"
            case .inactive: return "login_error_inactive"
            }
        }
    }

    public enum Result: Sendable, Equatable {
        case signedIn(userId: Int)
        case refused(Refusal)
    }

    public static func run(_ input: Input, passwords: any PasswordHashing, dummyHash: String,
                           in context: OperationContext) async throws -> Result {
        let db = context.database
        let trimmedOrganisation = input.organisation.trimmed, trimmedUsername = input.username.trimmed
        let password = input.password
        if trimmedOrganisation.isEmpty || trimmedUsername.isEmpty || password.isEmpty { return .refused(.missing) }
        if input.organisation.count > InputLimits.organisation || input.username.count > InputLimits.username
            || password.count > InputLimits.password {
            return .refused(.tooLong)
        }
        let typed = AuditActor.anonymous(typed: "\(String(trimmedOrganisation.prefix(100))) / \(String(trimmedUsername.prefix(100)))")
        let settings = try await SettingsStore(database: db).load()
        let resolution = try await PortalAccounts.resolve(organisation: trimmedOrganisation, username: trimmedUsername,
                                                          field: settings.organisationLoginField, on: db)
        // E5: the typed names are logged, never whether such an account exists.
        switch try await PasswordCheck.run(password: password, against: resolution.user?.passwordHash, key: resolution.throttleKey,
                                           typed: typed, subject: "portal login",
                                           wrongDetails: "wrong organisation, username or password",
                                           passwords: passwords, dummyHash: dummyHash, in: context) {
        case .locked: return .refused(.locked)
        case .wrong(let nowLocked): return .refused(.wrongCredentials(nowLocked: nowLocked))
        case .matches: break
        }
        guard let user = resolution.user else { return .refused(.wrongCredentials(nowLocked: false)) }
        let account = AuditActor.portal(id: user.id, name: "\(user.displayName) (\(user.username))")
        let subject = "portal user \(user.id ?? 0)"
        let organisationIsActive = try await CustomerRecord.find(user.organisationId, on: db)?.isActive ?? false
        guard user.isActive, organisationIsActive else {
            try await context.audit(.loginFailed, by: account, subject: subject, details: "account inactive", on: db)
            return .refused(.inactive)
        }
        user.lastLoginAt = context.now
        try await PasswordCheck.succeed(key: resolution.throttleKey, account: account, subject: subject, saving: user, in: context)
        return .signedIn(userId: try user.requireID())
    }

    /// Signing out is an audit line; ending the session and its cookie is the web's.
    public static func signOut(_ user: PortalUserRecord, in context: OperationContext) async throws {
        try await context.audit(.logout, by: .portal(id: user.id, name: "\(user.displayName) (\(user.username))"),
                                subject: "portal user \(user.id ?? 0)", on: context.database)
    }
}
