import CaseportCore
import FluentKit
import Foundation
import SQLKit

/// A message as the portal shows it. Internal notes never become one of these.
public struct PublicMessage: Codable, Sendable, Equatable {
    public var id: Int
    public var authorKind: MessageAuthorKind
    public var authorName: String
    public var body: String
    public var createdAt: Date
    /// Issue 12 (M030): a system message's locale key and parameters; nil for people's messages.
    public var textKey: String?
    public var textParams: String?

    /// The text in the reader's language (`translate`), for a system message with a key; else the body.
    public func text(_ translate: (String) -> String) -> String {
        MessageText.render(key: textKey, params: textParams, body: body, translate)
    }

    /// One row of `id, author_kind, author_name, body, created_at, text_key, text_params`, read column by
    /// column (issue 17: the Codable row decoder converted every key to snake case for every row).
    static func read(_ row: any SQLRow) throws -> PublicMessage {
        PublicMessage(id: try row.decode(column: "id", as: Int.self),
                      authorKind: try row.decodeRaw(column: "author_kind", as: MessageAuthorKind.self),
                      authorName: try row.decode(column: "author_name", as: String.self),
                      body: try row.decode(column: "body", as: String.self),
                      createdAt: try row.decode(column: "created_at", as: Date.self),
                      textKey: try row.decodeOptional(column: "text_key", as: String.self),
                      textParams: try row.decodeOptional(column: "text_params", as: String.self))
    }
}

/// Messages, read markers and customer edits of one case. Callers pass a case id they obtained
/// through `VisibleCases`, so the access rule has already been applied.
public struct CaseConversation: Sendable {
    let database: any Database
    public init(database: any Database) { self.database = database }

    /// The case's messages the customer may see: its own, and no internal note.
    static func isPublic(_ caseId: Int) -> SQLQueryString {
        "case_id = \(bind: caseId) AND is_internal = \(false)"
    }

    /// Public messages, newest first.
    public func publicMessages(caseId: Int, limit: Int = 200, offset: Int = 0) async throws -> [PublicMessage] {
        try await database.requireSQL().raw("""
            SELECT id, author_kind, author_name, body, created_at, text_key, text_params FROM case_messages
            WHERE \(Self.isPublic(caseId))
            ORDER BY created_at DESC, id DESC
            LIMIT \(literal: limit) OFFSET \(literal: offset)
            """).all().map(PublicMessage.read)
    }

    /// A page of the case's public messages with how many there are in all (issue 17: one statement where
    /// every case view asked two; the count is a subquery without outer references, which SQLite and
    /// PostgreSQL both run once). nil when the page is past the last message: then the caller counts and
    /// asks again for a page that exists.
    public func publicMessagesPage(caseId: Int, limit: Int, offset: Int) async throws -> (messages: [PublicMessage], total: Int)? {
        let rows = try await database.requireSQL().raw("""
            SELECT id, author_kind, author_name, body, created_at, text_key, text_params,
                   (SELECT COUNT(*) FROM case_messages WHERE \(Self.isPublic(caseId))) AS total
            FROM case_messages
            WHERE \(Self.isPublic(caseId))
            ORDER BY created_at DESC, id DESC
            LIMIT \(literal: limit) OFFSET \(literal: offset)
            """).all()
        guard let first = rows.first else { return offset == 0 ? ([], 0) : nil }
        return (try rows.map(PublicMessage.read), try first.decode(column: "total", as: Int.self))
    }

    /// The company's newest message to the customer on the case: what the portal's "we need your
    /// answer" banner quotes while the case waits for the customer (issue 12).
    public func latestCompanyMessage(caseId: Int) async throws -> PublicMessage? {
        try await database.requireSQL().raw("""
            SELECT id, author_kind, author_name, body, created_at, text_key, text_params FROM case_messages
            WHERE \(Self.isPublic(caseId)) AND author_kind = \(bind: MessageAuthorKind.staff.rawValue)
            ORDER BY created_at DESC, id DESC
            LIMIT 1
            """).first().map(PublicMessage.read)
    }

    /// What the handler's notice of a customer's message names (D4): the case's number and subject and
    /// its handler's address and chosen language; nil while the case has no handler. One query.
    public func handlerNoticeFacts(caseId: Int) async throws -> (number: Int, subject: String, email: String, language: String?)? {
        guard let row = try await database.requireSQL().raw("""
            SELECT c.number, c.subject, s.email, s.language FROM cases c JOIN staff_users s ON s.id = c.handler_id
            WHERE c.id = \(bind: caseId)
            """).first() else { return nil }
        return (try row.decode(column: "number", as: Int.self), try row.decode(column: "subject", as: String.self),
                try row.decode(column: "email", as: String.self), try row.decodeOptional(column: "language", as: String.self))
    }

