import FluentKit
import Foundation
import SQLKit

/// Hands due outbox rows to delivery workers (E1), so that each row is worked on by one worker at a time
/// however many servers run: a claim is one `UPDATE … RETURNING` that sets `status = 'sending'` and a
/// lease (`claimed_until`). On PostgreSQL the rows are picked with `FOR UPDATE SKIP LOCKED`, so two
/// workers never wait for or take the same row; SQLite runs one writer at a time, so the single
/// statement is already atomic. A worker killed mid-delivery leaves its rows `sending`; once the lease
/// has passed they are due again (delivery is therefore at least once, and every mail carries a
/// Message-ID fixed by its row so that a repeat can be recognised).
public struct OutboxQueue: Sendable {
    let database: any Database
    public init(database: any Database) { self.database = database }

    public struct Claimed: Decodable, Sendable, Equatable {
        public var id: Int
        public var channel: String
        public var kind: String
        public var recipient: String
        public var language: String
        public var subject: String
        public var body: String
        public var case_id: Int?
        public var attempts: Int
        public var caseId: Int? { case_id }
    }

    /// Claims up to `limit` due rows of the given channels, oldest first, for `lease` seconds.
    public func claim(channels: [String], limit: Int, lease: TimeInterval, now: Date = Date()) async throws -> [Claimed] {
        guard !channels.isEmpty, limit > 0 else { return [] }
        let sql = try database.requireSQL()
        let nowSeconds = now.timeIntervalSince1970
        return try await sql.raw("""
            UPDATE outbox SET status = 'sending', claimed_until = \(bind: nowSeconds + lease), attempts = attempts + 1
            WHERE id IN (\(Self.dueRows(channels: channels, limit: limit, now: nowSeconds, dialect: sql.dialect.name)))
            RETURNING id, channel, kind, recipient, language, subject, body, case_id, attempts
            """).all(decoding: Claimed.self).sorted { $0.id < $1.id }
    }

    /// The claim's choice of rows: along M054's index of the waiting mails (`status IN (…)` written out so that
    /// both databases see that the index holds every row the query can want), in id order, so that a claim
    /// reads about its batch whatever the outbox's history or its statistics say. SQLite is told the index
    /// (`INDEXED BY`): it preferred gathering and sorting every waiting row. On PostgreSQL the rows are locked
    /// and skipped when another worker holds them.
    static func dueRows(channels: [String], limit: Int, now: Double, dialect: String) -> SQLQueryString {
        let channelList = channels.map { "\(bind: $0)" as SQLQueryString }.joined(separator: ", ")
        let postgres = dialect == "postgresql"
        let index: SQLQueryString = postgres ? "" : " INDEXED BY \(unsafeRaw: M054_OutboxWaitingIndex.index)"
        let lock: SQLQueryString = postgres ? " FOR UPDATE SKIP LOCKED" : ""
        return """
            SELECT id FROM outbox\(index)
            WHERE status IN ('pending', 'sending') AND channel IN (\(channelList))
              AND ((status = 'pending' AND next_attempt_at <= \(bind: now)) OR (status = 'sending' AND claimed_until < \(bind: now)))
            ORDER BY id LIMIT \(literal: limit)\(lock)
            """
    }

    public func markSent(id: Int, now: Date = Date()) async throws {
        try await database.requireSQL().raw("""
            UPDATE outbox SET status = 'sent', sent_at = \(bind: now.timeIntervalSince1970), claimed_until = NULL
            WHERE id = \(bind: id)
            """).run()
    }

    /// Records a failed attempt: the row is due again after a backoff that doubles with each attempt,
    /// or is marked failed when `permanent` or after `maxAttempts`.
    public func markFailed(_ row: Claimed, error: String, permanent: Bool, maxAttempts: Int, now: Date = Date()) async throws {
        let giveUp = permanent || row.attempts >= maxAttempts
        let next = now.timeIntervalSince1970 + Self.backoff(afterAttempt: row.attempts)
        try await database.requireSQL().raw("""
            UPDATE outbox SET status = \(bind: giveUp ? "failed" : "pending"), next_attempt_at = \(bind: next),
                   claimed_until = NULL, last_error = \(bind: String(error.prefix(1_000)))
            WHERE id = \(bind: row.id)
            """).run()
    }

    /// 30 s, 1 min, 2 min, … at most 1 hour.
    public static func backoff(afterAttempt attempt: Int) -> TimeInterval {
        min(30 * pow(2, Double(max(attempt, 1) - 1)), 3_600)
    }

    /// Puts a failed (or waiting) row back in line now, with a fresh count of attempts (admin "retry").
    @discardableResult
    public func retry(id: Int) async throws -> Bool {
        let rows = try await database.requireSQL().raw("""
            UPDATE outbox SET status = 'pending', next_attempt_at = 0, attempts = 0, claimed_until = NULL
            WHERE id = \(bind: id) AND status IN ('failed', 'pending') RETURNING id
            """).all()
        return !rows.isEmpty
    }

    /// Rows not yet sent (pending, sending, failed), failed first then oldest, for the admin page.
    public func undelivered(limit: Int = 200) async throws -> [OutboxRecord] {
        try await OutboxRecord.query(on: database).filter(\.$status != "sent")
            .sort(\.$status).sort(\.$id).limit(limit).all()
    }

    public func counts() async throws -> [String: Int] {
        struct Row: Decodable { var status: String; var n: Int }
        let rows = try await database.requireSQL().raw("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")
            .all(decoding: Row.self)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.status, $0.n) })
    }
}
