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
        var values: RegisterForm
        var errors: [String: String]
        var hasErrors: Bool
        var done: Bool
        var passwordRules: String
    }

    func open(_ request: Request) async throws -> PortalSettings {
        let settings = try await SettingsStore(database: request.database).load()
        guard settings.selfRegistrationOpen else { throw Abort(.notFound) }
        return settings
    }

    func registerForm(request: Request) async throws -> Response {
        let settings = try await open(request)
        return try await renderRegister(request, settings: settings, form: RegisterForm(), errors: [:], done: false, status: .ok)
    }

    func register(request: Request) async throws -> Response {
        let settings = try await open(request)
        let form = try request.form(RegisterForm.self)
        switch try await RegisterAccount.run(form.input(language: request.language), passwords: request.caseport.passwords,
                                             in: request.operations) {
        case .problems(let problems):
            return try await renderRegister(request, settings: settings, form: form, errors: request.texts(problems),
                                            done: false, status: .unprocessableEntity)
        case .done:
            // The same answer whether or not an account was made (see `RegisterAccount`).
            return try await renderRegister(request, settings: settings, form: RegisterForm(), errors: [:], done: true, status: .ok)
        }
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
        do {
            _ = try await ConfirmRegistration.run(token: token, in: request.operations)
        } catch OperationError.notFound {
            return try await message(request, heading: "register_confirm_failed_heading", text: "register_confirm_failed", login: false,
                                     status: .notFound)
        }
        return try await message(request, heading: "register_confirmed_heading", text: "register_confirmed", login: true, status: .ok)
    }

    func message(_ request: Request, heading: String, text: String, login: Bool, status: HTTPResponseStatus) async throws -> Response {
        let page = MessagePage(layout: Layout(request, title: request.t(heading)), heading: request.t(heading),
                               message: request.t(text), loginLink: login)
        let response = try await request.view.render("portal/message", page).encodeResponse(for: request).get()
        response.status = status
        return response
    }

    func renderRegister(_ request: Request, settings: PortalSettings, form: RegisterForm, errors: [String: String],
                        done: Bool, status: HTTPResponseStatus) async throws -> Response {
        let page = RegisterPage(layout: Layout(request, title: request.t("register_title")), values: form, errors: errors,
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
        guard try await AccountTokens(database: request.database).isValid(token: token, purpose: "set_password") else {
            return try await message(request, heading: "password_link_failed_heading", text: "password_link_failed", login: true,
                                     status: .notFound)
        }
        return try await renderSetPassword(request, token: token, error: nil, status: .ok)
    }

    func setPassword(request: Request) async throws -> Response {
        let form = try request.form(PortalSetPasswordForm.self)
        do {
            switch try await SetPasswordByLink.run(form.input, passwords: request.caseport.passwords, in: request.operations) {
            case .problems(let problems):
                let errors = request.texts(problems)
                return try await renderSetPassword(request, token: form.token,
                                                   error: errors[SetPasswordByLink.Field.password.rawValue]
                                                       ?? errors[SetPasswordByLink.Field.passwordConfirm.rawValue],
                                                   status: .unprocessableEntity)
            case .done:
                return try await message(request, heading: "password_set_heading", text: "password_set", login: true, status: .ok)
            }
        } catch OperationError.notFound {
            return try await message(request, heading: "password_link_failed_heading", text: "password_link_failed", login: true,
                                     status: .notFound)
        }
    }

    func renderSetPassword(_ request: Request, token: String, error: String?, status: HTTPResponseStatus) async throws -> Response {
        let policy = try await SettingsStore(database: request.database).load().passwordPolicy
        let page = SetPasswordPage(layout: Layout(request, title: request.t("password_set_title")), token: token, error: error,
                                   passwordRules: PortalUsersController.describe(policy, request: request))
        let response = try await request.view.render("portal/set-password", page).encodeResponse(for: request).get()
        response.status = status
        return response
    }
}