    /// How many messages the customer sees on the case (the portal pages them, issue 11 point 6).
    public func publicMessageCount(caseId: Int) async throws -> Int {
        // Raw SQL: every portal case view asks it, and Fluent's query building was a visible part of
        // that page's time in perf (issue 17).
        let row = try await database.requireSQL().raw("""
            SELECT COUNT(*) AS n FROM case_messages WHERE \(Self.isPublic(caseId))
            """).first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    public struct Author: Sendable {
        public var kind: MessageAuthorKind
        public var userId: Int?
        public var staffId: Int?
        public var personId: Int?
        public var name: String
        public init(kind: MessageAuthorKind, userId: Int? = nil, staffId: Int? = nil, personId: Int? = nil, name: String) {
            self.kind = kind
            self.userId = userId
            self.staffId = staffId
            self.personId = personId
            self.name = name
        }

        /// The same person as the author of a case event.
        public var eventActor: EventActor { EventActor(staffId: staffId, portalUserId: userId, name: name) }
    }

    /// Adds a message (and any notifications) and marks the case as having news, in one transaction.
    @discardableResult
    public func add(caseId: Int, author: Author, body: String, isInternal: Bool = false,
                    notifications: [OutboxRecord] = [], at now: Date = Date()) async throws -> CaseMessageRecord {
        try await database.transaction { tx in
            let message = try await Self.insert(caseId: caseId, author: author, body: body, isInternal: isInternal, at: now, on: tx)
            for notification in notifications {
                notification.caseId = caseId
                try await notification.create(on: tx)
            }
            return message
        }
    }

    /// Inserts a message inside the caller's transaction `tx` (and marks the case's activity).
    /// `text`: issue 12 — a system message's locale key and parameters, rendered per reader; `body` is
    /// the same text in one language.
    public static func insert(caseId: Int, author: Author, body: String, isInternal: Bool, at now: Date,
                              text: MessageText? = nil, on tx: any Database) async throws -> CaseMessageRecord {
        // Plain SQL (issue 17 point 5): every message, note and upload line is written here, and Fluent's
        // model create and query update walked the models' properties by reflection each time (perf).
        let sql = try tx.requireSQL()
        let textParams = text?.storedParams
        let values: SQLQueryString = """
            (\(bind: caseId), \(bind: author.kind.rawValue), \(bind: author.userId), \(bind: author.staffId),
             \(bind: author.personId), \(bind: author.name), \(bind: body), \(bind: isInternal), \(bind: now),
             \(bind: text?.key), \(bind: textParams))
            """
        let insert: SQLQueryString = """
            INSERT INTO case_messages (case_id, author_kind, author_user_id, author_staff_id, author_person_id, author_name,
                                       body, is_internal, created_at, text_key, text_params)
            VALUES \(values) RETURNING id
            """
        // A public message is activity on the case; a customer's message or upload is unread activity for
        // the back office (D4).
        let activity: SQLQueryString = author.kind == .customer
            ? "UPDATE cases SET last_activity_at = \(bind: now), updated_at = \(bind: now), has_unread_activity = \(true) WHERE id = \(bind: caseId)"
            : "UPDATE cases SET last_activity_at = \(bind: now), updated_at = \(bind: now) WHERE id = \(bind: caseId)"
        let id: Int
        if isInternal {
            guard let row = try await sql.raw(insert).first() else { throw StoreError.insertReturnedNothing("case_messages") }
            id = try row.decode(column: "id", as: Int.self)
        } else if sql.dialect.name != "sqlite" {
            // PostgreSQL: the message, the case's activity and the message's words in the case's search
            // document (`CaseSearchIndex.added`) in one statement; a case without a document yet is indexed after.
            guard let row = try await sql.raw("""
                WITH m AS (\(insert)),
                a AS (\(activity)),
                \(CaseSearchIndex.appendCTEs(body, caseId: caseId))
                SELECT m.id, (SELECT count(*) FROM d) AS indexed FROM m
                """).first() else { throw StoreError.insertReturnedNothing("case_messages") }
            id = try row.decode(column: "id", as: Int.self)
            if try row.decode(column: "indexed", as: Int.self) == 0 { try await CaseSearchIndex.refresh(caseId: caseId, on: tx) }
        } else {
            guard let row = try await sql.raw(insert).first() else { throw StoreError.insertReturnedNothing("case_messages") }
            id = try row.decode(column: "id", as: Int.self)
            try await sql.raw(activity).run()
            try await CaseSearchIndex.added(message: body, caseId: caseId, on: tx)
        }
        let message = CaseMessageRecord()
        message.id = id
        message.$id.exists = true
        message.caseId = caseId
        message.authorKind = author.kind
        message.authorUserId = author.userId
        message.authorStaffId = author.staffId
        message.authorPersonId = author.personId
        message.authorName = author.name
        message.body = body
        message.textKey = text?.key
        message.textParams = textParams
        message.isInternal = isInternal
        message.createdAt = now
        return message
    }

    /// Records that the user has seen the case now (clears the "new information" marker): `seen_at` is
    /// when the user last saw the case with everything it had then.
    public func markSeen(caseId: Int, userId: Int, at now: Date = Date()) async throws {
        // Issue 17: every case view records the visit, and most views find nothing new since the last one.
        // Asking first is a read: on SQLite it takes no lock, where the upsert, even one that changes
        // nothing, takes the database's one write lock (another connection's write then waits), and on
        // PostgreSQL it locks no row. The unique (user_id, case_id) makes a second tab's insert an update
        // instead of a failure; the upsert's own condition keeps a visit that raced another from moving
        // the marker back.
        let sql = try database.requireSQL()
        let news = try await sql.raw("""
            SELECT 1 AS news FROM cases c
            WHERE c.id = \(bind: caseId) AND NOT EXISTS (
                SELECT 1 FROM case_reads r WHERE r.user_id = \(bind: userId) AND r.case_id = c.id
                AND r.seen_at >= c.last_activity_at)
            """).first()
        guard news != nil else { return }
        try await recordVisit(caseId: caseId, userId: userId, at: now)
    }

    /// `markSeen` without its question, for a caller that knows the case has news for the user (a case page
    /// read `CasePageContents.unseen` with the case: one statement fewer a view). The upsert's own condition
    /// still leaves a marker alone that is already past the case's last activity.
    public func recordVisit(caseId: Int, userId: Int, at now: Date = Date()) async throws {
        try await database.requireSQL().raw("""
            INSERT INTO case_reads (user_id, case_id, seen_at) VALUES (\(bind: userId), \(bind: caseId), \(bind: now))
            ON CONFLICT (user_id, case_id) DO UPDATE SET seen_at = excluded.seen_at
            WHERE case_reads.seen_at < (SELECT last_activity_at FROM cases WHERE id = excluded.case_id)
            """).run()
    }

    /// The customer changes category or priority (B5, when the deployment allows it).
    public func updateClassification(caseId: Int, categoryId: Int?, priorityId: Int?, at now: Date = Date()) async throws {
        try await CaseRecord.query(on: database).filter(\.$id == caseId)
            .set(\.$categoryId, to: categoryId).set(\.$priorityId, to: priorityId).set(\.$updatedAt, to: now).update()
    }

    /// The answers given on the case's form, in the form's order. Plain SQL rather than a model query: every
    /// case view asks it, and a model query decodes each row by reflection and is never a prepared statement
    /// on PostgreSQL (issue 17).
    public func fieldValues(caseId: Int) async throws -> [CaseFieldValueRecord] {
        try await fieldAnswers(caseId: caseId).map(\.value)
    }

    /// `fieldValues` with whether each answer's field asks for a date (the portal shows a date as the reader's
    /// language writes it, A3), in the same statement: the case page asked the fields' kinds with a second
    /// one (issue 17, session 25). An answer whose field is gone is not a date.
    public func fieldAnswers(caseId: Int) async throws -> [(value: CaseFieldValueRecord, isDate: Bool)] {
        let rows = try await database.requireSQL().raw("""
            SELECT v.id, v.field_id, v.label, v.value, v.sort_order, f.kind AS field_kind
              FROM case_field_values v LEFT JOIN case_type_fields f ON f.id = v.field_id
             WHERE v.case_id = \(bind: caseId) ORDER BY v.sort_order, v.id
            """).all()
        return try rows.map { row in
            let record = CaseFieldValueRecord(caseId: caseId, fieldId: try row.decodeOptional(column: "field_id", as: Int.self),
                                              label: try row.decode(column: "label", as: String.self),
                                              value: try row.decode(column: "value", as: String.self),
                                              sortOrder: try row.decode(column: "sort_order", as: Int.self))
            record.id = try row.decode(column: "id", as: Int.self)
            record.$id.exists = true
            let kind = try row.decodeOptional(column: "field_kind", as: String.self)
            return (record, kind == CaseFieldKind.date.rawValue)
        }
    }
}
