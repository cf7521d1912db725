import CaseportCore
import FluentKit
import Foundation
import SQLKit

/// One row of the back office's case list.
public struct StaffCaseRow: Codable, Sendable, Equatable {
    public var id: Int
    public var number: Int
    public var subject: String
    public var status: CaseStatus
    public var createdAt: Date
    /// The last public message or status change (issue 12).
    public var lastActivityAt: Date
    public var customerName: String?
    public var objectName: String?
    public var handlerName: String?
    public var priorityName: String?
    public var hasUnreadActivity: Bool
}

/// The back office's reads and writes of cases. Staff see every case; every change is checked against
/// the workflow and written with an event in the same transaction.
public struct StaffCases: Sendable {
    let database: any Database
    public init(database: any Database) { self.database = database }

    func whereClause(_ filter: StaffCaseFilter, dialect: String, afterId: Int? = nil) -> SQLQueryString {
        var parts: [SQLQueryString] = ["1 = 1"] + CaseFilterSQL.conditions(filter.base, dialect: dialect, visibility: nil)
            + VisibleCases.keyset(afterId: afterId)
        if let id = filter.handlerId { parts.append("c.handler_id = \(bind: id)") }
        if filter.unassigned { parts.append("c.handler_id IS NULL") }
        if let id = filter.priorityId { parts.append("c.priority_id = \(bind: id)") }
        if filter.unreadOnly { parts.append("c.has_unread_activity = \(true)") }
        return parts.joined(separator: " AND ")
    }

    /// `afterId`: the API's cursor (cases after that one in this order).
    /// In the filter's order (`filter.base.sort`, by default last activity); with `afterId` always
    /// newest created first, the order the cursor counts in.
    /// Names are scalar subqueries, not joins: see `VisibleCases.rows(pageIds:)` (PostgreSQL planned this
    /// page's joins in 0.66 ms to execute in 0.15; now 0.20).
    public func page(_ filter: StaffCaseFilter, offset: Int, limit: Int, afterId: Int? = nil) async throws -> [StaffCaseRow] {
        try await rows(filter, offset: offset, limit: limit, afterId: afterId, unreadCap: nil).map(Self.row)
    }

    /// A page as `page`, and the number of cases with activity no handler has seen as `countUnread(cap:)`
    /// counts it, in the same statement: the list shows both, and the count's round trip of its own was one
    /// of a staff list's four statements (issue 17, session 28). An empty page counts on its own.
    public func pageAndUnread(_ filter: StaffCaseFilter, offset: Int, limit: Int,
                              unreadCap: Int) async throws -> (rows: [StaffCaseRow], unread: Int) {
        let found = try await rows(filter, offset: offset, limit: limit, afterId: nil, unreadCap: unreadCap)
        guard let first = found.first else { return ([], try await countUnread(cap: unreadCap)) }
        return (try found.map(Self.row), try first.decode(column: "unread", as: Int.self))
    }

    private func rows(_ filter: StaffCaseFilter, offset: Int, limit: Int, afterId: Int?,
                      unreadCap: Int?) async throws -> [any SQLRow] {
        let sql = try database.requireSQL()
        let sort = afterId == nil ? filter.base.sort : .newestFirst
        // Not correlated with the row: computed once for the statement, on either database.
        let unread: SQLQueryString = unreadCap.map { ", (\(Self.unreadCount(cap: $0))) AS unread" } ?? ""
        return try await sql.raw("""
            SELECT c.id, c.number, c.subject, c.status, c.created_at, c.last_activity_at,
                   (SELECT name FROM customers WHERE id = c.customer_id) AS customer_name,
                   (SELECT name FROM objects WHERE id = c.object_id) AS object_name,
                   (SELECT name FROM staff_users WHERE id = c.handler_id) AS handler_name,
                   (SELECT name FROM priorities WHERE id = c.priority_id) AS priority_name, c.has_unread_activity\(unread)
            FROM (SELECT c.id FROM cases c
                  WHERE \(whereClause(filter, dialect: sql.dialect.name, afterId: afterId))
                  ORDER BY \(CaseSortSQL.orderBy(sort))
                  \(PageWindowSQL.limit(limit, offset: offset, dialect: sql.dialect.name))) page
            JOIN cases c ON c.id = page.id
            ORDER BY \(CaseSortSQL.orderBy(sort))
            """).all()
    }

