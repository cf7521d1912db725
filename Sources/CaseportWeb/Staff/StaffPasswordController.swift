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
        guard try await StaffAccountTokens(database: request.db).isValid(token: token) else {
            return try await render(request, token: "", error: nil, state: "failed", status: .notFound)
        }
        return try await render(request, token: token, error: nil, state: "form", status: .ok)
    }

    func save(request: Request) async throws -> Response {
        let values = request.formValues(longest: 200)
        let token = String((values["token"] ?? "").prefix(100))
        let password = values["password"] ?? ""
        let policy = try await SettingsStore(database: request.db).load().passwordPolicy
        let problems = policy.problems(with: password)
        if !problems.isEmpty {
            return try await render(request, token: token, error: problems.map { request.t($0.rawValue) }.joined(separator: " "),
                                    state: "form", status: .unprocessableEntity)
        }
        if password != values["password_confirm"] {
            return try await render(request, token: token, error: request.t("password_mismatch"), state: "form", status: .unprocessableEntity)
        }
        let hash = try await request.caseport.passwords.hash(password)
        guard let id = try await StaffAccountTokens(database: request.db).redeem(token: token),
              let user = try await StaffUserRecord.find(id, on: request.db) else {
            return try await render(request, token: "", error: nil, state: "failed", status: .notFound)
        }
        user.passwordHash = hash
        try await user.update(on: request.db)
        try await Sessions(database: request.db).endAll(realm: .staff, userId: id)
        try await AuditLog(database: request.db).record(.accessChanged, by: .staff(id: id, name: user.name),
                                                       subject: "staff user \(id) \(user.email)",
                                                       details: "password chosen with a set-password link", ip: request.clientAddress)
        return try await render(request, token: "", error: nil, state: "done", status: .ok)
    }

    func render(_ request: Request, token: String, error: String?, state: String, status: HTTPResponseStatus) async throws -> Response {
        let policy = try await SettingsStore(database: request.db).load().passwordPolicy
        let title = state == "done" ? "password_set_heading" : state == "failed" ? "password_link_failed_heading" : "password_set_title"
        let page = Page(layout: Layout(request, title: request.t(title), area: "staff"), token: token, error: error,
                        passwordRules: PortalUsersController.describe(policy, request: request), state: state)
        let response = try await request.view.render("staff/set-password", page).encodeResponse(for: request).get()
        response.status = status
        return response
    }

    /// Queues the link in the outbox, in the language of the administrator who sends it.
    static func queueLink(_ request: Request, to user: StaffUserRecord, on db: any Database) async throws {
        let token = try await StaffAccountTokens(database: db).issue(staffUserId: try user.requireID())
        let values = ["name": user.name, "email": user.email, "link": "\(request.publicBaseURL)/staff/password/set?token=\(token)"]
        try await OutboxRecord(kind: .staffLoginDetails, recipient: user.email, language: request.language.rawValue,
                               subject: Notifications.fill(request.t("mail_staff_login_details_subject"), values),
                               body: Notifications.fill(request.t("mail_staff_login_details_body"), values)).create(on: db)
    }
}
