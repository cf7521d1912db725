import CaseportCore
import FluentKit
import Foundation
import SQLKit

/// The customer's approval of a resolved case (B6), and the scheduled steps when no answer comes: a
/// reminder after a set time, then closing as approved 24 hours later. Every change writes a case event;
/// the customer's answer is also a message on the case, so both sides see it in the conversation.
public struct CaseApproval: Sendable {
    let database: any Database
    public init(database: any Database) { self.database = database }

    public static let graceAfterReminder: TimeInterval = 24 * 3_600

    public enum Failure: Error { case notAwaitingApproval }

    /// "Approved": the case closes.
    public func approve(caseId: Int, author: CaseConversation.Author, message: String, at now: Date = Date()) async throws {
        try await database.transaction { tx in
            let record = try await Self.awaiting(caseId, on: tx)
            _ = try await CaseConversation.insert(caseId: caseId, author: author, body: message, isInternal: false, at: now, on: tx)
            try await Self.move(record, to: .closed, actor: author.eventActor, event: .approved, at: now, on: tx)
        }
    }

    /// "Not OK" with a comment: the case is reopened and the comment becomes a message for the handler.
    public func reject(caseId: Int, author: CaseConversation.Author, message: String, notifications: [OutboxRecord] = [],
                       at now: Date = Date()) async throws {
        try await database.transaction { tx in
            let record = try await Self.awaiting(caseId, on: tx)
            _ = try await CaseConversation.insert(caseId: caseId, author: author, body: message, isInternal: false, at: now, on: tx)
            for notification in notifications {
                notification.caseId = caseId
                try await notification.create(on: tx)
            }
            try await Self.move(record, to: .reopened, actor: author.eventActor, event: .rejected, at: now, on: tx)
        }
    }

    static func awaiting(_ caseId: Int, on tx: any Database) async throws -> CaseRecord {
        guard let record = try await CaseRecord.find(caseId, on: tx), record.status == .resolved else { throw Failure.notAwaitingApproval }
        return record
    }

    /// Moves the case and appends the status change and `event`; call it last in the transaction.
    static func move(_ record: CaseRecord, to next: CaseStatus, actor: EventActor, event: CaseEvent, at now: Date,
                     on tx: any Database) async throws {
        let before = record.status
        record.status = next
        record.resolvedAt = nil
        record.approvalRemindedAt = nil
        record.approvalUnreachedAt = nil
        record.closedAt = next == .closed ? now.timeIntervalSince1970 : nil
        record.lastActivityAt = now
        record.updatedAt = now
        record.version += 1
        try await record.update(on: tx)
        try await CaseEvents.append(.statusChanged(from: before, to: next), caseId: record.id!, by: actor, at: now, on: tx)
        try await CaseEvents.append(event, caseId: record.id!, by: actor, at: now, on: tx)
    }

    /// Resolved cases waiting longer than `after` without a reminder: each gets `reminders(case)` queued
    /// and is marked reminded, in one transaction per case. When `reminders` returns none (nobody can be
    /// reached), the case is marked unreached instead: it stays resolved and is never closed on a reminder
    /// nobody received; staff find it in `unreached()`.
    @discardableResult
    public func sendReminders(after: TimeInterval, now: Date, actorName: String,
                              reminders: @escaping @Sendable (CaseRecord, any Database) async throws -> [OutboxRecord]) async throws -> Int {
        let due = try await resolved(where: """
            approval_reminded_at IS NULL AND approval_unreached_at IS NULL AND resolved_at <= \(bind: now.timeIntervalSince1970 - after)
            """)
        var reminded = 0
        for record in due {
            let sent = try await database.transaction { tx -> Bool in
                let mails = try await reminders(record, tx)
                // Claimed by the update itself: a second runner finds it already reminded (or unreached).
                let column: SQLQueryString = mails.isEmpty ? "approval_unreached_at" : "approval_reminded_at"
                let claimed = try await tx.requireSQL().raw("""
                    UPDATE cases SET \(column) = \(bind: now.timeIntervalSince1970)
                    WHERE id = \(bind: record.id!) AND status = 'resolved' AND approval_reminded_at IS NULL
                      AND approval_unreached_at IS NULL RETURNING id
                    """).all()
                guard !claimed.isEmpty, !mails.isEmpty else { return false }
                for mail in mails {
                    mail.caseId = record.id
                    try await mail.create(on: tx)
                }
                try await CaseEvents.append(.approvalReminderSent, caseId: record.id!, by: EventActor(name: actorName), at: now, on: tx)
                return true
            }
            if sent { reminded += 1 }
        }
        return reminded
    }

