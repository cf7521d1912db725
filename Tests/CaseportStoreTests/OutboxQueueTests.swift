@testable import CaseportStore
import FluentKit
import SQLKit
import XCTest

/// The outbox queue (E1): a row is claimed by one worker at a time, oldest first, for a lease; a
/// failure backs off, then gives up; an admin retry starts it afresh.
final class OutboxQueueTests: StoreTestCase {
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    func testClaimTakesDueRowsOfTheChannelOldestFirstAndNotTwice() async throws {
        let first = try await make.outbox("a@example.org")
        let second = try await make.outbox("b@example.org")
        let sms = try await make.outbox("+46701234567", channel: .sms)
        let third = try await make.outbox("c@example.org")
        let queue = OutboxQueue(database: db)
        let claimed = try await queue.claim(channels: ["email"], limit: 2, lease: 60, now: now)
        XCTAssertEqual(claimed.map(\.id), [first.id!, second.id!], "oldest first, at most the limit")
        XCTAssertEqual(claimed.map(\.attempts), [1, 1])
        let again = try await queue.claim(channels: ["email"], limit: 10, lease: 60, now: now)
        XCTAssertEqual(again.map(\.id), [third.id!], "a claimed row is not handed out again while its lease runs")
        let texts = try await queue.claim(channels: ["sms"], limit: 10, lease: 60, now: now)
        XCTAssertEqual(texts.map(\.recipient), ["+46701234567"])
        XCTAssertEqual(texts.first?.id, sms.id)
        let none = try await queue.claim(channels: [], limit: 10, lease: 60, now: now)
        XCTAssertEqual(none, [])
        let counts = try await queue.counts()
        XCTAssertEqual(counts, ["sending": 4])
    }

    /// M054: a claim reads the waiting mails' index, not the outbox's history. Two thousand mails wait (on
    /// PostgreSQL the statistics are taken then), are given up, and three new ones wait: the claim takes those
    /// three, oldest first, and both databases plan it along `outbox_waiting` (PostgreSQL walked every row by
    /// id with such statistics; SQLite gathered and sorted every waiting row).
    func testAClaimReadsTheWaitingMailsIndexWhateverTheHistory() async throws {
        let sql = try db.requireSQL()
        let dialect = sql.dialect.name
        let template = try await make.outbox("old@example.org")
        let series: SQLQueryString = dialect == "postgresql"
            ? "SELECT generate_series(1, 2000) AS n"
            : "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 2000) SELECT n FROM s"
        try await sql.raw("""
            INSERT INTO outbox (channel, kind, recipient, language, subject, body, status, attempts, created_at, next_attempt_at)
            SELECT o.channel, o.kind, o.recipient, o.language, o.subject, o.body, 'pending', 0, o.created_at, 0
            FROM outbox o CROSS JOIN (\(series)) s WHERE o.id = \(bind: template.id!)
            """).run()
        if dialect == "postgresql" { try await sql.raw("ANALYZE outbox").run() }
        try await sql.raw("UPDATE outbox SET status = 'failed' WHERE status = 'pending'").run()
        let waiting = [try await make.outbox("a@example.org"), try await make.outbox("b@example.org"),
                       try await make.outbox("c@example.org")]

        let due = OutboxQueue.dueRows(channels: ["email"], limit: 25, now: now.timeIntervalSince1970, dialect: dialect)
        let plan = try await sql.raw(dialect == "postgresql" ? "EXPLAIN \(due)" : "EXPLAIN QUERY PLAN \(due)").all()
            .map { row in try row.allColumns.compactMap { try row.decodeOptional(column: $0, as: String.self) }.joined(separator: " ") }
            .joined(separator: "\n")
        XCTAssertTrue(plan.contains(M054_OutboxWaitingIndex.index), plan)
        let claimed = try await OutboxQueue(database: db).claim(channels: ["email"], limit: 25, lease: 60, now: now)
        XCTAssertEqual(claimed.map(\.id), waiting.map(\.id!))
    }

