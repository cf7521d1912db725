import CaseportCore
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
        // Hex digits by table: `String(format:)` per byte was 1 % of a node's CPU (issue 17, `perf`).
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: Data(token.utf8)) {
            hex.append(hexDigits[Int(byte >> 4)])
            hex.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

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
        /// The count asked with the session (`find`'s `alsoCounting`); nil when none was asked.
        public let alsoCounted: Int?

        init(_ row: any SQLRow, counted: Bool = false) throws {
            userId = try row.decode(column: "user_id", as: Int.self)
            stamp = try row.decode(column: "stamp", as: Int64.self)
            alsoCounted = counted ? try row.decode(column: "also_counted", as: Int.self) : nil
        }
    }

    /// A count of visible cases to read with the session, for the user the caller expects behind the token:
    /// the portal menu's "needs your action" was a statement of its own after this one on page views
    /// (issue 17, session 30). Only a filter the kept counts answer (`VisibleCases.keptCountsAnswer`) is asked.
    public struct AlsoCount: Sendable {
        public var visibility: CaseVisibility
        public var filter: CaseFilter
        public init(visibility: CaseVisibility, filter: CaseFilter) {
            self.visibility = visibility
            self.filter = filter
        }
    }

    /// The live session behind `token`. `alsoCounting` counts the given viewer's cases in the same statement:
    /// the caller must use `Found.alsoCounted` only when `Found.userId` is the user it counted for, and the
    /// viewer's access as it was at `Found.stamp`.
    public func find(token: String, realm: SessionRealm, now: Date = Date(), alsoCounting count: AlsoCount? = nil) async throws -> Found? {
        let expression = try count.flatMap {
            VisibleCases.keptCountExpression($0.visibility, $0.filter, dialect: try database.requireSQL().dialect.name)
        }
        let columns: SQLQueryString = expression.map { ", (" + $0 + ") AS also_counted" } ?? ""
        guard let row = try await live(token: token, realm: realm, now: now, columns: columns) else { return nil }
        return try Found(row, counted: expression != nil)
    }

    /// A live staff session with its user and the number of new inquiries (the back office's inbox badge)
    /// in the same round trip: every back-office request read the session, the user (as a Fluent model)
    /// and that count in three (issue 17 point 5).
    public struct FoundStaff: Sendable {
        public let session: Found
        /// nil: the session's user no longer exists.
        public let user: StaffUserRecord?
        /// Inquiries not yet processed (`Inquiries.countNew()`).
        public let newInquiries: Int
    }

    public func findStaff(token: String, now: Date = Date()) async throws -> FoundStaff? {
        guard let row = try await live(token: token, realm: .staff, now: now, columns: """
            , u.id AS u_id, u.email AS u_email, u.email_key AS u_email_key, u.name AS u_name, u.role AS u_role,
              u.password_hash AS u_password_hash, u.is_active AS u_is_active, u.last_login_at AS u_last_login_at,
              u.created_at AS u_created_at, u.language AS u_language, u.mobile AS u_mobile,
              (SELECT COUNT(*) FROM inquiries WHERE status = \(bind: InquiryRecord.Status.new.rawValue)) AS new_inquiries
            """, join: " LEFT JOIN staff_users u ON u.id = s.user_id") else { return nil }
        var user: StaffUserRecord?
        if let id = try row.decodeOptional(column: "u_id", as: Int.self) {
            // Every field filled, as Fluent's find would (reading an unset field of a model traps).
            let record = StaffUserRecord()
            record.id = id
            record.$id.exists = true
            record.email = try row.decode(column: "u_email", as: String.self)
            record.emailKey = try row.decode(column: "u_email_key", as: String.self)
            record.name = try row.decode(column: "u_name", as: String.self)
            record.role = try row.decode(column: "u_role", as: StaffRole.self)
            record.passwordHash = try row.decode(column: "u_password_hash", as: String.self)
            record.isActive = try row.decode(column: "u_is_active", as: Bool.self)
            record.lastLoginAt = try row.decodeOptional(column: "u_last_login_at", as: Date.self)
            record.createdAt = try row.decodeOptional(column: "u_created_at", as: Date.self)
            record.language = try row.decodeOptional(column: "u_language", as: String.self)
            record.mobile = try row.decodeOptional(column: "u_mobile", as: String.self)
            user = record
        }
        return FoundStaff(session: try Found(row), user: user, newInquiries: try row.decode(column: "new_inquiries", as: Int.self))
    }

    /// The live session's row (user id, times, the change stamp, and `columns` from `join`), its expiry
    /// moved forward when due; nil when there is none.
    private func live(token: String, realm: SessionRealm, now: Date, columns: SQLQueryString = "",
                      join: SQLQueryString = "") async throws -> (any SQLRow)? {
        guard token.count <= 100 else { return nil }
        let sql = try database.requireSQL()
        let id = Self.storedId(for: token)
        let t = now.timeIntervalSince1970
        guard let row = try await sql.raw("""
            SELECT s.user_id, s.created_at, s.expires_at, (SELECT n FROM change_stamp WHERE id = 1) AS stamp\(columns)
            FROM sessions s\(join)
            WHERE s.id = \(bind: id) AND s.realm = \(bind: realm.rawValue)
              AND s.expires_at > \(bind: t) AND s.created_at > \(bind: t - limits.absolute)
            """).first() else { return nil }
        let createdAt = try row.decode(column: "created_at", as: Double.self)
        let expiresAt = try row.decode(column: "expires_at", as: Double.self)
        let next = min(t + limits.idle, createdAt + limits.absolute)
        if next - expiresAt >= limits.touchInterval {
            try await sql.raw("UPDATE sessions SET expires_at = \(bind: next) WHERE id = \(bind: id)").run()
        }
        return row
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
