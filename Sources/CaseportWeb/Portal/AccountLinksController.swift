import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// Self-registration (A5) and the one-time "set your password" link (A9 login details).
///
/// Registration uses the e-mail address as username. The account stays inactive until the address is
/// confirmed through the e-mailed link; only then is it linked to the register contact with the same
/// address, so nobody gains a contact's access by typing someone else's address.
struct AccountLinksController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(PortalRoute.register, use: registerForm)
        routes.on(PortalRoute.registerSubmit, use: register)
        routes.on(PortalRoute.registerConfirm, use: confirmRegistration)
        routes.on(PortalRoute.setPassword, use: setPasswordForm)
        routes.on(PortalRoute.setPasswordSubmit, use: setPassword)
    }

    struct RegisterPage: Encodable {
        var layout: Layout
        var values: [String: String]
        var errors: [String: String]
        var hasErrors: Bool
        var done: Bool
        var passwordRules: String
    }

    func open(_ request: Request) async throws -> PortalSettings {
        let settings = try await SettingsStore(database: request.db).load()
        guard settings.selfRegistrationOpen else { throw Abort(.notFound) }
        return settings
    }

    func registerForm(request: Request) async throws -> Response {
        let settings = try await open(request)
        return try await renderRegister(request, settings: settings, values: [:], errors: [:], done: false, status: .ok)
    }

    func register(request: Request) async throws -> Response {
        let settings = try await open(request)
        let values = request.formValues(longest: 1_000)
        var errors: [String: String] = [:]
        for key in ["organisation", "email", "first_name", "last_name"] where (values[key] ?? "").trimmed.isEmpty {
            errors[key] = request.t("form_required")
        }
        for key in ["organisation", "email", "first_name", "last_name", "phone"] where (values[key] ?? "").count > InputLimits.name {
            errors[key] = request.t("form_too_long")
        }
        let email = (values["email"] ?? "").trimmed
        if errors["email"] == nil, !email.looksLikeEmail { errors["email"] = request.t("form_invalid_email") }
        let password = values["password"] ?? ""
        let problems = settings.passwordPolicy.problems(with: password)
        if !problems.isEmpty { errors["password"] = problems.map { request.t($0.rawValue) }.joined(separator: " ") }
        else if password != values["password_confirm"] { errors["password_confirm"] = request.t("password_mismatch") }

        guard errors.isEmpty else {
            return try await renderRegister(request, settings: settings, values: values, errors: errors, done: false,
                                            status: .unprocessableEntity)
        }
        // An unknown organisation, or an address already registered there, gets the same answer as a
        // registration that went through (and the same bcrypt work), so the form tells nobody which
        // organisations or accounts exist; nothing is queued for them.
        let hash = try await request.caseport.passwords.hash(password)
        guard let organisation = try await Self.findOrganisation(values["organisation"]!.trimmed,
                                                                 field: settings.organisationLoginField, on: request.db),
              try await PortalUserRecord.query(on: request.db).filter(\.$organisationId == organisation.id!)
                .filter(\.$usernameKey == LoginKey.fold(email)).first() == nil else {
            return try await renderRegister(request, settings: settings, values: [:], errors: [:], done: true, status: .ok)
        }
        let form = values
        try await request.db.transaction { tx in
            let user = PortalUserRecord(organisationId: organisation.id!, username: email, loginKind: .contact,
                                        firstName: form["first_name"]!.trimmed, lastName: form["last_name"]!.trimmed,
                                        email: email, phone: form["phone"]?.trimmed.nilIfEmpty, passwordHash: hash,
                                        isActive: false)
            user.language = request.language.rawValue
            try await user.create(on: tx)
            let token = try await AccountTokens(database: tx).issue(userId: try user.requireID(), purpose: "activate",
                                                                    lifetime: 2 * 24 * 3_600, email: email)
            try await Notifications.registration(request.notificationContext, language: request.language, to: email,
                                                 link: "\(request.publicBaseURL)/register/confirm?token=\(token)").create(on: tx)
        }
        return try await renderRegister(request, settings: settings, values: [:], errors: [:], done: true, status: .ok)
    }

    static func findOrganisation(_ typed: String, field: OrganisationLoginField, on db: any Database) async throws -> CustomerRecord? {
        let key = LoginKey.fold(typed)
        return try await CustomerRecord.query(on: db).group(.or) { match in
            if field == .name || field == .any { match.filter(\.$nameKey == key) }
            if field == .shortCode || field == .any { match.filter(\.$shortCodeKey == key) }
            if field == .customerNumber || field == .any { match.filter(\.$customerNumber == typed) }
        }.first()
    }

    struct MessagePage: Encodable {
        var layout: Layout
        var heading: String
        var message: String
        var loginLink: Bool
    }

    func confirmRegistration(request: Request) async throws -> Response {
        _ = try await open(request)
        let token = (try? request.query.get(String.self, at: "token")) ?? ""
        guard let redeemed = try await AccountTokens(database: request.db).use(token: token, purpose: "activate"),
              let user = try await PortalUserRecord.find(redeemed.userId, on: request.db) else {
            return try await message(request, heading: "register_confirm_failed_heading", text: "register_confirm_failed", login: false,
                                     status: .notFound)
        }
        // The address the link went to is now proven: link the account to a contact with that address,
        // and only to one of the registration's own organisation (on its customer or its objects).
        if user.contactId == nil, let email = redeemed.email {
            user.contactId = try await RegistrationContacts.contact(email: email, organisationId: user.organisationId, on: request.db)
        }
        user.isActive = true
        try await user.update(on: request.db)
        return try await message(request, heading: "register_confirmed_heading", text: "register_confirmed", login: true, status: .ok)
    }

    func message(_ request: Request, heading: String, text: String, login: Bool, status: HTTPResponseStatus) async throws -> Response {
        let page = MessagePage(layout: Layout(request, title: request.t(heading)), heading: request.t(heading),
                               message: request.t(text), loginLink: login)
        let response = try await request.view.render("portal/message", page).encodeResponse(for: request).get()
        response.status = status
        return response
    }

    func renderRegister(_ request: Request, settings: PortalSettings, values: [String: String], errors: [String: String],
                        done: Bool, status: HTTPResponseStatus) async throws -> Response {
        var values = values
        values["password"] = nil
        values["password_confirm"] = nil
        let page = RegisterPage(layout: Layout(request, title: request.t("register_title")), values: values, errors: errors,
                                hasErrors: !errors.isEmpty, done: done,
                                passwordRules: PortalUsersController.describe(settings.passwordPolicy, request: request))
        let response = try await request.view.render("portal/register", page).encodeResponse(for: request).get()
        response.status = status
        return response
    }

    // MARK: Set password

    struct SetPasswordPage: Encodable {
        var layout: Layout
        var token: String
        var error: String?
        var passwordRules: String
    }

    func setPasswordForm(request: Request) async throws -> Response {
        let token = (try? request.query.get(String.self, at: "token")) ?? ""
        guard try await AccountTokens(database: request.db).isValid(token: token, purpose: "set_password") else {
            return try await message(request, heading: "password_link_failed_heading", text: "password_link_failed", login: true,
                                     status: .notFound)
        }
        return try await renderSetPassword(request, token: token, error: nil, status: .ok)
    }

    func setPassword(request: Request) async throws -> Response {
        struct Form: Content { var token: String?; var password: String?; var password_confirm: String? }
        let form = (try? request.content.decode(Form.self)) ?? Form()
        let token = form.token ?? ""
        let password = form.password ?? ""
        let policy = try await SettingsStore(database: request.db).load().passwordPolicy
        let problems = policy.problems(with: password)
        if !problems.isEmpty {
            return try await renderSetPassword(request, token: token, error: problems.map { request.t($0.rawValue) }.joined(separator: " "),
                                               status: .unprocessableEntity)
        }
        if password != form.password_confirm {
            return try await renderSetPassword(request, token: token, error: request.t("password_mismatch"), status: .unprocessableEntity)
        }
        guard let userId = try await AccountTokens(database: request.db).redeem(token: token, purpose: "set_password"),
              let user = try await PortalUserRecord.find(userId, on: request.db) else {
            return try await message(request, heading: "password_link_failed_heading", text: "password_link_failed", login: true,
                                     status: .notFound)
        }
        user.passwordHash = try await request.caseport.passwords.hash(password)
        try await user.update(on: request.db)
        try await Sessions(database: request.db).endAll(realm: .portal, userId: userId)
        return try await message(request, heading: "password_set_heading", text: "password_set", login: true, status: .ok)
    }

    func renderSetPassword(_ request: Request, token: String, error: String?, status: HTTPResponseStatus) async throws -> Response {
        let policy = try await SettingsStore(database: request.db).load().passwordPolicy
        let page = SetPasswordPage(layout: Layout(request, title: request.t("password_set_title")), token: token, error: error,
                                   passwordRules: PortalUsersController.describe(policy, request: request))
        let response = try await request.view.render("portal/set-password", page).encodeResponse(for: request).get()
        response.status = status
        return response
    }
}
