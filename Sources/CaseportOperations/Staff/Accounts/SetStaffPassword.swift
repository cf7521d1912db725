import CaseportCore
import CaseportStore
import FluentKit

/// D1: a staff member chooses a password through the one-time link an administrator sent. The link
/// works once and for seven days; using it ends the account's sessions and is an audit line (E5) in
/// the account's own name.
public enum SetStaffPassword {
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

    /// - Throws: `OperationError.notFound` when the link is unknown, used or expired.
    public static func run(_ input: Input, passwords: any PasswordHashing, in context: OperationContext) async throws -> Outcome<Int, Field> {
        let db = context.database
        var problems = Problems<Field>()
        // An empty password breaks the length rule, so it is checked like any other.
        let policy = try await SettingsStore(database: db).load().passwordPolicy
        let broken = policy.problems(with: input.password)
        if !broken.isEmpty { problems.add(.password, all: broken.map(\.rawValue)) }
        else if input.password != input.passwordConfirm { problems.add(.passwordConfirm, "password_mismatch") }
        guard problems.isEmpty else { return .problems(problems) }
        let hash = try await passwords.hash(input.password)
        guard let id = try await StaffAccountTokens(database: db).redeem(token: input.token),
              let user = try await StaffUserRecord.find(id, on: db) else { throw OperationError.notFound }
        try await db.transaction { tx in
            user.passwordHash = hash
            try await user.update(on: tx)
            try await context.audit(.accessChanged, by: .staff(id: id, name: user.name), subject: "staff user \(id) \(user.email)",
                                    details: "password chosen with a set-password link", on: tx)
        }
        try await Sessions(database: db).endAll(realm: .staff, userId: id)
        return .done(id)
    }
}
