import CaseportCore
import CaseportStore
import FluentKit

/// A4/A9: the one-time "set your password" link (login details, lost password). The new password must
/// meet the policy; the link works once, and using it voids the account's other set-password links.
/// Every session of the account ends, so whoever held one must sign in with the new password.
public enum SetPasswordByLink {
    public struct Input: Sendable {
        public var token: String
        public var password: String
        public var passwordConfirm: String

        public init(token: String, password: String, passwordConfirm: String) {
            self.token = token
            self.password = password
            self.passwordConfirm = passwordConfirm
        }
    }

    public enum Field: String, Hashable, Sendable {
        case password, passwordConfirm = "password_confirm"
    }

    /// The account whose password was set; `notFound` for a link that is unknown, used or expired.
    public static func run(_ input: Input, passwords: any PasswordHashing, in context: OperationContext) async throws
        -> Outcome<Int, Field> {
        let db = context.database
        let policy = try await SettingsStore(database: db).load().passwordPolicy
        var problems = Problems<Field>()
        // Unlike `NewPassword`, an empty password is a problem here: it breaks the policy.
        let broken = policy.problems(with: input.password).map(\.rawValue)
        if !broken.isEmpty { problems.add(.password, all: broken) }
        else if input.password != input.passwordConfirm { problems.add(.passwordConfirm, "password_mismatch") }
        guard problems.isEmpty else { return .problems(problems) }

        // Hashed before the transaction: bcrypt is slow, and a write transaction should not wait on it.
        let hash = try await passwords.hash(input.password)
        let now = context.now
        let userId = try await db.transaction { tx -> Int in
            guard let userId = try await AccountTokens(database: tx).redeem(token: input.token, purpose: "set_password", now: now),
                  let user = try await PortalUserRecord.find(userId, on: tx) else { throw OperationError.notFound }
            user.passwordHash = hash
            try await user.update(on: tx)
            return userId
        }
        try await Sessions(database: db).endAll(realm: .portal, userId: userId)
        return .done(userId)
    }
}
