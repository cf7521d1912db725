import Crypto
import FluentKit
import SQLKit
import Foundation

/// Which part of Caseport a session belongs to.
public enum SessionRealm: String, Sendable {
    case portal
    case staff
}

/// How long a session lives: it ends after `idle` without a request, and at the latest `absolute`
/// after login, however busy it is.
public struct SessionLimits: Sendable, Equatable {
    public var idle: TimeInterval
    public var absolute: TimeInterval
    /// A session's expiry is pushed forward at most this often, so a page view rarely writes.
    public var touchInterval: TimeInterval

    public init(idle: TimeInterval = 8 * 3_600, absolute: TimeInterval = 30 * 24 * 3_600, touchInterval: TimeInterval = 60) {
        self.idle = idle
        self.absolute = absolute
        self.touchInterval = touchInterval
    }

    public static let standard = SessionLimits()
}

/// Database-backed sessions. The browser holds a random token; the table holds its SHA-256.
///
/// `expires_at` is the idle deadline: last seen + idle, capped at created + absolute. Reading a
/// session moves it forward when it is more than `touchInterval` old. `sessions` is not among the
/// change-stamp tables (M014), so this write never makes servers drop what they keep.
public struct Sessions: Sendable {
    let database: any Database
    let limits: SessionLimits

    public init(database: any Database, limits: SessionLimits = .standard) {
        self.database = database
        self.limits = limits
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
                                   expiresAt: now.addingTimeInterval(min(limits.idle, limits.absolute)).timeIntervalSince1970)
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
        let id = Self.storedId(for: token)
        let t = now.timeIntervalSince1970
        guard let row = try await sql.raw("""
            SELECT s.user_id, s.created_at, s.expires_at, (SELECT n FROM change_stamp WHERE id = 1) AS stamp FROM sessions s
            WHERE s.id = \(bind: id) AND s.realm = \(bind: realm.rawValue)
              AND s.expires_at > \(bind: t) AND s.created_at > \(bind: t - limits.absolute)
            """).first() else { return nil }
        let createdAt = try row.decode(column: "created_at", as: Double.self)
        let expiresAt = try row.decode(column: "expires_at", as: Double.self)
        let next = min(t + limits.idle, createdAt + limits.absolute)
        if next - expiresAt >= limits.touchInterval {
            try await sql.raw("UPDATE sessions SET expires_at = \(bind: next) WHERE id = \(bind: id)").run()
        }
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
