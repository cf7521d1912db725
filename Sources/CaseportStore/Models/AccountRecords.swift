import CaseportCore
import FluentKit
import Foundation

/// A customer's login to the portal (A1, A6, A9). The organisation is the customer the user types
/// at login; the username is unique within that organisation.
public final class PortalUserRecord: Model, @unchecked Sendable {
    public static let schema = "portal_users"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "organisation_id") public var organisationId: Int
    @Field(key: "username") public var username: String
    @Field(key: "username_key") public var usernameKey: String
    @Field(key: "login_kind") public var loginKind: PortalLoginKind
    @OptionalField(key: "contact_id") public var contactId: Int?
    @OptionalField(key: "object_id") public var objectId: Int?
    @Field(key: "first_name") public var firstName: String
    @Field(key: "last_name") public var lastName: String
    @OptionalField(key: "email") public var email: String?
    @OptionalField(key: "phone") public var phone: String?
    @Field(key: "password_hash") public var passwordHash: String
    @Field(key: "is_admin") public var isAdmin: Bool
    @Field(key: "is_shared") public var isShared: Bool
    @Field(key: "is_active") public var isActive: Bool
    @OptionalField(key: "language") public var language: String?

    /// Issue 11: true when the user turned off the e-mails about their cases (nil: on). M021.
    @OptionalField(key: "case_mail_off") public var caseMailOff: Bool?
    @OptionalField(key: "last_login_at") public var lastLoginAt: Date?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    /// Removed by the customer's administrator (M022): inactive and left out of their user list.
    @OptionalField(key: "removed_at") public var removedAt: Date?

    public init() {}
    public init(organisationId: Int, username: String, loginKind: PortalLoginKind, contactId: Int? = nil,
                objectId: Int? = nil, firstName: String, lastName: String, email: String? = nil,
                phone: String? = nil, passwordHash: String, isAdmin: Bool = false, isShared: Bool = false,
                isActive: Bool = true) {
        self.organisationId = organisationId
        self.username = username
        self.usernameKey = LoginKey.fold(username)
        self.loginKind = loginKind
        self.contactId = contactId
        self.objectId = objectId
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
        self.phone = phone
        self.passwordHash = passwordHash
        self.isAdmin = isAdmin
        self.isShared = isShared
        self.isActive = isActive
    }

    public var displayName: String { "\(firstName) \(lastName)".trimmingCharacters(in: .whitespaces) }
}

public enum StaffRole: String, Codable, Sendable, CaseIterable {
    case handler
    case admin
}

/// A member of the service company's staff (D1).
public final class StaffUserRecord: Model, @unchecked Sendable {
    public static let schema = "staff_users"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "email") public var email: String
    @Field(key: "email_key") public var emailKey: String
    @Field(key: "name") public var name: String
    @Field(key: "role") public var role: StaffRole
    @Field(key: "password_hash") public var passwordHash: String
    @Field(key: "is_active") public var isActive: Bool
    @OptionalField(key: "last_login_at") public var lastLoginAt: Date?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    /// A `Language` code, saved by the language switch; mail to this person is written in it.
    @OptionalField(key: "language") public var language: String?
    /// Issue 13 (M034): shown to a claim's customer beside the handler's name when the setting allows.
    @OptionalField(key: "mobile") public var mobile: String?

    public init() {}
    public init(email: String, name: String, role: StaffRole, passwordHash: String) {
        self.email = email
        self.emailKey = LoginKey.fold(email)
        self.name = name
        self.role = role
        self.passwordHash = passwordHash
        self.isActive = true
    }
}
