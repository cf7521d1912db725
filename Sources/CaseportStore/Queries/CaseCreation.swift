import CaseportCore
import FluentKit
import Foundation
import SQLKit

/// What is needed to register a case. Who may put it where is decided before this (CaseCreationRule).
public struct NewCase: Sendable {
    public struct FieldValue: Sendable, Equatable {
        public var fieldId: Int?
        public var label: String
        public var value: String
        public init(fieldId: Int?, label: String, value: String) {
            self.fieldId = fieldId
            self.label = label
            self.value = value
        }
    }

    public var subject: String
    public var description: String
    public var status: CaseStatus = .new
    public var categoryId: Int?
    public var caseTypeId: Int?
    public var priorityId: Int?
    public var customerId: Int?
    public var objectId: Int?
    public var primaryContactId: Int?
    public var otherContactIds: [Int] = []
    public var workSiteAddress: String?
    public var referenceName: String?
    public var copyEmail: String?
    public var smsPhone: String?
    public var fieldValues: [FieldValue] = []
    public var handlerId: Int?
    public var createdByUserId: Int?
    public var createdByStaffId: Int?
    public var createdByPersonId: Int?
    public var createdByName: String
    public var origin: CaseOrigin
    public var createdAt: Date = Date()

    public init(subject: String, description: String, createdByName: String, origin: CaseOrigin) {
        self.subject = subject
        self.description = description
        self.createdByName = createdByName
        self.origin = origin
    }
}

