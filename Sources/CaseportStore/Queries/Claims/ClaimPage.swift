import CaseportCore
import FluentKit
import Foundation
import SQLKit

/// What a claim's customer page reads (issue 13, C1–C6), always for ONE case: every query takes the
/// viewer's case id and has it in its SQL, so nothing of another case is ever read. The personal
/// link (or the staff preview) decides the case; this type never widens it.
public struct ClaimPage: Sendable {
    let database: any Database
    public init(database: any Database) { self.database = database }

    // MARK: Case information (C1)

    public struct Info: Codable, Sendable, Equatable {
        public var caseId: Int
        public var number: Int
        public var subject: String
        public var status: String
        public var workSiteAddress: String?
        public var objectAddress: String?
        public var incidentAt: Date?
        public var damageType: String?
        public var handlerName: String?
        public var handlerMobile: String?
        /// The case's customer (an insurer or a landlord): the name the feed's "reopened" line gives.
        public var customerName: String?
        public var closedAt: Double?
    }

    /// The case's information when it is a claim (has claim details); nil otherwise.
    public func info(caseId: Int) async throws -> Info? {
        try await database.requireSQL().raw("""
            SELECT c.id AS case_id, c.number, c.subject, c.status, c.work_site_address, o.address AS object_address,
                   d.incident_at, d.damage_type, s.name AS handler_name, s.mobile AS handler_mobile,
                   cu.name AS customer_name, c.closed_at
            FROM cases c
            JOIN claim_details d ON d.case_id = c.id
            LEFT JOIN staff_users s ON s.id = c.handler_id
            LEFT JOIN customers cu ON cu.id = c.customer_id
            LEFT JOIN objects o ON o.id = c.object_id
            WHERE c.id = \(bind: caseId)
            """).first(decoding: Info.self, with: Self.decoder)
    }

    public struct Contact: Codable, Sendable, Equatable {
        public var contactId: Int
        public var firstName: String
        public var lastName: String
        public var email: String?
        public var phone: String?
        /// "policyholder", "contact_person" or nil (an ordinary link).
        public var role: String?
        public var isPrimary: Bool
        public var name: String { "\(firstName) \(lastName)".trimmingCharacters(in: .whitespaces) }
    }

