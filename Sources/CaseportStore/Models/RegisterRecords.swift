import FluentKit
import Foundation

/// A customer organisation (a housing association, an invoice customer).
public final class CustomerRecord: Model, @unchecked Sendable {
    public static let schema = "customers"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "name") public var name: String
    /// Lower-cased copies used for the case-insensitive organisation match at login (A1);
    /// SQLite's lower() folds only ASCII, so å ä ö are folded here in Swift instead.
    @Field(key: "name_key") public var nameKey: String
    @Field(key: "short_code") public var shortCode: String
    @Field(key: "short_code_key") public var shortCodeKey: String
    @Field(key: "customer_number") public var customerNumber: String
    /// The organisation may have only one portal user (A9): that user edits itself, there is no list.
    @Field(key: "single_user") public var singleUser: Bool
    /// Deactivated customers (D6, M011) keep their cases; their users cannot log in.
    @Field(key: "is_active") public var isActive: Bool
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    /// The staff member responsible for this customer (M023): their inquiry inbox can show only theirs.
    @OptionalField(key: "handler_id") public var handlerId: Int?
    /// Issue 13 (M034): this customer's (an insurer's, a landlord's) `ClaimPageOverrides` as JSON.
    @OptionalField(key: "claim_page_settings") public var claimPageSettings: String?

    public init() {}
    public init(name: String, shortCode: String, customerNumber: String, singleUser: Bool = false) {
        self.singleUser = singleUser
        self.isActive = true
        self.name = name
        self.nameKey = LoginKey.fold(name)
        self.shortCode = shortCode
        self.shortCodeKey = LoginKey.fold(shortCode)
        self.customerNumber = customerNumber
    }
}

/// A property, building, dwelling or installation; belongs to one customer.
public final class ObjectRecord: Model, @unchecked Sendable {
    public static let schema = "objects"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "customer_id") public var customerId: Int
    @Field(key: "name") public var name: String
    @Field(key: "address") public var address: String
    @Field(key: "is_active") public var isActive: Bool
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    /// The staff member responsible for this object (M023), as for customers.
    @OptionalField(key: "handler_id") public var handlerId: Int?

    public init() {}
    public init(customerId: Int, name: String, address: String) {
        self.customerId = customerId
        self.name = name
        self.address = address
        self.isActive = true
    }
}

/// A person in the customer register. Linked to any number of customers and objects.
public final class ContactRecord: Model, @unchecked Sendable {
    public static let schema = "contacts"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "first_name") public var firstName: String
    @Field(key: "last_name") public var lastName: String
    @OptionalField(key: "email") public var email: String?
    @OptionalField(key: "phone") public var phone: String?
    @Field(key: "is_active") public var isActive: Bool
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
    public init(firstName: String, lastName: String, email: String? = nil, phone: String? = nil) {
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
        self.phone = phone
        self.isActive = true
    }
}

public final class ContactCustomerLink: Model, @unchecked Sendable {
    public static let schema = "contact_customers"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "contact_id") public var contactId: Int
    @Field(key: "customer_id") public var customerId: Int
    public init() {}
    public init(contactId: Int, customerId: Int) {
        self.contactId = contactId
        self.customerId = customerId
    }
}

public final class ContactObjectLink: Model, @unchecked Sendable {
    public static let schema = "contact_objects"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "contact_id") public var contactId: Int
    @Field(key: "object_id") public var objectId: Int
    public init() {}
    public init(contactId: Int, objectId: Int) {
        self.contactId = contactId
        self.objectId = objectId
    }
}

/// Case-insensitive keys for login look-ups.
public enum LoginKey {
    public static func fold(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }
}