public enum CaseCreation {
    /// Saves the case with the next number, its contacts, extra field values and search entry, and
    /// any notifications, all in one transaction.
    @discardableResult
    public static func create(_ new: NewCase, notifications: [OutboxRecord] = [],
                              on database: any Database) async throws -> CaseRecord {
        try await database.transaction { tx in
            // Plain SQL (issue 17 point 5): Fluent's model create walked CaseRecord's thirty properties by
            // reflection; on PostgreSQL the number's `nextval` is part of the insert.
            let sql = try tx.requireSQL()
            let postgres = sql.dialect.name != "sqlite"
            let number: SQLQueryString = postgres
                ? "nextval('\(unsafeRaw: CaseNumbers.sequenceName)')" : "\(bind: try await CaseNumbers.next(on: tx))"
            let unread = new.origin == .portal
            // The contacts, the primary one first.
            var links: [(contact: Int, primary: Bool)] = []
            if let primary = new.primaryContactId { links.append((primary, true)) }
            for contact in new.otherContactIds where !links.contains(where: { $0.contact == contact }) { links.append((contact, false)) }
            let insert: SQLQueryString = """
                INSERT INTO cases (number, subject, description, status, category_id, case_type_id, priority_id, customer_id,
                                   object_id, primary_contact_id, work_site_address, reference_name, copy_email, sms_phone,
                                   created_by_user_id, created_by_staff_id, created_by_person_id, created_by_name, origin,
                                   created_at, updated_at, last_activity_at, handler_id, has_unread_activity, version)
                VALUES (\(number), \(bind: new.subject), \(bind: new.description), \(bind: new.status.rawValue),
                        \(bind: new.categoryId), \(bind: new.caseTypeId), \(bind: new.priorityId), \(bind: new.customerId),
                        \(bind: new.objectId), \(bind: new.primaryContactId), \(bind: new.workSiteAddress),
                        \(bind: new.referenceName), \(bind: new.copyEmail), \(bind: new.smsPhone), \(bind: new.createdByUserId),
                        \(bind: new.createdByStaffId), \(bind: new.createdByPersonId), \(bind: new.createdByName),
                        \(bind: new.origin.rawValue), \(bind: new.createdAt), \(bind: new.createdAt), \(bind: new.createdAt),
                        \(bind: new.handlerId), \(bind: unread), \(bind: 1))
                RETURNING id, number
                """
            let row: (any SQLRow)?
            if postgres {
                // One statement on PostgreSQL (issue 17 point 5): the case, its contacts and its search document
                // with its new words — the document `CaseSearchIndex.refresh` would make for a case without
                // messages (tested), so it is not read back. Three statements fewer per new case.
                let contacts: SQLQueryString = links.isEmpty ? "" : """
                    , k AS (INSERT INTO case_contacts (case_id, contact_id, is_primary)
                            SELECT c.id, x.contact_id, x.is_primary FROM c, (VALUES \(SQLList(links.map { link -> any SQLExpression in
                                SQLQueryString("(\(bind: link.contact), \(bind: link.primary))")
                            }))) AS x (contact_id, is_primary))
                    """
                row = try await sql.raw("""
                    WITH c AS (\(insert))\(contacts),
                    d AS (INSERT INTO case_search (case_id, document)
                          SELECT c.id, to_tsvector('simple', c.number::text || chr(10) || \(bind: CaseSearchIndex.text(subject: new.subject, description: new.description))
                                 || chr(10) || \(bind: CaseSearchIndex.tokens(customerId: new.customerId, objectId: new.objectId))
                                 || COALESCE(' zzw' || (SELECT o.customer_id FROM objects o WHERE o.id = \(bind: new.objectId)), '')
                                 || \(bind: links.map { " zzk\($0.contact)" }.joined()))
                          FROM c
                          RETURNING document),
                    w AS (INSERT INTO search_words (word)
                          SELECT x FROM d, unnest(tsvector_to_array(d.document)) x WHERE x !~ '^zz[cowk][0-9]+$'
                          ON CONFLICT DO NOTHING)
                    SELECT id, number FROM c
                    """).first()
            } else {
                row = try await sql.raw(insert).first()
            }
            guard let row else { throw StoreError.insertReturnedNothing(CaseRecord.schema) }
            let caseId = try row.decode(column: "id", as: Int.self)
            let record = CaseRecord()
            record.id = caseId
            record.$id.exists = true
            record.number = try row.decode(column: "number", as: Int.self)
            record.subject = new.subject
            record.description = new.description
            record.status = new.status
            record.categoryId = new.categoryId
            record.caseTypeId = new.caseTypeId
            record.priorityId = new.priorityId
            record.customerId = new.customerId
            record.objectId = new.objectId
            record.primaryContactId = new.primaryContactId
            record.workSiteAddress = new.workSiteAddress
            record.referenceName = new.referenceName
            record.copyEmail = new.copyEmail
            record.smsPhone = new.smsPhone
            record.createdByUserId = new.createdByUserId
            record.createdByStaffId = new.createdByStaffId
            record.createdByPersonId = new.createdByPersonId
            record.createdByName = new.createdByName
            record.origin = new.origin
            record.createdAt = new.createdAt
            record.updatedAt = new.createdAt
            record.lastActivityAt = new.createdAt
            record.handlerId = new.handlerId
            record.hasUnreadActivity = unread
            record.version = 1
            // SQLite: the contacts in one statement. The type's field values, each in one statement.
            if !postgres, !links.isEmpty {
                let rows = SQLList(links.map { link -> any SQLExpression in
                    SQLQueryString("(\(bind: caseId), \(bind: link.contact), \(bind: link.primary))")
                })
                try await sql.raw("INSERT INTO case_contacts (case_id, contact_id, is_primary) VALUES \(rows)").run()
            }
            if !new.fieldValues.isEmpty {
                let rows = SQLList(new.fieldValues.enumerated().map { index, field -> any SQLExpression in
                    SQLQueryString("(\(bind: caseId), \(bind: field.fieldId), \(bind: field.label), \(bind: field.value), \(bind: index))")
                })
                try await sql.raw("INSERT INTO case_field_values (case_id, field_id, label, value, sort_order) VALUES \(rows)").run()
            }
            for notification in notifications { notification.caseId = caseId }
            try await OutboxRecord.insert(notifications, on: tx)
            if !postgres { try await CaseSearchIndex.refresh(caseId: caseId, on: tx) }
            return record
        }
    }
}
