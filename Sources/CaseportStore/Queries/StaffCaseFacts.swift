import CaseportCore
import FluentKit
import Foundation
import SQLKit

/// The case's own columns that the back office's case page and its parts read (the edit form, the sent
/// details, the unread box, the claim panel, the customer access), read by plain SQL column by column
/// (issue 17, session 21: Fluent's query and model decoding of the whole `CaseRecord` was a tenth of the
/// page's server CPU in perf). For reading only: writes go through the operations, which read the model.
public struct StaffCaseFacts: Sendable, Equatable {
    public var id: Int
    public var number: Int
    public var version: Int
    public var status: CaseStatus
    public var subject: String
    public var description: String
    public var categoryId: Int?
    public var caseTypeId: Int?
    public var priorityId: Int?
    public var handlerId: Int?
    public var supplierId: Int?
    public var customerId: Int?
    public var objectId: Int?
    public var workSiteAddress: String?
    public var referenceName: String?
    public var copyEmail: String?
    public var smsPhone: String?
    public var createdByName: String
    public var createdByUserId: Int?
    public var createdByStaffId: Int?
    public var createdByPersonId: Int?
    public var origin: CaseOrigin
    public var createdAt: Date
    public var hasUnreadActivity: Bool
    /// Unix seconds when staff last marked the customer's activity read (D4).
    public var staffReadAt: Double?
    /// E3: the reason of the case's legal hold, nil when it is on none.
    public var legalHoldReason: String?
    /// Which of the page's optional parts the case has, read with the facts by `StaffCases.facts(number:)`.
    public var parts: StaffCases.PageParts = .unknown

    static let columns = """
        id, number, version, status, subject, description, category_id, case_type_id, priority_id, handler_id, supplier_id,
        customer_id, object_id, work_site_address, reference_name, copy_email, sms_phone, created_by_name, created_by_user_id,
        created_by_staff_id, created_by_person_id, origin, created_at, has_unread_activity, staff_read_at, legal_hold_reason
        """
}

// In an extension, so the struct keeps its memberwise initializer (the page's tests build facts with it).
extension StaffCaseFacts {
    init(row: any SQLRow) throws {
        id = try row.decode(column: "id", as: Int.self)
        number = try row.decode(column: "number", as: Int.self)
        version = try row.decode(column: "version", as: Int.self)
        status = try row.decodeRaw(column: "status", as: CaseStatus.self)
        subject = try row.decode(column: "subject", as: String.self)
        description = try row.decode(column: "description", as: String.self)
        categoryId = try row.decodeOptional(column: "category_id", as: Int.self)
        caseTypeId = try row.decodeOptional(column: "case_type_id", as: Int.self)
        priorityId = try row.decodeOptional(column: "priority_id", as: Int.self)
        handlerId = try row.decodeOptional(column: "handler_id", as: Int.self)
        supplierId = try row.decodeOptional(column: "supplier_id", as: Int.self)
        customerId = try row.decodeOptional(column: "customer_id", as: Int.self)
        objectId = try row.decodeOptional(column: "object_id", as: Int.self)
        workSiteAddress = try row.decodeOptional(column: "work_site_address", as: String.self)
        referenceName = try row.decodeOptional(column: "reference_name", as: String.self)
        copyEmail = try row.decodeOptional(column: "copy_email", as: String.self)
        smsPhone = try row.decodeOptional(column: "sms_phone", as: String.self)
        createdByName = try row.decode(column: "created_by_name", as: String.self)
        createdByUserId = try row.decodeOptional(column: "created_by_user_id", as: Int.self)
        createdByStaffId = try row.decodeOptional(column: "created_by_staff_id", as: Int.self)
        createdByPersonId = try row.decodeOptional(column: "created_by_person_id", as: Int.self)
        origin = try row.decodeRaw(column: "origin", as: CaseOrigin.self)
        createdAt = try row.decode(column: "created_at", as: Date.self)
        hasUnreadActivity = try row.decode(column: "has_unread_activity", as: Bool.self)
        staffReadAt = try row.decodeOptional(column: "staff_read_at", as: Double.self)
        legalHoldReason = try row.decodeOptional(column: "legal_hold_reason", as: String.self)
        parts = try StaffCases.PageParts(row: row)
    }
}

extension StaffCases {
    /// The case's facts by its number, with which of the page's optional parts it has; nil when there is none
    /// (staff see every case).
    public func facts(number: Int) async throws -> StaffCaseFacts? {
        try await database.requireSQL().raw("""
            SELECT \(unsafeRaw: StaffCaseFacts.columns), \(unsafeRaw: PageParts.columns) FROM cases WHERE number = \(bind: number)
            """).first().map(StaffCaseFacts.init(row:))
    }
}
