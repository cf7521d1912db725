import FluentKit
import FluentSQL
import Foundation
import SQLKit

/// Live chat (B13/D7): conversations, their numbered messages and staff availability.
///
/// A message's number is taken by `UPDATE chat_conversations SET last_seq = last_seq + 1 … RETURNING`
/// as the first statement of the inserting transaction: PostgreSQL holds the row lock until commit and
/// SQLite takes its write lock there (waiting for it through busy_timeout rather than failing on a stale
/// read snapshot), so concurrent writers get consecutive numbers; a rolled-back insert rolls the number
/// back too. `UNIQUE(conversation_id, seq)` makes a duplicate impossible whatever happens.
/// On PostgreSQL the insert also sends `pg_notify('caseport_chat', 'm:<conversation>:<seq>')` in that
/// transaction: other servers learn of the message when (and only when) it is committed. Payloads
/// carry ids only: `m:<conversation>:<seq>` (and, from the web, `t:<conversation>:s|c` typing, `q` queue).
public struct Chats: Sendable {
    public static let notifyChannel = "caseport_chat"

    let database: any Database
    public init(database: any Database) { self.database = database }

    public enum ChatError: Error, Equatable {
        /// The conversation does not exist or has ended: nothing more may be written to it.
        case closed
    }

    // MARK: Conversations

    public func start(visitorName: String, visitorEmail: String, portalUserId: Int?, visitorTokenHash: String?,
                      language: String, at now: Date) async throws -> ChatConversationRecord {
        let record = ChatConversationRecord()
        record.visitorName = visitorName
        record.visitorEmail = visitorEmail
        record.portalUserId = portalUserId
        record.visitorTokenHash = visitorTokenHash
        record.language = language
        record.state = .waiting
        record.lastSeq = 0
        record.createdAt = now
        record.lastActivityAt = now
        try await record.create(on: database)
        return record
    }

    public func find(id: Int) async throws -> ChatConversationRecord? {
        try await ChatConversationRecord.find(id, on: database)
    }

    /// A conversation as its customer may reach it: started by this portal user, or by the visitor
    /// holding the token whose hash is given. Anything else is nil, exactly like a missing one.
    public func find(id: Int, portalUserId: Int?, visitorTokenHash: String?) async throws -> ChatConversationRecord? {
        if portalUserId == nil && visitorTokenHash == nil { return nil }
        let query = ChatConversationRecord.query(on: database).filter(\.$id == id)
        query.group(.or) { group in
            if let portalUserId { group.filter(\.$portalUserId == portalUserId) }
            if let visitorTokenHash { group.filter(\.$visitorTokenHash == visitorTokenHash) }
        }
        return try await query.first()
    }

    /// The console's queue: waiting conversations, the longest-waiting first.
    public func waiting(limit: Int = 100) async throws -> [ChatConversationRecord] {
        try await ChatConversationRecord.query(on: database).filter(\.$state == .waiting)
            .sort(\.$createdAt).sort(\.$id).limit(limit).all()
    }

    /// The chats one member of staff is answering now.
    public func active(staffId: Int) async throws -> [ChatConversationRecord] {
        try await ChatConversationRecord.query(on: database).filter(\.$state == .active)
            .filter(\.$assignedStaffId == staffId).sort(\.$createdAt).sort(\.$id).all()
    }

    /// The chats attached to a case as its page lists them (id, visitor, start), oldest first; read
    /// without Fluent's model building (every case view asks, issue 17).
    public func attachedSummaries(caseId: Int) async throws -> [(id: Int, visitorName: String, createdAt: Date)] {
        try await database.requireSQL().raw("""
            SELECT id, visitor_name, created_at FROM chat_conversations WHERE case_id = \(bind: caseId)
            ORDER BY created_at, id
            """).all().map {
            (try $0.decode(column: "id", as: Int.self), try $0.decode(column: "visitor_name", as: String.self),
             try $0.decode(column: "created_at", as: Date.self))
        }
    }

    /// Waiting since before `cutoff` with no staff answer yet: the customer is left without one.
    public func unansweredWaiting(before cutoff: Date) async throws -> [ChatConversationRecord] {
        try await ChatConversationRecord.query(on: database).filter(\.$state == .waiting)
            .filter(\.$lastActivityAt < cutoff).sort(\.$id).all()
    }

    /// waiting → active for `staffId`; false when someone else took it first (or it ended).
    public func take(id: Int, staffId: Int, at now: Date) async throws -> Bool {
        let rows = try await database.requireSQL().raw("""
            UPDATE chat_conversations SET state = 'active', assigned_staff_id = \(bind: staffId),
              last_activity_at = \(bind: now) WHERE id = \(bind: id) AND state = 'waiting' RETURNING id
            """).all()
        return !rows.isEmpty
    }

    /// Gives an active chat from one member of staff to another; false when `from` no longer has it.
    public func handOver(id: Int, from: Int, to: Int, at now: Date) async throws -> Bool {
        let rows = try await database.requireSQL().raw("""
            UPDATE chat_conversations SET assigned_staff_id = \(bind: to), last_activity_at = \(bind: now)
             WHERE id = \(bind: id) AND state = 'active' AND assigned_staff_id = \(bind: from) RETURNING id
            """).all()
        return !rows.isEmpty
    }

