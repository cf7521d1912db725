import CaseportCore
import CaseportOperations
import CaseportStore
import Vapor

// The portal's account forms (A4, A5, A9) as posted and as shown again. A password is never shown
// again: the forms encode only what the page puts back into its fields, under their Swift names
// (`values.firstName`), which is what the template audit of PageRenderingTests checks against.

/// The keys a form is shown under: its property names.
private struct ShownKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// A customer administrator's user form, and a user's own (A9).
struct OrganisationUserForm: PostedForm, Encodable {
    static var longestValue: Int { 1_000 }
    var firstName = "", lastName = "", username = "", email = "", phone = ""
    var password = "", passwordConfirm = "", currentPassword = ""
    var isAdmin = false, isShared = false, isActive = true, sendLoginDetails = false
    /// "Yes, deactivate" (issue 12 point 7), needed when the save switches an active login off.
    var confirmDeactivate = false
    /// Issue 11 point 10: the register contact that gets this login ("" for a new contact), and the
    /// administrator's links ticked for the new contact (`link_customer_<id>`, `link_object_<id>`);
    /// `linksShown` says the form had the boxes, so none ticked means none.
    var contact = ""
    var linksShown = false
    var customerLinks: Set<Int> = [], objectLinks: Set<Int> = []

    enum CodingKeys: String, CodingKey {
        case firstName = "first_name", lastName = "last_name", username, email, phone
        case password, passwordConfirm = "password_confirm", currentPassword = "current_password"
        case isAdmin = "is_admin", isShared = "is_shared", isActive = "is_active", sendLoginDetails = "send_login_details"
        case contact, linksShown = "links_shown", confirmDeactivate = "confirm_deactivate"
    }
    static let customerLinkPrefix = "link_customer_", objectLinkPrefix = "link_object_"

    /// A new user: active unless the administrator says otherwise.
    init() {}

    init(_ user: PortalUserRecord) {
        (firstName, lastName, username) = (user.firstName, user.lastName, user.username)
        (email, phone) = (user.email ?? "", user.phone ?? "")
        (isAdmin, isShared, isActive) = (user.isAdmin, user.isShared, user.isActive)
    }

    /// A register contact about to get a login: its name and contact details to start from.
    init(contact record: ContactRecord) {
        (firstName, lastName) = (record.firstName, record.lastName)
        (email, phone) = (record.email ?? "", record.phone ?? "")
        contact = record.id.map(String.init) ?? ""
    }

    init(from decoder: any Decoder) throws {
        let posted = try decoder.container(keyedBy: CodingKeys.self)
        firstName = try posted.decode(String.self, forKey: .firstName)
        lastName = try posted.decode(String.self, forKey: .lastName)
        username = try posted.decode(String.self, forKey: .username)
        email = try posted.decode(String.self, forKey: .email)
        phone = try posted.decode(String.self, forKey: .phone)
        password = try posted.decode(String.self, forKey: .password)
        passwordConfirm = try posted.decode(String.self, forKey: .passwordConfirm)
        currentPassword = try posted.decode(String.self, forKey: .currentPassword)
        isAdmin = try posted.decode(Bool.self, forKey: .isAdmin)
        isShared = try posted.decode(Bool.self, forKey: .isShared)
        isActive = try posted.decode(Bool.self, forKey: .isActive)
        sendLoginDetails = try posted.decode(Bool.self, forKey: .sendLoginDetails)
        confirmDeactivate = try posted.decode(Bool.self, forKey: .confirmDeactivate)
        contact = try posted.decode(String.self, forKey: .contact)
        linksShown = try posted.decode(Bool.self, forKey: .linksShown)
        let named = try decoder.container(keyedBy: ShownKey.self)
        for key in named.allKeys {
            if key.stringValue.hasPrefix(Self.customerLinkPrefix), let id = Int(key.stringValue.dropFirst(Self.customerLinkPrefix.count)) {
                customerLinks.insert(id)
            } else if key.stringValue.hasPrefix(Self.objectLinkPrefix), let id = Int(key.stringValue.dropFirst(Self.objectLinkPrefix.count)) {
                objectLinks.insert(id)
            }
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: ShownKey.self)
        for (name, value) in [("firstName", firstName), ("lastName", lastName), ("username", username), ("email", email), ("phone", phone),
                              ("contact", contact)] {
            try container.encode(value, forKey: ShownKey(name))
        }
    }

    func input(userId: Int?, language: Language) -> SaveOrganisationUser.Input {
        var input = SaveOrganisationUser.Input(userId: userId, language: language)
        (input.firstName, input.lastName, input.username, input.email, input.phone) = (firstName, lastName, username, email, phone)
        (input.password, input.passwordConfirm, input.currentPassword) = (password, passwordConfirm, currentPassword)
        (input.isAdmin, input.isShared, input.isActive, input.sendLoginDetails) = (isAdmin, isShared, isActive, sendLoginDetails)
        if userId == nil {
            input.contactId = Int(contact)
            if linksShown { input.links = .init(customerIds: customerLinks, objectIds: objectLinks) }
        }
        return input
    }
}

/// Self-registration (A5).
struct RegisterForm: PostedForm, Encodable {
    static var longestValue: Int { 1_000 }
    var organisation = "", email = "", firstName = "", lastName = "", phone = ""
    var password = "", passwordConfirm = ""

    enum CodingKeys: String, CodingKey {
        case organisation, email, firstName = "first_name", lastName = "last_name", phone
        case password, passwordConfirm = "password_confirm"
    }

    init() {}

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: ShownKey.self)
        for (name, value) in [("organisation", organisation), ("email", email), ("firstName", firstName), ("lastName", lastName),
                              ("phone", phone)] {
            try container.encode(value, forKey: ShownKey(name))
        }
    }

    func input(language: Language) -> RegisterAccount.Input {
        var input = RegisterAccount.Input(language: language)
        (input.organisation, input.email, input.firstName, input.lastName, input.phone) = (organisation, email, firstName, lastName, phone)
        (input.password, input.passwordConfirm) = (password, passwordConfirm)
        return input
    }
}

/// The set-password page behind a one-time link (A4, A9).
struct PortalSetPasswordForm: PostedForm {
    static var longestValue: Int { 1_000 }
    var token = "", password = "", passwordConfirm = ""

    enum CodingKeys: String, CodingKey {
        case token, password, passwordConfirm = "password_confirm"
    }

    var input: SetPasswordByLink.Input { SetPasswordByLink.Input(token: token, password: password, passwordConfirm: passwordConfirm) }
}

/// "Forgot password" (A4).
struct ForgotPasswordForm: PostedForm {
    static var longestValue: Int { 1_000 }
    var organisation = "", username = ""

    var input: RequestPasswordReset.Input { RequestPasswordReset.Input(organisation: organisation, username: username) }
}

/// The portal login (A1). The password is never shown again.
struct PortalLoginForm: PostedForm {
    static var longestValue: Int { 1_000 }
    var organisation = "", username = "", password = ""

    var input: PortalSignIn.Input { PortalSignIn.Input(organisation: organisation, username: username, password: password) }
}

/// The language switch on every page (A3).
struct LanguageForm: PostedForm {
    var language = "", returnTo = ""
}

