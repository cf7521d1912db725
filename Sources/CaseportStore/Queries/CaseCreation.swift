import CaseportCore
import FluentKit
import Foundation

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
            let record = CaseRecord()
            record.number = try await CaseNumbers.next(on: tx)
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
            record.hasUnreadActivity = new.origin == .portal
            record.version = 1
            try await record.create(on: tx)
            let caseId = try record.requireID()
            var linked = Set<Int>()
            if let primary = new.primaryContactId {
                try await CaseContactLink(caseId: caseId, contactId: primary, isPrimary: true).create(on: tx)
                linked.insert(primary)
            }
            for contact in new.otherContactIds where linked.insert(contact).inserted {
                try await CaseContactLink(caseId: caseId, contactId: contact, isPrimary: false).create(on: tx)
            }
            for (index, field) in new.fieldValues.enumerated() {
                try await CaseFieldValueRecord(caseId: caseId, fieldId: field.fieldId, label: field.label,
                                               value: field.value, sortOrder: index).create(on: tx)
            }
            for notification in notifications {
                notification.caseId = caseId
                try await notification.create(on: tx)
            }
            try await CaseSearchIndex.refresh(caseId: caseId, on: tx)
            return record
        }
    }
}
