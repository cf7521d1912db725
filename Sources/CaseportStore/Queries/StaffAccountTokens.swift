import FluentKit
import Foundation
import SQLKit

/// One-time "set your password" links for staff accounts (D1), kept apart from the portal's
/// `account_tokens` (whose rows point at portal users). Only a hash of the token is stored.
public final class StaffAccountTokenRecord: Model, @unchecked Sendable {
    public static let schema = "staff_account_tokens"
    @ID(custom: "id", generatedBy: .user) public var id: String?
    @Field(key: "staff_user_id") public var staffUserId: Int
    @Field(key: "expires_at") public var expiresAt: Double
    @OptionalField(key: "used_at") public var usedAt: Double?
    public init() {}
}

public struct StaffAccountTokens: Sendable {
    public static let lifetime: TimeInterval = 7 * 24 * 3_600
    let database: any Database
    public init(database: any Database) { self.database = database }

    public func issue(staffUserId: Int, now: Date = Date()) async throws -> String {
        let token = Sessions.newToken()
        let record = StaffAccountTokenRecord()
        record.id = Sessions.storedId(for: token)
        record.staffUserId = staffUserId
        record.expiresAt = now.addingTimeInterval(Self.lifetime).timeIntervalSince1970
        try await record.create(on: database)
        return token
    }

    private func valid(_ token: String, now: Date, on db: any Database) async throws -> StaffAccountTokenRecord? {
        guard token.count <= 100 else { return nil }
        return try await StaffAccountTokenRecord.query(on: db).filter(\.$id == Sessions.storedId(for: token))
            .filter(\.$usedAt == nil).filter(\.$expiresAt > now.timeIntervalSince1970).first()
    }

    /// Voids every outstanding link of one staff account (its password was set another way).
    public func voidAll(staffUserId: Int, now: Date = Date()) async throws {
        try await database.requireSQL().raw("""
            UPDATE staff_account_tokens SET used_at = \(bind: now.timeIntervalSince1970)
            WHERE staff_user_id = \(bind: staffUserId) AND used_at IS NULL
            """).run()
    }

    public func isValid(token: String, now: Date = Date()) async throws -> Bool {
        try await valid(token, now: now, on: database) != nil
    }

    /// The staff user's id when the token is valid; the token is used up by one conditional UPDATE
    /// and every other outstanding link of that account is voided with it.
    public func redeem(token: String, now: Date = Date()) async throws -> Int? {
        guard token.count <= 100 else { return nil }
        let t = now.timeIntervalSince1970
        return try await database.transaction { tx in
            let sql = try tx.requireSQL()
            guard let row = try await sql.raw("""
                UPDATE staff_account_tokens SET used_at = \(bind: t)
                WHERE id = \(bind: Sessions.storedId(for: token)) AND used_at IS NULL AND expires_at > \(bind: t)
                RETURNING staff_user_id
                """).first() else { return nil }
            let id = try row.decode(column: "staff_user_id", as: Int.self)
            try await StaffAccountTokens(database: tx).voidAll(staffUserId: id, now: now)
            return id
        }
    }
}
