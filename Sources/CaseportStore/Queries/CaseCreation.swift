import CaseportCore
import FluentKit
import Foundation

/// What is needed to register a case. Who may put it where is decided before this (CaseCreationRule).
public struct NewCase: Sendable {
    public var subject: String
    public var description: String
    public var status: CaseStatus = .new
    public var category: String?
    public var caseType: String?
    public var priority: String?
    public var customerId: Int?
    public var objectId: Int?
    public var primaryContactId: Int?
    public var otherContactIds: [Int] = []
    public var createdByUserId: Int?
    public var createdByStaffId: Int?
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
    /// Saves the case with the next number and links its contacts, all in one transaction.
    @discardableResult
    public static func create(_ new: NewCase, on database: any Database) async throws -> CaseRecord {
        try await database.transaction { tx in
            let record = CaseRecord()
            record.number = try await CaseNumbers.next(on: tx)
            record.subject = new.subject
            record.description = new.description
            record.status = new.status
            record.category = new.category
            record.caseType = new.caseType
            record.priority = new.priority
            record.customerId = new.customerId
            record.objectId = new.objectId
            record.primaryContactId = new.primaryContactId
            record.createdByUserId = new.createdByUserId
            record.createdByStaffId = new.createdByStaffId
            record.createdByName = new.createdByName
            record.origin = new.origin
            record.createdAt = new.createdAt
            record.updatedAt = new.createdAt
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
            return record
        }
    }
}