    /// The case's contacts: the contact person(s) first, then the policyholder, then the others.
    public func contacts(caseId: Int) async throws -> [Contact] {
        let rows = try await database.requireSQL().raw("""
            SELECT ct.id AS contact_id, ct.first_name, ct.last_name, ct.email, ct.phone, cc.role, cc.is_primary
            FROM case_contacts cc JOIN contacts ct ON ct.id = cc.contact_id
            WHERE cc.case_id = \(bind: caseId)
            ORDER BY ct.last_name, ct.first_name, ct.id
            """).all(decoding: Contact.self, with: Self.decoder)
        func rank(_ c: Contact) -> Int { c.role == "contact_person" ? 0 : c.role == "policyholder" ? 1 : c.isPrimary ? 2 : 3 }
        return rows.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }.map(\.element)
    }

    // MARK: News feed (C1)

    /// The event kinds that can give an entry of the filter (several entries share a kind: a status
    /// change is "closed" or "reopened", a task start is the main inspection's or another task's).
    public static func kinds(for entries: Set<ClaimFeedEntry>) -> [String] {
        var kinds = Set<CaseEvent.Kind>()
        for entry in entries {
            switch entry {
            case .callHistory: kinds.insert(.callLogged)
            case .expertAssigned: kinds.insert(.expertAssigned)
            case .mainInspectionStarted: kinds.insert(.taskStarted)
            case .mainInspectionFinished: kinds.insert(.taskFinished)
            case .compensationDecision: kinds.insert(.compensationDecided)
            case .taskStartedFinished: kinds.formUnion([.taskStarted, .taskFinished])
            case .caseClosed, .caseReopened: kinds.insert(.statusChanged)
            case .inspectionOfficeChanged, .repairOfficeChanged: kinds.insert(.taskOfficeChanged)
            case .tasksAdded: kinds.insert(.taskAdded)
            case .repairResponsibleChanged: kinds.insert(.taskResponsibleChanged)
            case .projectManagerChanged: kinds.insert(.projectManagerChanged)
            case .projectManagerOfficeChanged: kinds.insert(.projectManagerOfficeChanged)
            case .appointmentChanged: kinds.insert(.appointmentChanged)
            case .taskScheduleChanged: kinds.insert(.taskScheduleChanged)
            case .messageToCustomer: kinds.insert(.staffMessage)
            case .documentShared: kinds.insert(.documentShared)
            case .documentUnshared: kinds.insert(.documentUnshared)
            }
        }
        return kinds.map(\.rawValue).sorted()
    }

    public struct FeedItem: Sendable, Equatable {
        public var event: StoredCaseEvent
        public var entry: ClaimFeedEntry
    }

    public struct FeedPage: Sendable, Equatable {
        public var items: [FeedItem]
        public var hasMore: Bool
    }

    /// The customer's news feed, newest first: the case's customer-audience events whose filter entry
    /// is chosen. Internal (staff-audience) events never; `offset`/`limit` page through what is shown.
    /// Reads in batches (the kinds in SQL, the exact entry after decoding) until the page is full.
    public func feed(caseId: Int, filter: Set<ClaimFeedEntry>, offset: Int = 0, limit: Int = 30) async throws -> FeedPage {
        let kinds = Self.kinds(for: filter)
        guard !kinds.isEmpty, limit > 0 else { return FeedPage(items: [], hasMore: false) }
        let wanted = offset + limit + 1
        // Nearly every row of these kinds is shown: a little more than the page is usually one query;
        // when entries were filtered out, each further batch is twice the last.
        var batch = max(30, wanted + 8)
        var found: [FeedItem] = []
        var read = 0
        while found.count < wanted {
            let rows = try await CaseEventRecord.query(on: database)
                .filter(\.$caseId == caseId)
                .filter(\.$audience == EventAudience.customer.rawValue)
                .filter(\.$kind ~~ kinds)
                .sort(\.$at, .descending).sort(\.$id, .descending)
                .range(read..<(read + batch)).all()
            read += rows.count
            for row in rows {
                let stored = try CaseEvents.decode(row)
                if let entry = ClaimFeedEntry.entry(for: stored.event), filter.contains(entry) {
                    found.append(FeedItem(event: stored, entry: entry))
                }
            }
            if rows.count < batch { break }
            batch *= 2
        }
        let page = Array(found.dropFirst(offset).prefix(limit))
        return FeedPage(items: page, hasMore: found.count > offset + limit)
    }

    // MARK: Tasks (C1 plan, C2)

    public struct Task: Codable, Sendable, Equatable {
        public var id: Int
        public var kind: String
        public var title: String
        public var state: String
        public var description: String
        public var startsAt: Date?
        public var endsAt: Date?
        public var supplierName: String?
        public var supplierPhone: String?
        public var responsibleName: String?
        public var responsiblePhone: String?
        /// Media are attached to the task (never counted for inspections: their media are never shown).
        public var mediaCount: Int

        public var taskKind: ClaimTaskKind? { ClaimTaskKind(rawValue: kind) }
        public var isInspection: Bool { kind == ClaimTaskKind.inspection.rawValue || kind == ClaimTaskKind.mainInspection.rawValue }
    }

    /// The case's tasks by start (unscheduled last), then by id. `upcomingFrom`: only tasks not finished
    /// that end (or start) at or after that time, or have no time yet — the overview's plan.
    public func tasks(caseId: Int, upcomingFrom: Date? = nil, limit: Int = 200) async throws -> [Task] {
        let sql = try database.requireSQL()
        var upcoming: SQLQueryString = ""
        if let upcomingFrom {
            upcoming = " AND t.state <> \(bind: ClaimTaskState.finished.rawValue) AND (COALESCE(t.ends_at, t.starts_at) IS NULL OR COALESCE(t.ends_at, t.starts_at) >= \(bind: upcomingFrom))"
        }
        let query: SQLQueryString = """
            SELECT t.id, t.kind, t.title, t.state, t.description, t.starts_at, t.ends_at, s.name AS supplier_name,
                   s.phone AS supplier_phone, t.responsible_name, t.responsible_phone,
                   CASE WHEN t.kind IN (\(bind: ClaimTaskKind.inspection.rawValue), \(bind: ClaimTaskKind.mainInspection.rawValue)) THEN 0
                        ELSE COALESCE(m.n, 0) END AS media_count
            FROM claim_tasks t LEFT JOIN suppliers s ON s.id = t.supplier_id
            LEFT JOIN (SELECT f.task_id, COUNT(*) AS n FROM files f
                       WHERE f.case_id = \(bind: caseId) AND f.task_id IS NOT NULL AND f.removed_at IS NULL GROUP BY f.task_id) m
              ON m.task_id = t.id
            WHERE t.case_id = \(bind: caseId)
            """ + upcoming + """
             ORDER BY CASE WHEN t.starts_at IS NULL THEN 1 ELSE 0 END, t.starts_at, t.id
            LIMIT \(literal: limit)
            """
        return try await sql.raw(query).all(decoding: Task.self, with: Self.decoder)
    }

    // MARK: Messages (C3)

    public struct MessageFile: Codable, Sendable, Equatable {
        public var id: Int
        public var messageId: Int
        public var originalName: String
        public var contentType: String
        public var byteSize: Int
    }

    /// The case's public messages (never internal notes), newest first. `onlyAuthor`: only the
    /// customer's messages written under that name (the "only from the customer" direction).
    public func messages(caseId: Int, onlyAuthor: String? = nil, limit: Int = 50, offset: Int = 0) async throws -> [PublicMessage] {
        var only: SQLQueryString = ""
        if let onlyAuthor {
            only = " AND author_kind = \(bind: MessageAuthorKind.customer.rawValue) AND author_name = \(bind: onlyAuthor)"
        }
        let query: SQLQueryString = """
            SELECT id, author_kind, author_name, body, created_at, text_key, text_params FROM case_messages
            WHERE case_id = \(bind: caseId) AND is_internal = \(false)
            """ + only + """
             ORDER BY created_at DESC, id DESC
            LIMIT \(literal: limit) OFFSET \(literal: offset)
            """
        return try await database.requireSQL().raw(query).all(decoding: PublicMessage.self, with: Self.decoder)
    }

    /// The shared files that came with these messages (of this case).
    public func messageFiles(caseId: Int, messageIds: [Int]) async throws -> [MessageFile] {
        guard !messageIds.isEmpty else { return [] }
        return try await database.requireSQL().raw("""
            SELECT f.id, f.message_id, f.original_name, f.content_type, f.byte_size FROM files f
            WHERE f.case_id = \(bind: caseId) AND f.message_id IN (\(binds: messageIds)) AND f.removed_at IS NULL
              AND \(VisibleFiles.sharedPredicate)
            ORDER BY f.id
            """).all(decoding: MessageFile.self, with: Self.decoder)
    }

    // MARK: Documents (C4)

    public struct Document: Codable, Sendable, Equatable {
        public var id: Int
        public var category: String?
        public var title: String?
        public var originalName: String
        public var contentType: String
        public var uploaderName: String
        public var createdAt: Date
        public var displayTitle: String { (title?.isEmpty == false ? title : nil) ?? originalName }
    }

    /// The case's shared documents, newest first.
    public func documents(caseId: Int, limit: Int = 500) async throws -> [Document] {
        try await database.requireSQL().raw("""
            SELECT f.id, f.category, f.title, f.original_name, f.content_type, f.uploader_name, f.created_at FROM files f
            WHERE f.case_id = \(bind: caseId) AND f.removed_at IS NULL AND \(VisibleFiles.sharedPredicate)
            ORDER BY f.created_at DESC, f.id DESC
            LIMIT \(literal: limit)
            """).all(decoding: Document.self, with: Self.decoder)
    }

    /// One shared document of this case for download; nil for another case's file, an unshared one,
    /// a task's medium or a removed one. `onlyMessageFiles`: only a file that came with one of the
    /// case's public messages (the Messages tab is shown, the Documents tab is not).
    public func document(caseId: Int, fileId: Int, onlyMessageFiles: Bool = false) async throws -> StoredFileRecord? {
        let messageOnly: SQLQueryString = onlyMessageFiles
            ? " AND EXISTS (SELECT 1 FROM case_messages pm WHERE pm.id = f.message_id AND pm.case_id = \(bind: caseId) AND pm.is_internal = \(false))"
            : ""
        let query: SQLQueryString = """
            SELECT f.id FROM files f
            WHERE f.id = \(bind: fileId) AND f.case_id = \(bind: caseId) AND f.removed_at IS NULL
              AND \(VisibleFiles.sharedPredicate)
            """ + messageOnly
        let row = try await database.requireSQL().raw(query).first()
        guard let id = try row?.decode(column: "id", as: Int.self) else { return nil }
        return try await StoredFileRecord.query(on: database).filter(\.$id == id).filter(\.$caseId == caseId).first()
    }

    static let decoder = SQLRowDecoder(keyDecodingStrategy: .convertFromSnakeCase)
}