    /// Ends a conversation that has not ended; false when it already had.
    public func end(id: Int, at now: Date, inquiryId: Int? = nil) async throws -> Bool {
        let rows = try await database.requireSQL().raw("""
            UPDATE chat_conversations SET state = 'ended', ended_at = \(bind: now), last_activity_at = \(bind: now),
              inquiry_id = COALESCE(\(bind: inquiryId), inquiry_id)
             WHERE id = \(bind: id) AND state <> 'ended' RETURNING id
            """).all()
        return !rows.isEmpty
    }

    public func attach(id: Int, caseId: Int) async throws {
        try await ChatConversationRecord.query(on: database).filter(\.$id == id).set(\.$caseId, to: caseId).update()
    }

    /// A chat that became an inquiry follows it onto the case made of it (issue 15): it shows on the
    /// case, where the customer's e-mail replies to the company's answer continue the conversation (B7).
    public func attachChats(ofInquiry inquiryId: Int, toCase caseId: Int) async throws {
        try await ChatConversationRecord.query(on: database).filter(\.$inquiryId == inquiryId).filter(\.$caseId == nil)
            .set(\.$caseId, to: caseId).update()
    }

    // MARK: Messages

    /// Which conversations `post` may write to.
    public enum PostGuard: Sendable {
        /// Any that has not ended (the usual case).
        case notEnded
        /// Only one still waiting for staff (the sweep that makes an unanswered chat an inquiry).
        case waiting
        /// Any, ended or not (a closing system line).
        case any
    }

    /// Inserts a message with the conversation's next number. Call it first in its transaction
    /// (before any read), so SQLite takes the write lock here. Throws `closed` when the conversation is
    /// missing or not in a state `requiring` allows.
    public func post(conversationId: Int, authorKind: ChatAuthorKind, staffId: Int?, authorName: String, body: String,
                     staffOnly: Bool, at now: Date, requiring condition: PostGuard = .notEnded) async throws -> ChatMessageRecord {
        let sql = try database.requireSQL()
        let stateCondition: String
        switch condition {
        case .notEnded: stateCondition = " AND state <> 'ended'"
        case .waiting: stateCondition = " AND state = 'waiting'"
        case .any: stateCondition = ""
        }
        let row = try await sql.raw("""
            UPDATE chat_conversations SET last_seq = last_seq + 1, last_activity_at = \(bind: now)
             WHERE id = \(bind: conversationId)\(unsafeRaw: stateCondition) RETURNING last_seq
            """).first()
        guard let seq = try row?.decode(column: "last_seq", as: Int.self) else { throw ChatError.closed }
        let message = ChatMessageRecord()
        message.conversationId = conversationId
        message.seq = seq
        message.authorKind = authorKind
        message.authorStaffId = staffId
        message.authorName = authorName
        message.staffOnly = staffOnly
        message.body = body
        message.createdAt = now
        try await message.create(on: database)
        if sql.dialect.name == "postgresql" {
            _ = try await sql.raw("SELECT pg_notify(\(bind: Self.notifyChannel), \(bind: "m:\(conversationId):\(seq)"))").all()
        }
        return message
    }

    /// Sends `payload` (ids only) to every server listening, on PostgreSQL; nothing on SQLite (one server).
    public func notify(_ payload: String) async throws {
        let sql = try database.requireSQL()
        guard sql.dialect.name == "postgresql" else { return }
        _ = try await sql.raw("SELECT pg_notify(\(bind: Self.notifyChannel), \(bind: payload))").all()
    }

    /// Messages after `seq`, in order. A customer's reading leaves staff-only notes out.
    public func messages(conversationId: Int, after seq: Int = 0, includeStaffOnly: Bool,
                         limit: Int = 500) async throws -> [ChatMessageRecord] {
        let query = ChatMessageRecord.query(on: database).filter(\.$conversationId == conversationId)
            .filter(\.$seq > seq)
        if !includeStaffOnly { query.filter(\.$staffOnly == false) }
        return try await query.sort(\.$seq).limit(limit).all()
    }

    /// Whether staff have written anything the customer sees.
    public func hasStaffAnswer(conversationId: Int) async throws -> Bool {
        try await ChatMessageRecord.query(on: database).filter(\.$conversationId == conversationId)
            .filter(\.$authorKind == .staff).filter(\.$staffOnly == false).count() > 0
    }

    // MARK: Availability

    public func setAvailable(staffId: Int, _ available: Bool, at now: Date) async throws {
        if let record = try await ChatAvailabilityRecord.find(staffId, on: database) {
            record.available = available
            record.changedAt = now
            try await record.update(on: database)
        } else {
            let record = ChatAvailabilityRecord()
            record.id = staffId
            record.available = available
            record.changedAt = now
            try await record.create(on: database)
        }
    }

    public func isAvailable(staffId: Int) async throws -> Bool {
        try await ChatAvailabilityRecord.find(staffId, on: database)?.available ?? false
    }

    /// Active staff accounts that take chats now, by name.
    public func availableStaff() async throws -> [(id: Int, name: String)] {
        let rows = try await database.requireSQL().raw("""
            SELECT s.id, s.name FROM chat_staff_availability a JOIN staff_users s ON s.id = a.staff_id
             WHERE a.available = \(true) AND s.is_active = \(true) ORDER BY s.name, s.id
            """).all()
        return try rows.map { (try $0.decode(column: "id", as: Int.self), try $0.decode(column: "name", as: String.self)) }
    }

    public func anyoneAvailable() async throws -> Bool {
        !(try await availableStaff().isEmpty)
    }
}
