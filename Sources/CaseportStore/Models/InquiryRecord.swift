import FluentKit
import Foundation

/// A portal submission waiting in the staff inbox (D2), when the deployment takes inquiries first.
/// It holds what the customer sent, unchanged; "create case" makes a case from it and links it here.
/// It is not a case: case lists, numbers, search and the A7 rule never see it. In the portal only
/// its sender reads it (`Inquiries.sentBy`).
public final class InquiryRecord: Model, @unchecked Sendable {
    public static let schema = "inquiries"
    public enum Status: String, Codable, Sendable { case new, processed }

    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "status") public var status: Status
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "subject") public var subject: String
    @Field(key: "description") public var description: String
    @OptionalField(key: "case_type_id") public var caseTypeId: Int?
    @OptionalField(key: "category_id") public var categoryId: Int?
    @OptionalField(key: "customer_id") public var customerId: Int?
    @OptionalField(key: "object_id") public var objectId: Int?
    @OptionalField(key: "primary_contact_id") public var primaryContactId: Int?
    @OptionalField(key: "work_site_address") public var workSiteAddress: String?
    @OptionalField(key: "reference_name") public var referenceName: String?
    @OptionalField(key: "copy_email") public var copyEmail: String?
    @OptionalField(key: "sms_phone") public var smsPhone: String?
    /// The type's extra fields as JSON: [{fieldId, label, value}], labels kept as they were asked.
    @Field(key: "field_values") public var fieldValuesJSON: String
    @OptionalField(key: "created_by_user_id") public var createdByUserId: Int?
    @OptionalField(key: "created_by_person_id") public var createdByPersonId: Int?
    @Field(key: "sender_name") public var senderName: String
    @OptionalField(key: "sender_email") public var senderEmail: String?
    @OptionalField(key: "sender_phone") public var senderPhone: String?
    /// Set when processed: the case made from it (nil when it was deleted instead).
    @OptionalField(key: "case_id") public var caseId: Int?
    @OptionalField(key: "processed_at") public var processedAt: Date?
    @OptionalField(key: "processed_by_name") public var processedByName: String?

    public init() {}

    public struct FieldValue: Codable, Sendable, Equatable {
        public var fieldId: Int?
        public var label: String
        public var value: String
        public init(fieldId: Int?, label: String, value: String) {
            self.fieldId = fieldId
            self.label = label
            self.value = value
        }
    }

    public var fieldValues: [FieldValue] {
        get { (try? JSONDecoder().decode([FieldValue].self, from: Data(fieldValuesJSON.utf8))) ?? [] }
        set { fieldValuesJSON = String(decoding: (try? JSONEncoder().encode(newValue)) ?? Data("[]".utf8), as: UTF8.self) }
    }
}
