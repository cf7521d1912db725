import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// The one-time "choose your password" link an administrator sends to a staff account (D1), at
/// /staff/password/set?token=…; it works once and for seven days.
struct StaffPasswordController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(StaffRoute.setPassword, use: form)
        routes.on(StaffRoute.setPasswordSubmit, use: save)
    }

    struct Page: Encodable {
        var layout: Layout
        var token: String
        var error: String?
        var passwordRules: String
        /// "form", "done" or "failed".
        var state: String
    }

    func form(request: Request) async throws -> Response {
        let token = String(((try? request.query.get(String.self, at: "token")) ?? "").prefix(100))
        guard try await StaffAccountTokens(database: request.database).isValid(token: token) else {
            return try await render(request, token: "", error: nil, state: "failed", status: .notFound)
        }
        return try await render(request, token: token, error: nil, state: "form", status: .ok)
    }

    func save(request: Request) async throws -> Response {
        let form = try request.form(SetPasswordForm.self)
        let token = String(form.token.prefix(100))
        do {
            let input = SetStaffPassword.Input(token: token, password: form.password, passwordConfirm: form.passwordConfirm)
            switch try await SetStaffPassword.run(input, passwords: request.caseport.passwords, in: request.operations) {
            case .done:
                return try await render(request, token: "", error: nil, state: "done", status: .ok)
            case .problems(let problems):
                // The page has one message for both fields.
                let errors = request.texts(problems)
                return try await render(request, token: token, error: errors[SetStaffPassword.Field.password.rawValue]
                                            ?? errors[SetStaffPassword.Field.passwordConfirm.rawValue],
                                        state: "form", status: .unprocessableEntity)
            }
        } catch OperationError.notFound {
            return try await render(request, token: "", error: nil, state: "failed", status: .notFound)
        }
    }

    func render(_ request: Request, token: String, error: String?, state: String, status: HTTPResponseStatus) async throws -> Response {
        let policy = try await SettingsStore(database: request.database).load().passwordPolicy
        let title = state == "done" ? "password_set_heading" : state == "failed" ? "password_link_failed_heading" : "password_set_title"
        let page = Page(layout: Layout(request, title: request.t(title), area: "staff"), token: token, error: error,
                        passwordRules: PortalUsersController.describe(policy, request: request), state: state)
        let response = try await request.view.render("staff/set-password", page).encodeResponse(for: request).get()
        response.status = status
        return response
    }
}

/// The set-password form (D1), as posted.
struct SetPasswordForm: PostedForm {
    static var longestValue: Int { 200 }
    var token = "", password = "", passwordConfirm = ""

    enum CodingKeys: String, CodingKey {
        case token, password, passwordConfirm = "password_confirm"
    }
}
