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

    enum CodingKeys: String, CodingKey {
        case firstName = "first_name", lastName = "last_name", username, email, phone
        case password, passwordConfirm = "password_confirm", currentPassword = "current_password"
        case isAdmin = "is_admin", isShared = "is_shared", isActive = "is_active", sendLoginDetails = "send_login_details"
    }

    /// A new user: active unless the administrator says otherwise.
    init() {}

    init(_ user: PortalUserRecord) {
        (firstName, lastName, username) = (user.firstName, user.lastName, user.username)
        (email, phone) = (user.email ?? "", user.phone ?? "")
        (isAdmin, isShared, isActive) = (user.isAdmin, user.isShared, user.isActive)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: ShownKey.self)
        for (name, value) in [("firstName", firstName), ("lastName", lastName), ("username", username), ("email", email), ("phone", phone)] {
            try container.encode(value, forKey: ShownKey(name))
        }
    }

    func input(userId: Int?, language: Language) -> SaveOrganisationUser.Input {
        var input = SaveOrganisationUser.Input(userId: userId, language: language)
        (input.firstName, input.lastName, input.username, input.email, input.phone) = (firstName, lastName, username, email, phone)
        (input.password, input.passwordConfirm, input.currentPassword) = (password, passwordConfirm, currentPassword)
        (input.isAdmin, input.isShared, input.isActive, input.sendLoginDetails) = (isAdmin, isShared, isActive, sendLoginDetails)
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

