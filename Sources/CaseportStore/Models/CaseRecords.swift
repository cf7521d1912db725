import CaseportCore
import FluentKit
import Foundation

/// A case (ärende / sag / sak). Read through `VisibleCases` in the portal, never directly.
public final class CaseRecord: Model, @unchecked Sendable {
    public static let schema = "cases"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    /// The human-readable number, sequential across the deployment (see `CaseNumbers`).
    @Field(key: "number") public var number: Int
    @Field(key: "subject") public var subject: String
    @Field(key: "description") public var description: String
    @Field(key: "status") public var status: CaseStatus
    @OptionalField(key: "category_id") public var categoryId: Int?
    @OptionalField(key: "case_type_id") public var caseTypeId: Int?
    @OptionalField(key: "priority_id") public var priorityId: Int?
    @OptionalField(key: "work_site_address") public var workSiteAddress: String?
    @OptionalField(key: "reference_name") public var referenceName: String?
    /// Where the customer asked for a copy by e-mail, and the phone for "SMS me on new messages" (B4).
    @OptionalField(key: "copy_email") public var copyEmail: String?
    @OptionalField(key: "sms_phone") public var smsPhone: String?
    @OptionalField(key: "customer_id") public var customerId: Int?
    @OptionalField(key: "object_id") public var objectId: Int?
    @OptionalField(key: "primary_contact_id") public var primaryContactId: Int?
    @OptionalField(key: "created_by_user_id") public var createdByUserId: Int?
    @OptionalField(key: "created_by_staff_id") public var createdByStaffId: Int?
    /// The staff member handling the case, and the supplier sent to do the work (D3).
    @OptionalField(key: "handler_id") public var handlerId: Int?
    @OptionalField(key: "supplier_id") public var supplierId: Int?
    /// Set when the customer writes or uploads; cleared when staff read the case (D4).
    @Field(key: "has_unread_activity") public var hasUnreadActivity: Bool
    /// Raised by every staff edit, so an edit based on an older page is refused instead of overwriting.
    @Field(key: "version") public var version: Int
    /// The person on a shared account who registered the case (A8).
    @OptionalField(key: "created_by_person_id") public var createdByPersonId: Int?
    /// The author's name as shown in lists, kept so it survives renames and deletions.
    @Field(key: "created_by_name") public var createdByName: String
    @Field(key: "origin") public var origin: CaseOrigin
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "updated_at") public var updatedAt: Date
    /// The last change a customer can see (message, file, status); compared with `case_reads`
    /// for the "new information" marker.
    @Field(key: "last_activity_at") public var lastActivityAt: Date
    /// Unix seconds when staff marked the case resolved, and when the approval reminder went out (B6).
    @OptionalField(key: "resolved_at") public var resolvedAt: Double?
    @OptionalField(key: "approval_reminded_at") public var approvalRemindedAt: Double?
    /// Unix seconds when staff last marked the customer's activity read (D4, M020).
    @OptionalField(key: "staff_read_at") public var staffReadAt: Double?
    /// B6: when the approval round found nobody to remind (Unix seconds); the case then stays resolved
    /// and is listed for staff instead of closing. Cleared by the next status change. M021.
    @OptionalField(key: "approval_unreached_at") public var approvalUnreachedAt: Double?
    /// When the case was last moved to closed (Unix seconds, M025); nil while it is not closed. The lead-time
    /// dashboard and the monthly report read `closed_at − created_at`.
    @OptionalField(key: "closed_at") public var closedAt: Double?
    /// E3 (M029): a legal hold — the retention run never touches the case while it is set.
    @OptionalField(key: "legal_hold_reason") public var legalHoldReason: String?
    @OptionalField(key: "legal_hold_by") public var legalHoldBy: String?
    @OptionalField(key: "legal_hold_at") public var legalHoldAt: Double?
    /// E3 (M029): when the retention run last cleared each kind of personal data (Unix seconds).
    @OptionalField(key: "retention_contacts_at") public var retentionContactsAt: Double?
    @OptionalField(key: "retention_texts_at") public var retentionTextsAt: Double?
    @OptionalField(key: "retention_files_at") public var retentionFilesAt: Double?
    @OptionalField(key: "retention_chat_at") public var retentionChatAt: Double?

    public init() {}
}

/// A contact linked to a case. The primary contact is always linked too, so "cases the contact is
/// linked to" (A7) is one look-up in this table.
public final class CaseContactLink: Model, @unchecked Sendable {
    public static let schema = "case_contacts"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "case_id") public var caseId: Int
    @Field(key: "contact_id") public var contactId: Int
    @Field(key: "is_primary") public var isPrimary: Bool
    /// Issue 13 (M034): "policyholder" or "contact_person" on a claim; nil for an ordinary link.
    @OptionalField(key: "role") public var role: String?
    public init() {}
    public init(caseId: Int, contactId: Int, isPrimary: Bool) {
        self.caseId = caseId
        self.contactId = contactId
        self.isPrimary = isPrimary
    }
}
