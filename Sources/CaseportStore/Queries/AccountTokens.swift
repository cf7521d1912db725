import Crypto
import FluentKit
import Foundation

/// One-time links for portal accounts (activate a registration, set a password). Only a hash of the
/// token is stored; a token works once and until it expires.
public struct AccountTokens: Sendable {
    let database: any Database
    public init(database: any Database) { self.database = database }

    public func issue(userId: Int, purpose: String, lifetime: TimeInterval, now: Date = Date()) async throws -> String {
        let token = Sessions.newToken()
        let record = AccountTokenRecord()
        record.id = Sessions.storedId(for: token)
        record.userId = userId
        record.purpose = purpose
        record.expiresAt = now.addingTimeInterval(lifetime).timeIntervalSince1970
        try await record.create(on: database)
        return token
    }

    /// The user id when the token is valid for this purpose; the token is used up.
    public func redeem(token: String, purpose: String, now: Date = Date()) async throws -> Int? {
        guard token.count <= 100 else { return nil }
        return try await database.transaction { tx in
            guard let record = try await AccountTokenRecord.query(on: tx)
                .filter(\.$id == Sessions.storedId(for: token)).filter(\.$purpose == purpose)
                .filter(\.$usedAt == nil).filter(\.$expiresAt > now.timeIntervalSince1970).first() else { return nil }
            record.usedAt = now.timeIntervalSince1970
            try await record.update(on: tx)
            return record.userId
        }
    }

    /// Whether the token is valid, without using it (to show the form it opens).
    public func isValid(token: String, purpose: String, now: Date = Date()) async throws -> Bool {
        guard token.count <= 100 else { return false }
        return try await AccountTokenRecord.query(on: database)
            .filter(\.$id == Sessions.storedId(for: token)).filter(\.$purpose == purpose)
            .filter(\.$usedAt == nil).filter(\.$expiresAt > now.timeIntervalSince1970).first() != nil
    }
}
