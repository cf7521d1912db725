import FluentKit
import Foundation

/// A case category (e.g. "VVS", "Warranty claim"), configured by staff.
public final class CategoryRecord: Model, @unchecked Sendable {
    public static let schema = "categories"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "name") public var name: String
    @Field(key: "sort_order") public var sortOrder: Int
    @Field(key: "is_active") public var isActive: Bool
    public init() {}
    public init(name: String, sortOrder: Int = 0) {
        self.name = name
        self.sortOrder = sortOrder
        self.isActive = true
    }
}

/// A priority level; `rank` orders them (lower is more urgent).
public final class PriorityRecord: Model, @unchecked Sendable {
    public static let schema = "priorities"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "name") public var name: String
    @Field(key: "rank") public var rank: Int
    /// Added by M012: a priority cases use is deactivated, not deleted.
    @Field(key: "is_active") public var isActive: Bool
    public init() {}
    public init(name: String, rank: Int) {
        self.name = name
        self.rank = rank
        self.isActive = true
    }
}

/// A kind of case the customer picks first on the new-case form (B4); may be billable and carries
/// its own extra fields.
public final class CaseTypeRecord: Model, @unchecked Sendable {
    public static let schema = "case_types"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "name") public var name: String
    @Field(key: "description") public var description: String
    @Field(key: "is_billable") public var isBillable: Bool
    @Field(key: "is_active") public var isActive: Bool
    @Field(key: "sort_order") public var sortOrder: Int
    /// B6: what the approve button says for cases of this type (`ApprovalLabel`; nil: "Approved"). M021.
    @OptionalField(key: "approval_label") public var approvalLabel: String?
    public init() {}
    public init(name: String, description: String = "", isBillable: Bool = false, sortOrder: Int = 0) {
        self.name = name
        self.description = description
        self.isBillable = isBillable
        self.isActive = true
        self.sortOrder = sortOrder
    }
}

public enum CaseFieldKind: String, Codable, Sendable, CaseIterable {
    case text, number, date, choice, yesno
}

/// One extra field of a case type.
public final class CaseTypeFieldRecord: Model, @unchecked Sendable {
    public static let schema = "case_type_fields"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "case_type_id") public var caseTypeId: Int
    @Field(key: "label") public var label: String
    @Field(key: "kind") public var kind: CaseFieldKind
    @Field(key: "is_required") public var isRequired: Bool
    /// For `choice`: the options, one per line.
    @Field(key: "choices") public var choices: String
    @Field(key: "sort_order") public var sortOrder: Int
    /// Added by M012: a field cases have values for is deactivated (no longer asked), not deleted.
    @Field(key: "is_active") public var isActive: Bool
    public init() {}
    public init(caseTypeId: Int, label: String, kind: CaseFieldKind, isRequired: Bool = false,
                choices: [String] = [], sortOrder: Int = 0) {
        self.isActive = true
        self.caseTypeId = caseTypeId
        self.label = label
        self.kind = kind
        self.isRequired = isRequired
        self.choices = choices.joined(separator: "\n")
        self.sortOrder = sortOrder
    }
    public var choiceList: [String] { choices.split(separator: "\n").map(String.init) }
}

/// The value a case has for one extra field; the label is kept so the case reads the same after
/// the type is edited.
public final class CaseFieldValueRecord: Model, @unchecked Sendable {
    public static let schema = "case_field_values"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "case_id") public var caseId: Int
    @OptionalField(key: "field_id") public var fieldId: Int?
    @Field(key: "label") public var label: String
    @Field(key: "value") public var value: String
    @Field(key: "sort_order") public var sortOrder: Int
    public init() {}
    public init(caseId: Int, fieldId: Int?, label: String, value: String, sortOrder: Int) {
        self.caseId = caseId
        self.fieldId = fieldId
        self.label = label
        self.value = value
        self.sortOrder = sortOrder
    }
}

/// A subcontractor the company sends to do the work (leverandør / partner).
public final class SupplierRecord: Model, @unchecked Sendable {
    public static let schema = "suppliers"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "name") public var name: String
    @OptionalField(key: "email") public var email: String?
    @OptionalField(key: "phone") public var phone: String?
    @Field(key: "is_active") public var isActive: Bool
    /// Issue 12 (M030): the language the supplier's e-mail and SMS are written in (a `Language` code);
    /// nil: the deployment's language.
    @OptionalField(key: "language") public var language: String?
    public init() {}
    public init(name: String, email: String? = nil, phone: String? = nil, language: String? = nil) {
        self.name = name
        self.email = email
        self.phone = phone
        self.language = language
        self.isActive = true
    }
}

/// Issue 12 (M030): a catalogue item's name in one language. `kind` is a `CatalogueNameKind` raw value.
public final class CatalogueNameRecord: Model, @unchecked Sendable {
    public static let schema = "catalogue_names"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "kind") public var kind: String
    @Field(key: "item_id") public var itemId: Int
    @Field(key: "language") public var language: String
    @Field(key: "name") public var name: String
    public init() {}
    public init(kind: String, itemId: Int, language: String, name: String) {
        self.kind = kind
        self.itemId = itemId
        self.language = language
        self.name = name
    }
}
