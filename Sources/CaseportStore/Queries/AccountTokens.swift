import Crypto
import FluentKit
import Foundation
import SQLKit

/// One-time links for portal accounts (activate a registration, set a password). Only a hash of the
/// token is stored; a token works once and until it expires. Using one voids every other outstanding
/// link of the same account and purpose, so an older reset link found later in a mailbox is dead.
public struct AccountTokens: Sendable {
    let database: any Database
    public init(database: any Database) { self.database = database }

    public func issue(userId: Int, purpose: String, lifetime: TimeInterval, email: String? = nil,
                      now: Date = Date()) async throws -> String {
        let token = Sessions.newToken()
        let record = AccountTokenRecord()
        record.id = Sessions.storedId(for: token)
        record.userId = userId
        record.purpose = purpose
        record.email = email
        record.expiresAt = now.addingTimeInterval(lifetime).timeIntervalSince1970
        try await record.create(on: database)
        return token
    }

    public struct Redeemed: Sendable {
        public let userId: Int
        /// The address the link was sent to, where it was recorded.
        public let email: String?
    }

    /// The account when the token is valid for this purpose. The token is claimed by one conditional
    /// UPDATE (so two simultaneous uses cannot both succeed) and the account's other links are voided.
    public func use(token: String, purpose: String, now: Date = Date()) async throws -> Redeemed? {
        guard token.count <= 100 else { return nil }
        let t = now.timeIntervalSince1970
        return try await database.transaction { tx in
            let sql = try tx.requireSQL()
            guard let row = try await sql.raw("""
                UPDATE account_tokens SET used_at = \(bind: t)
                WHERE id = \(bind: Sessions.storedId(for: token)) AND purpose = \(bind: purpose)
                  AND used_at IS NULL AND expires_at > \(bind: t)
                RETURNING user_id, email
                """).first() else { return nil }
            let userId = try row.decode(column: "user_id", as: Int.self)
            try await AccountTokens(database: tx).voidAll(userId: userId, purpose: purpose, now: now)
            return Redeemed(userId: userId, email: try row.decodeOptional(column: "email", as: String.self))
        }
    }

    /// The user id when the token is valid for this purpose; the token is used up.
    public func redeem(token: String, purpose: String, now: Date = Date()) async throws -> Int? {
        try await use(token: token, purpose: purpose, now: now)?.userId
    }

    /// Voids every outstanding link of one account and purpose (its password changed another way).
    public func voidAll(userId: Int, purpose: String, now: Date = Date()) async throws {
        try await database.requireSQL().raw("""
            UPDATE account_tokens SET used_at = \(bind: now.timeIntervalSince1970)
            WHERE user_id = \(bind: userId) AND purpose = \(bind: purpose) AND used_at IS NULL
            """).run()
    }

    /// Whether the token is valid, without using it (to show the form it opens).
    public func isValid(token: String, purpose: String, now: Date = Date()) async throws -> Bool {
        guard token.count <= 100 else { return false }
        return try await AccountTokenRecord.query(on: database)
            .filter(\.$id == Sessions.storedId(for: token)).filter(\.$purpose == purpose)
            .filter(\.$usedAt == nil).filter(\.$expiresAt > now.timeIntervalSince1970).first() != nil
    }
}
