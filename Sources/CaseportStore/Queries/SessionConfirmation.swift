import CaseportCore
import SQLKit
import Foundation

extension Sessions {
    /// A session taken on trust for one page view, to be confirmed by the page's own first statement
    /// instead of a statement of its own (issue 17, session 33: on PostgreSQL a statement costs about
    /// 0.3 ms of the machine whatever it reads, and the session's was one of three or four a page).
    ///
    /// The server trusts only what it read before: the user the token's session belonged to and that
    /// user's access at a change stamp (`expectedUserId`, `expectedStamp`). The page's statement reads the
    /// session's user (under `find`'s conditions, and only while its expiry need not be pushed forward) and
    /// the stamp as two more columns (`columns(dialect:)`); the page is shown only when they are that user
    /// and that stamp (`outcome(of:)`). Anything else, and the page is thrown away and asked again the usual
    /// way; a statement that returned no row leaves the session to be read apart (`Outcome.noRow`).
    public struct Confirmation: Sendable {
        public let storedId: String
        public let realm: SessionRealm
        public let expectedUserId: Int
        public let expectedStamp: Int64
        /// A count to read with it, as `find`'s `alsoCounting` (for the expected user's access).
        public let alsoCounting: AlsoCount?
        let now: TimeInterval
        let limits: SessionLimits

        public enum Outcome: Sendable, Equatable {
            case confirmed(alsoCounted: Int?)
            case notConfirmed
            /// The statement returned no row to read the session from (an empty page): ask it apart.
            case noRow
        }
    }

    /// The confirmation to fold into a page's statement; nil for a token no session can have.
    public func confirmation(token: String, realm: SessionRealm, expectedUserId: Int, expectedStamp: Int64,
                             alsoCounting: AlsoCount? = nil, now: Date = Date()) -> Confirmation? {
        guard token.count <= 100 else { return nil }
        return Confirmation(storedId: Self.storedId(for: token), realm: realm, expectedUserId: expectedUserId,
                            expectedStamp: expectedStamp, alsoCounting: alsoCounting,
                            now: now.timeIntervalSince1970, limits: limits)
    }
}

extension Sessions.Confirmation {
    /// The columns `outcome(of:)` reads, to append to the select list of a page's statement. Each is a scalar
    /// subquery that names nothing of the statement's own tables, so PostgreSQL runs it once (an InitPlan)
    /// and SQLite once (`Once`), however many rows the statement returns. The session is asked under
    /// `Sessions.find`'s conditions and one more: that its expiry need not be moved forward
    /// (`min(now + idle, created + absolute) - expires < touchInterval`, written as an OR of the two).
    public func columns(dialect: String) -> SQLQueryString {
        let count = alsoCounting.flatMap { VisibleCases.keptCountExpression($0.visibility, $0.filter, dialect: dialect) }
        let counted: SQLQueryString = count.map { ", (" + $0 + ") AS fs_also_counted" } ?? ""
        return """
            , (SELECT fs.user_id FROM sessions fs WHERE fs.id = \(bind: storedId) AND fs.realm = \(bind: realm.rawValue)
                  AND fs.expires_at > \(bind: now) AND fs.created_at > \(bind: now - limits.absolute)
                  AND (fs.expires_at > fs.created_at + \(bind: limits.absolute - limits.touchInterval)
                       OR fs.expires_at > \(bind: now + limits.idle - limits.touchInterval))) AS fs_user_id,
              (SELECT n FROM change_stamp WHERE id = 1) AS fs_stamp
            """ + counted
    }

    /// Whether a row of the statement confirms the session as trusted: the same user and the same stamp.
    /// (No session, an ended or expired one, or one whose expiry is due to move: no user. Moving it is
    /// `find`'s write, so such a view goes the usual way, once a minute at most.)
    public func outcome(of row: any SQLRow) throws -> Outcome {
        guard let userId = try row.decodeOptional(column: "fs_user_id", as: Int.self), userId == expectedUserId,
              try row.decode(column: "fs_stamp", as: Int64.self) == expectedStamp
        else { return .notConfirmed }
        let counted = alsoCounting == nil ? nil : try row.decodeOptional(column: "fs_also_counted", as: Int.self)
        return .confirmed(alsoCounted: counted)
    }

    /// The outcome of a statement's rows: none (an empty page) is `.noRow`.
    public func outcome(of rows: [any SQLRow]) throws -> Outcome {
        guard let first = rows.first else { return .noRow }
        return try outcome(of: first)
    }
}
