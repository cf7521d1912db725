import CaseportCore
import CaseportStore
import FluentKit

/// The part of signing in that the portal and the back office share (A2, E5): the attempt is counted
/// (and committed) before the password is checked, so parallel guesses cannot outrun the lock; a locked
/// key still costs the same bcrypt work; a wrong password is an audit line under what was typed, and
/// the failure that locks the key a second one.
enum PasswordCheck {
    enum Result: Equatable {
        case locked
        case wrong(nowLocked: Bool)
        case matches
    }

    /// `hash` is the account's, or nil when no account matched what was typed (the dummy hash is checked
    /// instead, so timing tells nothing).
    static func run(password: String, against hash: String?, key: String, typed: AuditActor, subject: String,
                    wrongDetails: String, passwords: any PasswordHashing, dummyHash: String,
                    in context: OperationContext) async throws -> Result {
        let db = context.database
        let attempt = try await LoginAttempts(database: db).count(key: key, now: context.now)
        guard attempt.mayProceed else {
            _ = try await passwords.verify(password, against: dummyHash)
            try await context.audit(.loginFailed, by: typed, subject: subject, details: "locked", on: db)
            return .locked
        }
        let matches = try await passwords.verify(password, against: hash ?? dummyHash)
        guard hash != nil, matches else {
            let nowLocked = attempt.isLast
            try await db.transaction { tx in
                try await context.audit(.loginFailed, by: typed, subject: subject, details: wrongDetails, on: tx)
                if nowLocked {
                    try await context.audit(.accountLocked, by: typed, subject: subject,
                                            details: "\(LoginThrottle().maximumFailures) failures", on: tx)
                }
            }
            return .wrong(nowLocked: nowLocked)
        }
        return .matches
    }

    /// A successful sign-in: the key's counter cleared, the audit line, the account's last login saved.
    static func succeed(key: String, account: AuditActor, subject: String, saving record: any Model,
                        in context: OperationContext) async throws {
        try await context.database.transaction { tx in
            try await LoginAttempts(database: tx).clear(key: key)
            try await context.audit(.loginSucceeded, by: account, subject: subject, on: tx)
            try await record.save(on: tx)
        }
    }
}