    /// Up to 500 resolved cases matching `condition`, by id. (No ORDER BY in the first statement: with one,
    /// SQLite scanned the table in id order instead of using the index.) The status is written into the statement, not
    /// bound: the partial indexes of M043 hold only resolved cases, and SQLite uses a partial index only
    /// when the query's own text implies its condition.
    func resolved(where condition: SQLQueryString) async throws -> [CaseRecord] {
        let ids = try await database.requireSQL().raw("""
            SELECT id FROM cases WHERE status = 'resolved' AND \(condition) LIMIT 500
            """).all().map { try $0.decode(column: "id", as: Int.self) }
        guard !ids.isEmpty else { return [] }
        return try await CaseRecord.query(on: database).filter(\.$id ~~ ids).sort(\.$id).all()
    }

    /// Resolved cases whose customer could not be reminded (nobody with an address), newest first: they
    /// wait for staff instead of closing.
    public func unreached(limit: Int = 50) async throws -> [CaseRecord] {
        try await CaseRecord.query(on: database).filter(\.$status == .resolved).filter(\.$approvalUnreachedAt != nil)
            .sort(\.$approvalUnreachedAt, .descending).limit(limit).all()
    }

    /// Resolved cases whose reminder went out 24 hours ago or more close as approved, with an event and
    /// a message saying so, written by `message(case)` (in the case's language) and kept as `text` (issue 12:
    /// each reader reads it in their own language).
    @discardableResult
    public func closeUnanswered(now: Date, actorName: String, text: MessageText? = nil,
                                message: @escaping @Sendable (CaseRecord, any Database) async throws -> String) async throws -> Int {
        let due = try await resolved(where: "approval_reminded_at <= \(bind: now.timeIntervalSince1970 - Self.graceAfterReminder)")
        var closed = 0
        for record in due {
            let done = try await database.transaction { tx -> Bool in
                guard let fresh = try await CaseRecord.find(record.id, on: tx), fresh.status == .resolved,
                      let reminded = fresh.approvalRemindedAt, reminded <= now.timeIntervalSince1970 - Self.graceAfterReminder else { return false }
                let body = try await message(fresh, tx)
                _ = try await CaseConversation.insert(caseId: fresh.id!, author: .init(kind: .system, name: actorName), body: body,
                                                      isInternal: false, at: now, text: text, on: tx)
                try await Self.move(fresh, to: .closed, actor: EventActor(name: actorName), event: .autoApproved, at: now, on: tx)
                return true
            }
            if done { closed += 1 }
        }
        return closed
    }
}

/// Runs a scheduled job on one server at a time: on PostgreSQL inside a transaction holding
/// `pg_try_advisory_xact_lock` (another server skips this round); SQLite is a single node.
public enum JobLock {
    public static func run(_ name: String, on database: any Database, _ body: @Sendable @escaping (any Database) async throws -> Void) async throws -> Bool {
        let sql = try database.requireSQL()
        guard sql.dialect.name == "postgresql" else {
            try await body(database)
            return true
        }
        return try await database.transaction { tx in
            struct Row: Decodable { var locked: Bool }
            let row = try await tx.requireSQL().raw("SELECT pg_try_advisory_xact_lock(hashtext(\(bind: "caseport:" + name))) AS locked")
                .first(decoding: Row.self)
            guard row?.locked == true else { return false }
            try await body(tx)
            return true
        }
    }
}
