import CaseportCore
import FluentKit
import Foundation
import FluentSQL
import SQLKit

/// The inquiry inbox (D2): portal submissions waiting for staff when the deployment takes inquiries
/// first. Staff turn one into a case (edited or unchanged) or delete it.
public struct Inquiries: Sendable {
    let database: any Database
    public init(database: any Database) { self.database = database }

    public enum InquiryError: Error, Equatable {
        /// Someone else processed or deleted it meanwhile.
        case alreadyProcessed
    }

    /// Saves what the customer sent, exactly as a case would have been saved.
    @discardableResult
    public func submit(_ new: NewCase, senderEmail: String?, senderPhone: String?) async throws -> InquiryRecord {
        let record = InquiryRecord()
        record.status = .new
        record.createdAt = new.createdAt
        record.subject = new.subject
        record.description = new.description
        record.caseTypeId = new.caseTypeId
        record.categoryId = new.categoryId
        record.customerId = new.customerId
        record.objectId = new.objectId
        record.primaryContactId = new.primaryContactId
        record.workSiteAddress = new.workSiteAddress
        record.referenceName = new.referenceName
        record.copyEmail = new.copyEmail
        record.smsPhone = new.smsPhone
        record.fieldValues = new.fieldValues.map { InquiryRecord.FieldValue(fieldId: $0.fieldId, label: $0.label, value: $0.value) }
        record.createdByUserId = new.createdByUserId
        record.createdByPersonId = new.createdByPersonId
        record.senderName = new.createdByName
        record.senderEmail = senderEmail
        record.senderPhone = senderPhone
        try await record.create(on: database)
        return record
    }

    /// The header badge: one index look-up on (status, created_at).
    public func countNew() async throws -> Int {
        try await InquiryRecord.query(on: database).filter(\.$status == .new).count()
    }

    /// Unprocessed inquiries, newest first; with `assignedTo`, only those whose customer or object has
    /// that staff member as its handler (M023).
    public func waiting(offset: Int = 0, limit: Int = 50, assignedTo handlerId: Int? = nil) async throws -> [InquiryRecord] {
        try await unprocessed(assignedTo: handlerId)
            .sort(\.$createdAt, .descending).sort(\.$id, .descending).range(offset..<(offset + limit)).all()
    }

    /// How many unprocessed inquiries `waiting(assignedTo:)` has in all.
    public func countNew(assignedTo handlerId: Int?) async throws -> Int {
        try await unprocessed(assignedTo: handlerId).count()
    }

    func unprocessed(assignedTo handlerId: Int?) -> QueryBuilder<InquiryRecord> {
        let query = InquiryRecord.query(on: database).filter(\.$status == .new)
        guard let handlerId else { return query }
        // Two indexed sub-selects (customers_handler_id, objects_handler_id) rather than a list of ids,
        // so a handler with many customers costs no more than one with few. `handlerId` is an Int.
        return query.filter(.sql(unsafeRaw: """
            (customer_id IN (SELECT id FROM customers WHERE handler_id = \(handlerId)) \
            OR object_id IN (SELECT id FROM objects WHERE handler_id = \(handlerId)))
            """))
    }

    public func find(id: Int) async throws -> InquiryRecord? {
        try await InquiryRecord.find(id, on: database)
    }

    /// What one portal user sent, newest first (the portal's "my inquiries"; nobody else's).
    public func sentBy(userId: Int, limit: Int = 100) async throws -> [InquiryRecord] {
        try await InquiryRecord.query(on: database).filter(\.$createdByUserId == userId)
            .sort(\.$createdAt, .descending).sort(\.$id, .descending).limit(limit).all()
    }

    /// The case as the inquiry would make it unchanged; callers adjust it before `createCase`.
    public static func newCase(from inquiry: InquiryRecord) -> NewCase {
        var new = NewCase(subject: inquiry.subject, description: inquiry.description,
                          createdByName: inquiry.senderName, origin: .portal)
        new.caseTypeId = inquiry.caseTypeId
        new.categoryId = inquiry.categoryId
        new.customerId = inquiry.customerId
        new.objectId = inquiry.objectId
        new.primaryContactId = inquiry.primaryContactId
        new.workSiteAddress = inquiry.workSiteAddress
        new.referenceName = inquiry.referenceName
        new.copyEmail = inquiry.copyEmail
        new.smsPhone = inquiry.smsPhone
        new.fieldValues = inquiry.fieldValues.map { NewCase.FieldValue(fieldId: $0.fieldId, label: $0.label, value: $0.value) }
        new.createdByUserId = inquiry.createdByUserId
        new.createdByPersonId = inquiry.createdByPersonId
        new.createdAt = Date()
        return new
    }

    /// Makes the case, marks the inquiry processed and links the two, in one transaction. The claim
    /// (`UPDATE … WHERE status = 'new' RETURNING`) makes a double submit or two staff at once create
    /// one case, not two.
    /// - Parameter notifications: made once the case (and so its number) exists; queued in the same transaction.
    public func createCase(inquiryId: Int, _ new: NewCase, processedBy name: String, staffId: Int? = nil,
                           notifications: @escaping @Sendable (CaseRecord) -> [OutboxRecord] = { _ in [] }) async throws -> CaseRecord {
        try await database.transaction { tx in
            let sql = try tx.requireSQL()
            let claimed = try await sql.raw("""
                UPDATE inquiries SET status = 'processed' WHERE id = \(bind: inquiryId) AND status = 'new' RETURNING id
                """).first()
            guard claimed != nil else { throw InquiryError.alreadyProcessed }
            let record = try await CaseCreation.create(new, on: tx)
            for notification in notifications(record) {
                notification.caseId = try record.requireID()
                try await notification.create(on: tx)
            }
            if let inquiry = try await InquiryRecord.find(inquiryId, on: tx) {
                inquiry.caseId = try record.requireID()
                inquiry.processedAt = Date()
                inquiry.processedByName = name
                try await inquiry.update(on: tx)
            }
            // The timeline says who made the case from the inquiry, and when (D3).
            try await CaseEvents.append(.createdFromInquiry, caseId: try record.requireID(),
                                        by: EventActor(staffId: staffId, name: name), at: Date(), on: tx)
            return record
        }
    }

    /// Deletes unprocessed inquiries; returns how many went.
    @discardableResult
    public func delete(ids: [Int]) async throws -> Int {
        guard !ids.isEmpty else { return 0 }
        let doomed = try await InquiryRecord.query(on: database).filter(\.$id ~~ ids).filter(\.$status == .new).count()
        try await InquiryRecord.query(on: database).filter(\.$id ~~ ids).filter(\.$status == .new).delete()
        return doomed
    }
}