    func testAnExpiredLeaseMakesTheRowDueAgain() async throws {
        let row = try await make.outbox("a@example.org")
        let queue = OutboxQueue(database: db)
        _ = try await queue.claim(channels: ["email"], limit: 1, lease: 60, now: now)
        let during = try await queue.claim(channels: ["email"], limit: 1, lease: 60, now: now.addingTimeInterval(59))
        XCTAssertEqual(during, [])
        let after = try await queue.claim(channels: ["email"], limit: 1, lease: 60, now: now.addingTimeInterval(61))
        XCTAssertEqual(after.map(\.id), [row.id!], "a worker killed mid-delivery does not lose the row")
        XCTAssertEqual(after.first?.attempts, 2)
        try await queue.markSent(id: row.id!, now: now.addingTimeInterval(62))
        let later = try await queue.claim(channels: ["email"], limit: 1, lease: 60, now: now.addingTimeInterval(3_600))
        XCTAssertEqual(later, [], "a sent row is never claimed again")
        let counts = try await queue.counts()
        XCTAssertEqual(counts, ["sent": 1])
    }

    func testAFailureBacksOffThenGivesUpAndRetryStartsAfresh() async throws {
        let row = try await make.outbox("a@example.org")
        let queue = OutboxQueue(database: db)
        let claimed = try await queue.claim(channels: ["email"], limit: 1, lease: 60, now: now)
        try await queue.markFailed(claimed[0], error: "421 try later", permanent: false, maxAttempts: 2, now: now)
        let early = try await queue.claim(channels: ["email"], limit: 1, lease: 60, now: now.addingTimeInterval(29))
        XCTAssertEqual(early, [], "not due before the 30 s backoff")
        let retried = try await queue.claim(channels: ["email"], limit: 1, lease: 60, now: now.addingTimeInterval(31))
        XCTAssertEqual(retried.first?.attempts, 2)
        try await queue.markFailed(retried[0], error: "421 try later", permanent: false, maxAttempts: 2, now: now.addingTimeInterval(31))
        var stored = try await OutboxRecord.find(row.id, on: db)
        XCTAssertEqual(stored?.status, "failed", "given up after the last attempt")
        XCTAssertEqual(stored?.lastError, "421 try later")
        let undelivered = try await queue.undelivered()
        XCTAssertEqual(undelivered.map(\.id), [row.id])

        let retry = try await queue.retry(id: row.id!)
        XCTAssertTrue(retry)
        stored = try await OutboxRecord.find(row.id, on: db)
        XCTAssertEqual(stored?.status, "pending")
        XCTAssertEqual(stored?.attempts, 0)
        let fresh = try await queue.claim(channels: ["email"], limit: 1, lease: 60, now: now.addingTimeInterval(32))
        try await queue.markFailed(fresh[0], error: "550 no such user", permanent: true, maxAttempts: 5, now: now)
        stored = try await OutboxRecord.find(row.id, on: db)
        XCTAssertEqual(stored?.status, "failed", "a permanent failure gives up at once")

        try await queue.retry(id: row.id!)
        let claimedAgain = try await queue.claim(channels: ["email"], limit: 1, lease: 60, now: now)
        try await queue.markSent(id: claimedAgain[0].id, now: now)
        let retrySent = try await queue.retry(id: row.id!)
        XCTAssertFalse(retrySent, "a sent row is not put back in line")
    }

    func testBackoffDoublesUpToAnHour() {
        XCTAssertEqual(OutboxQueue.backoff(afterAttempt: 1), 30)
        XCTAssertEqual(OutboxQueue.backoff(afterAttempt: 2), 60)
        XCTAssertEqual(OutboxQueue.backoff(afterAttempt: 3), 120)
        XCTAssertEqual(OutboxQueue.backoff(afterAttempt: 20), 3_600)
    }

    func testUndeliveredListsFailedBeforeWaitingAndLeavesSentOut() async throws {
        let waiting = try await make.outbox("a@example.org")
        let failing = try await make.outbox("b@example.org")
        let sent = try await make.outbox("c@example.org")
        let queue = OutboxQueue(database: db)
        let claimed = try await queue.claim(channels: ["email"], limit: 3, lease: 60, now: now)
        try await queue.markFailed(claimed[1], error: "550", permanent: true, maxAttempts: 5, now: now)
        try await queue.markSent(id: sent.id!, now: now)
        let retriedWhileSending = try await queue.retry(id: waiting.id!)
        XCTAssertFalse(retriedWhileSending, "a row a worker holds is not put back in line")
        let list = try await queue.undelivered()
        XCTAssertEqual(list.map(\.id), [failing.id, waiting.id])
        XCTAssertEqual(list.map(\.status), ["failed", "sending"])
        let limited = try await queue.undelivered(limit: 1)
        XCTAssertEqual(limited.map(\.id), [failing.id])
    }
}
