import CaseportCore
import CaseportStore
import FluentKit

/// A2: five failed logins lock a portal account; staff unlock it. The lock is counted per account,
/// and formerly per typed organisation (name, short code or customer number) + username, so
/// unlocking clears all of them.
public enum UnlockPortalUser {
    public static func run(userId: Int, by actor: StaffActor, in context: OperationContext) async throws {
        let db = context.database
        guard let user = try await PortalUserRecord.find(userId, on: db),
              let organisation = try await CustomerRecord.find(user.organisationId, on: db) else { throw OperationError.notFound }
        try await db.transaction { tx in
            let attempts = LoginAttempts(database: tx)
            for key in lockKeys(for: user, organisation: organisation) { try await attempts.clear(key: key) }
            try await context.audit(.accountUnlocked, by: actor.auditActor,
                                    subject: "portal user \(userId) \(organisation.customerNumber)/\(user.username)", on: tx)
        }
    }

    /// Whether any of the account's counters is at the lock (the staff page shows an unlock button).
    public static func isLocked(_ user: PortalUserRecord, organisation: CustomerRecord, on db: any Database) async throws -> Bool {
        let attempts = LoginAttempts(database: db)
        for key in lockKeys(for: user, organisation: organisation) where try await attempts.isLocked(key: key) { return true }
        return false
    }

    /// The account's own counter (A2), plus the typed keys counters were kept under before.
    public static func lockKeys(for user: PortalUserRecord, organisation: CustomerRecord) -> [String] {
        [PortalAccounts.accountKey(organisationId: user.organisationId, username: user.username)]
            + Set([organisation.name, organisation.shortCode, organisation.customerNumber]).map {
                LoginThrottle.key(realm: "portal", organisation: $0, username: user.username)
            }
    }
}