    /// A page row, decoded column by column (issue 17: decoding through `Codable` took a seventh of the
    /// staff list's CPU in perf).
    static func row(_ row: any SQLRow) throws -> StaffCaseRow {
        StaffCaseRow(
            id: try row.decode(column: "id", as: Int.self), number: try row.decode(column: "number", as: Int.self),
            subject: try row.decode(column: "subject", as: String.self), status: try row.decodeRaw(column: "status", as: CaseStatus.self),
            createdAt: try row.decode(column: "created_at", as: Date.self),
            lastActivityAt: try row.decode(column: "last_activity_at", as: Date.self),
            customerName: try row.decodeOptional(column: "customer_name", as: String.self),
            objectName: try row.decodeOptional(column: "object_name", as: String.self),
            handlerName: try row.decodeOptional(column: "handler_name", as: String.self),
            priorityName: try row.decodeOptional(column: "priority_name", as: String.self),
            hasUnreadActivity: try row.decode(column: "has_unread_activity", as: Bool.self))
    }

    /// How many cases match, counting no further than `cap` + 1: the back office sees every case, and
    /// counting a million of them on each page view would cost more than the page itself. A result
    /// above `cap` reads "more than `cap`".
    public func count(_ filter: StaffCaseFilter, cap: Int = 10_000) async throws -> Int {
        let sql = try database.requireSQL()
        let row = try await sql.raw("""
            SELECT COUNT(*) AS n FROM (SELECT 1 FROM cases c WHERE \(whereClause(filter, dialect: sql.dialect.name)) LIMIT \(literal: cap + 1)) AS capped
            """).first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    /// How many cases have activity no handler has seen; with `cap`, counting no further than `cap` + 1
    /// (a badge above the cap reads "more than `cap`"): the exact number read one index entry per such case
    /// on every staff list and home page, a millisecond or more at 15 000 of them (issue 17).
    public func countUnread(cap: Int? = nil) async throws -> Int {
        guard let cap else { return try await CaseRecord.query(on: database).filter(\.$hasUnreadActivity == true).count() }
        let row = try await database.requireSQL().raw("SELECT (\(Self.unreadCount(cap: cap))) AS n").first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    /// The cases with activity no handler has seen, counted up to `cap + 1` (the badge shows "cap+"): the
    /// badge's own count and the list's, which reads it with its page (`pageAndUnread`).
    private static func unreadCount(cap: Int) -> SQLQueryString {
        "SELECT COUNT(*) FROM (SELECT 1 FROM cases WHERE has_unread_activity = \(true) LIMIT \(literal: cap + 1)) AS capped"
    }

    public func find(number: Int) async throws -> CaseRecord? {
        try await CaseRecord.query(on: database).filter(\.$number == number).first()
    }

    /// The case's id by its number, nil when there is none: one column, for writes that need nothing
    /// else of the case (an internal note; issue 17 point 5 — the whole record cost a model decode).
    public func id(number: Int) async throws -> Int? {
        try await database.requireSQL().raw("SELECT id FROM cases WHERE number = \(bind: number)").first()?
            .decode(column: "id", as: Int.self)
    }

    /// The case with its names joined in (the shape the portal reads), for the staff's case report.
    /// Staff see every case; a number that does not exist is nil.
    public func detail(number: Int) async throws -> CaseDetail? {
        try await database.requireSQL().raw("""
            \(unsafeRaw: VisibleCases.detailSelect)
            WHERE c.number = \(bind: number)
            """).first().map(CaseDetail.read)
    }

    /// A staff case form's objects: the customer's and the one given (the case's now), by name, at most 500;
    /// ids, names and addresses by plain SQL (issue 17, session 13: a model query's building and decoding
    /// cost more than the read on every staff case page).
    public func formObjects(customerId: Int?, objectId: Int?) async throws -> [(id: Int, name: String, address: String)] {
        var which: [SQLQueryString] = []
        if let customerId { which.append("customer_id = \(bind: customerId)") }
        if let objectId { which.append("id = \(bind: objectId)") }
        which.append("id = \(bind: -1)")
        return try await database.requireSQL().raw("""
            SELECT id, name, address FROM objects WHERE \(which.joined(separator: " OR "))
            ORDER BY name
            LIMIT \(literal: 500)
            """).all().map {
            (try $0.decode(column: "id", as: Int.self), try $0.decode(column: "name", as: String.self),
             try $0.decode(column: "address", as: String.self))
        }
    }

    /// Which of the staff case page's optional parts a case has, read with the case's facts (`facts(number:)`;
    /// issue 17, session 13, and in the facts' statement since session 27): most cases have no chat, budget,
    /// claim or type fields, and each was read by a statement of its own on every view. The page skips the
    /// reads of what is not there.
    public struct PageParts: Sendable, Equatable {
        public var hasChats: Bool
        public var hasBudget: Bool
        public var isClaim: Bool
        public var hasFieldValues: Bool

        public init(hasChats: Bool, hasBudget: Bool, isClaim: Bool, hasFieldValues: Bool) {
            (self.hasChats, self.hasBudget, self.isClaim, self.hasFieldValues) = (hasChats, hasBudget, isClaim, hasFieldValues)
        }

        /// Every part read, nothing assumed.
        public static let unknown = PageParts(hasChats: true, hasBudget: true, isClaim: true, hasFieldValues: true)

        /// The columns that say so, over the case's row in `cases`.
        static let columns = """
            EXISTS (SELECT 1 FROM chat_conversations WHERE case_id = cases.id) AS part_chats,
            EXISTS (SELECT 1 FROM budget_lines WHERE case_id = cases.id) AS part_budget,
            EXISTS (SELECT 1 FROM claim_details WHERE case_id = cases.id) AS part_claim,
            EXISTS (SELECT 1 FROM case_field_values WHERE case_id = cases.id) AS part_field_values
            """

        init(row: any SQLRow) throws {
            self.init(hasChats: try row.decode(column: "part_chats", as: Bool.self),
                      hasBudget: try row.decode(column: "part_budget", as: Bool.self),
                      isClaim: try row.decode(column: "part_claim", as: Bool.self),
                      hasFieldValues: try row.decode(column: "part_field_values", as: Bool.self))
        }
    }

    /// Who registered a case, with how to reach them (A8): the account person when there is one, else the
    /// portal user, else the staff member — the first of them that exists. One statement.
    public struct Creator: Sendable, Equatable {
        public var name: String
        public var email: String?
        public var phone: String?

        public init(name: String, email: String?, phone: String?) {
            (self.name, self.email, self.phone) = (name, email, phone)
        }
    }

    public func creator(personId: Int?, userId: Int?, staffId: Int?) async throws -> Creator? {
        guard personId != nil || userId != nil || staffId != nil else { return nil }
        let row = try await database.requireSQL().raw("""
            SELECT 0 AS source, first_name, last_name, email, phone FROM account_people WHERE id = \(bind: personId)
            UNION ALL SELECT 1, first_name, last_name, email, phone FROM portal_users WHERE id = \(bind: userId)
            UNION ALL SELECT 2, name, '', email, NULL FROM staff_users WHERE id = \(bind: staffId)
            ORDER BY source
            LIMIT 1
            """).first()
        guard let row else { return nil }
        let first = try row.decode(column: "first_name", as: String.self)
        if try row.decode(column: "source", as: Int.self) == 2 {
            return Creator(name: first, email: try row.decodeOptional(column: "email", as: String.self), phone: nil)
        }
        return Creator(name: "\(first) \(try row.decode(column: "last_name", as: String.self))".trimmingCharacters(in: .whitespaces),
                       email: try row.decodeOptional(column: "email", as: String.self), phone: try row.decodeOptional(column: "phone", as: String.self))
    }

    /// The case type's field values as registered (label and value), in the form's order.
    public func fieldValues(caseId: Int) async throws -> [(label: String, value: String)] {
        try await database.requireSQL().raw("""
            SELECT label, value FROM case_field_values WHERE case_id = \(bind: caseId) ORDER BY sort_order
            """).all().map { (try $0.decode(column: "label", as: String.self), try $0.decode(column: "value", as: String.self)) }
    }

    public func events(caseId: Int, limit: Int = 200) async throws -> [StoredCaseEvent] {
        try await CaseEvents.timeline(caseId: caseId, limit: limit, on: database)
    }

    /// Every message of the case, internal notes included, newest first. Plain SQL read by column (issue 17,
    /// session 13: a model query's building and reflection-driven decoding cost more than the read); the
    /// records are for reading, not for saving.
    public func allMessages(caseId: Int, limit: Int = 200) async throws -> [CaseMessageRecord] {
        try await database.requireSQL().raw("""
            SELECT \(unsafeRaw: Self.messageColumns)
            FROM case_messages WHERE case_id = \(bind: caseId)
            ORDER BY created_at DESC, id DESC
            LIMIT \(literal: limit)
            """).all().map(CaseMessageRecord.init(row:))
    }

    /// A page of the case's messages, internal notes included, newest first, with how many there are in all
    /// (the back-office case page pages them as the portal does; one statement, as `publicMessagesPage`).
    /// nil when the page is past the last message: the caller counts and asks again for one that exists.
    public func messagesPage(caseId: Int, limit: Int, offset: Int) async throws -> (messages: [StaffCaseMessage], total: Int)? {
        let rows = try await database.requireSQL().raw("""
            SELECT id, author_kind, author_name, body, is_internal, created_at, text_key, text_params,
                   (SELECT COUNT(*) FROM case_messages WHERE case_id = \(bind: caseId)) AS total
            FROM case_messages WHERE case_id = \(bind: caseId)
            ORDER BY created_at DESC, id DESC
            LIMIT \(literal: limit) OFFSET \(literal: offset)
            """).all()
        guard let first = rows.first else { return offset == 0 ? ([], 0) : nil }
        return (try rows.map(StaffCaseMessage.read), try first.decode(column: "total", as: Int.self))
    }

    /// How many messages the case has, internal notes included.
    public func messageCount(caseId: Int) async throws -> Int {
        try await database.requireSQL().raw("""
            SELECT COUNT(*) AS n FROM case_messages WHERE case_id = \(bind: caseId)
            """).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    private static let messageColumns = """
        id, case_id, author_kind, author_user_id, author_staff_id, author_person_id, author_name, body, \
        is_internal, created_at, text_key, text_params
        """

    public struct Actor: Sendable {
        public var staffId: Int
        public var name: String
        public init(staffId: Int, name: String) {
            self.staffId = staffId
            self.name = name
        }

        public var eventActor: EventActor { EventActor(staffId: staffId, name: name) }
    }

    public enum ChangeError: Error, Equatable {
        /// Someone saved the case after this edit's page was loaded.
        case stale
        case transitionNotAllowed(from: CaseStatus, to: CaseStatus)
        case notFound
    }

    /// One edited field: the shown names before and after, and how to apply it to the record.
    public struct Change: Sendable {
        public enum Field: Sendable, Equatable {
            case plain(CaseEventField)
            case handler
            case supplier
        }
        public var field: Field
        public var before: String?
        public var after: String?
        public var apply: @Sendable (CaseRecord) -> Void
        public init(field: Field, before: String?, after: String?, apply: @escaping @Sendable (CaseRecord) -> Void) {
            self.field = field
            self.before = before
            self.after = after
            self.apply = apply
        }

        var event: CaseEvent {
            switch field {
            case .plain(let field): return .fieldChanged(field, before: before, after: after)
            case .handler: return .handlerChanged(before: before, after: after)
            case .supplier: return .supplierChanged(before: before, after: after)
            }
        }
    }

    /// Applies edits made on a page that showed `version`; refuses when the case changed meanwhile.
    public func edit(caseId: Int, expectedVersion: Int, changes: [Change], by actor: Actor, at now: Date = Date()) async throws {
        try await database.transaction { tx in
            guard let record = try await CaseRecord.find(caseId, on: tx) else { throw ChangeError.notFound }
            guard record.version == expectedVersion else { throw ChangeError.stale }
            let real = changes.filter { $0.before != $0.after }
            guard !real.isEmpty else { return }
            for change in real { change.apply(record) }
            try await self.bump(record, at: now, on: tx)
            try await CaseSearchIndex.refresh(caseId: caseId, on: tx)
            for change in real {
                try await CaseEvents.append(change.event, caseId: caseId, by: actor.eventActor, at: now, on: tx)
            }
        }
    }

    /// Moves the case along the workflow; only the transitions `CaseStatus` allows.
    public func changeStatus(caseId: Int, to next: CaseStatus, expectedVersion: Int, by actor: Actor,
                             notifications: [OutboxRecord] = [], at now: Date = Date()) async throws {
        try await database.transaction { tx in
            guard let record = try await CaseRecord.find(caseId, on: tx) else { throw ChangeError.notFound }
            guard record.version == expectedVersion else { throw ChangeError.stale }
            guard record.status.canMove(to: next) else {
                throw ChangeError.transitionNotAllowed(from: record.status, to: next)
            }
            let before = record.status
            record.status = next
            record.lastActivityAt = now
            // B6: a resolved case waits for the customer's approval from now; the reminder clock restarts.
            record.resolvedAt = next == .resolved ? now.timeIntervalSince1970 : nil
            record.approvalRemindedAt = nil
            record.approvalUnreachedAt = nil
            record.closedAt = next == .closed ? now.timeIntervalSince1970 : nil
            try await self.bump(record, at: now, on: tx)
            for notification in notifications {
                notification.caseId = caseId
                try await notification.create(on: tx)
            }
            try await CaseEvents.append(.statusChanged(from: before, to: next), caseId: caseId, by: actor.eventActor, at: now, on: tx)
        }
    }

    /// A public message (seen by the customer) or an internal note (never shown in the portal).
    public func addMessage(caseId: Int, body: String, isInternal: Bool, by actor: Actor, notifications: [OutboxRecord] = [],
                           files: [StoredFileRecord] = [], at now: Date = Date()) async throws {
        // An internal note carries no files: the customer sees every case file.
        struct NoteWithFiles: Error {}
        guard files.isEmpty || !isInternal else { throw NoteWithFiles() }
        try await database.transaction { tx in
            if !isInternal {
                for notification in notifications { notification.caseId = caseId }
                try await OutboxRecord.insert(notifications, on: tx)
            }
            let message = try await CaseConversation.insert(caseId: caseId,
                                                            author: .init(kind: .staff, staffId: actor.staffId, name: actor.name),
                                                            body: body, isInternal: isInternal, at: now, on: tx)
            try await CaseEvents.append(isInternal ? .internalNote : .staffMessage, caseId: caseId, by: actor.eventActor,
                                        at: now, on: tx)
            if !files.isEmpty {
                try await VisibleFiles.attach(files, to: message, on: tx)
                try await CaseEvents.append(.filesUploaded(names: files.map(\.originalName)), caseId: caseId, by: actor.eventActor,
                                            at: now, on: tx)
            }
        }
    }

    /// Clears the case's unread customer activity and remembers when (D4: the next box names only
    /// what came after this).
    public func markRead(caseId: Int, at now: Date = Date()) async throws {
        try await CaseRecord.query(on: database).filter(\.$id == caseId)
            .set(\.$hasUnreadActivity, to: false).set(\.$staffReadAt, to: now.timeIntervalSince1970).update()
    }

    /// "Mark all as read" for one handler: only the cases assigned to them (D4). Returns how many it marked.
    public func markAllRead(handlerId: Int, at now: Date = Date()) async throws -> Int {
        try await database.transaction { tx in
            let ids = try await CaseRecord.query(on: tx).filter(\.$hasUnreadActivity == true).filter(\.$handlerId == handlerId)
                .all(\.$id).compactMap { $0 }
            guard !ids.isEmpty else { return 0 }
            try await CaseRecord.query(on: tx).filter(\.$id ~~ ids)
                .set(\.$hasUnreadActivity, to: false).set(\.$staffReadAt, to: now.timeIntervalSince1970).update()
            return ids.count
        }
    }

    private func bump(_ record: CaseRecord, at now: Date, on tx: any Database) async throws {
        record.version += 1
        record.updatedAt = now
        try await record.update(on: tx)
    }
}

/// A message as the back office's case page shows it: the portal's view of a message and whether it is an internal
/// note. Read into plain values: the page read them as Fluent models, whose building and release were 8.6 % of its
/// server CPU (perf, issue 17, session 29).
public struct StaffCaseMessage: Sendable, Equatable {
    public var message: PublicMessage
    public var isInternal: Bool

    static func read(_ row: any SQLRow) throws -> StaffCaseMessage {
        StaffCaseMessage(message: try PublicMessage.read(row), isInternal: try row.decode(column: "is_internal", as: Bool.self))
    }
}
