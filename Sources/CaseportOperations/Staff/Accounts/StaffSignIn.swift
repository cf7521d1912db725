import CaseportCore
import CaseportStore
import FluentKit

/// D1/A2: staff sign in with e-mail and password, under the portal's lockout rule (`PasswordCheck`): a
/// refusal never tells whether the address has an account (the same bcrypt work, the same text). Every attempt is an audit line (E5). The session and
/// its cookie are the web's.
public enum StaffSignIn {
    public struct Input: Sendable {
        public var email: String
        public var password: String

        public init(email: String, password: String) {
            self.email = email
            self.password = password
        }
    }

    /// Why the login page answers with an error (one message for the page).
    public enum Refusal: Sendable, Equatable {
        case missing, tooLong, locked, inactive
        /// No such account or the wrong password; `nowLocked` when this failure locked the key.
        case wrongCredentials(nowLocked: Bool)

        public var messageKey: String {
            switch self {
            case .missing: return "staff_login_error_missing"
            case .tooLong: return "login_error_too_long"
            case .locked, .wrongCredentials(nowLocked: true): return "login_error_locked"
            case .wrongCredentials(nowLocked: false): return "staff_login_error_invalid"
            case .inactive: return "login_error_inactive"
            }
        }
    }

    public enum Result: Sendable, Equatable {
        case signedIn(staffId: Int)
        case refused(Refusal)
    }

    public static func run(_ input: Input, passwords: any PasswordHashing, dummyHash: String,
                           in context: OperationContext) async throws -> Result {
        let db = context.database
        let email = input.email.trimmed, password = input.password
        if email.isEmpty || password.isEmpty { return .refused(.missing) }
        if email.count > InputLimits.email || password.count > InputLimits.password { return .refused(.tooLong) }
        let key = LoginThrottle.key(realm: "staff", organisation: "", username: email)
        let typed = AuditActor.anonymous(typed: String(email.prefix(200)))
        let found = try await StaffUserRecord.query(on: db).filter(\.$emailKey == LoginKey.fold(email)).first()
        switch try await PasswordCheck.run(password: password, against: found?.passwordHash, key: key, typed: typed,
                                           subject: "staff login", wrongDetails: "wrong e-mail or password",
                                           passwords: passwords, dummyHash: dummyHash, in: context) {
        case .locked: return .refused(.locked)
        case .wrong(let nowLocked): return .refused(.wrongCredentials(nowLocked: nowLocked))
        case .matches: break
        }
        guard let user = found else { return .refused(.wrongCredentials(nowLocked: false)) }
        let account = AuditActor.staff(id: user.id, name: user.name)
        let subject = "staff user \(user.id ?? 0)"
        guard user.isActive else {
            try await context.audit(.loginFailed, by: account, subject: subject, details: "account inactive", on: db)
            return .refused(.inactive)
        }
        user.lastLoginAt = context.now
        try await PasswordCheck.succeed(key: key, account: account, subject: subject, saving: user, in: context)
        return .signedIn(staffId: try user.requireID())
    }

    /// Signing out is an audit line; ending the session and its cookie is the web's.
    public static func signOut(_ actor: StaffActor, in context: OperationContext) async throws {
        try await context.audit(.logout, by: actor.auditActor, subject: "staff user \(actor.staffId)", on: context.database)
    }
}
