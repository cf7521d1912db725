import Crypto
import FluentKit
import SQLKit
import Foundation

/// Which part of Caseport a session belongs to.
public enum SessionRealm: String, Sendable {
    case portal
    case staff
}

/// Database-backed sessions. The browser holds a random token; the table holds its SHA-256.
public struct Sessions: Sendable {
    let database: any Database
    public static let lifetime: TimeInterval = 12 * 60 * 60

    public init(database: any Database) {
        self.database = database
    }

    /// A fresh 256-bit token, URL-safe.
    public static func newToken() -> String {
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func storedId(for token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Starts a session and returns the token for the cookie.
    public func start(realm: SessionRealm, userId: Int, now: Date = Date()) async throws -> String {
        let token = Self.newToken()
        let record = SessionRecord(id: Self.storedId(for: token), realm: realm.rawValue, userId: userId,
                                   createdAt: now.timeIntervalSince1970,
                                   expiresAt: now.addingTimeInterval(Self.lifetime).timeIntervalSince1970)
        try await record.create(on: database)
        return token
    }

    /// The user id behind a token, when the session exists, is of this realm and has not expired.
    public func userId(token: String, realm: SessionRealm, now: Date = Date()) async throws -> Int? {
        try await find(token: token, realm: realm, now: now)?.userId
    }

    /// A live session's user and the database's change stamp (M014), in one round trip: what every
    /// signed-in page view asks first.
    public struct Found: Sendable {
        public let userId: Int
        public let stamp: Int64
    }

    public func find(token: String, realm: SessionRealm, now: Date = Date()) async throws -> Found? {
        guard token.count <= 100 else { return nil }
        let sql = try database.requireSQL()
        guard let row = try await sql.raw("""
            SELECT s.user_id, (SELECT n FROM change_stamp WHERE id = 1) AS stamp FROM sessions s
            WHERE s.id = \(bind: Self.storedId(for: token)) AND s.realm = \(bind: realm.rawValue)
              AND s.expires_at > \(bind: now.timeIntervalSince1970)
            """).first() else { return nil }
        return Found(userId: try row.decode(column: "user_id", as: Int.self),
                     stamp: try row.decode(column: "stamp", as: Int64.self))
    }

    public func end(token: String) async throws {
        try await SessionRecord.query(on: database).filter(\.$id == Self.storedId(for: token)).delete()
    }

    /// Ends every session of one user (deactivation, password change).
    public func endAll(realm: SessionRealm, userId: Int) async throws {
        try await SessionRecord.query(on: database)
            .filter(\.$realm == realm.rawValue).filter(\.$userId == userId).delete()
    }

    public func deleteExpired(now: Date = Date()) async throws {
        try await SessionRecord.query(on: database).filter(\.$expiresAt <= now.timeIntervalSince1970).delete()
    }
}
