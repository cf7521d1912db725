import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// Lost password (A4): "forgot password" from the login page. The answer is the same whether or not the
/// account exists, after the same bcrypt work; requests are limited per account — name, short code and
/// number share one counter, counted atomically before anything is queued (the login throttle's
/// table, under its own realm) — so the form cannot be used to flood an inbox. The mail holds a one-time link,
/// valid for an hour, to the existing set-password page, which applies the password policy.
struct PasswordResetController: RouteCollection {
    static let lifetime: TimeInterval = 3_600

    func boot(routes: any RoutesBuilder) throws {
        routes.on(PortalRoute.forgotPassword, use: form)
        routes.on(PortalRoute.forgotPasswordSubmit, use: submit)
    }

    struct Page: Encodable {
        var layout: Layout
        var organisation: String
        var username: String
        var errors: [String: String]
        var sent: Bool
        var organisationHint: String
    }

    func form(request: Request) async throws -> Response {
        try await render(request, organisation: "", username: "", errors: [:], sent: false, status: .ok)
    }

    func submit(request: Request) async throws -> Response {
        let values = request.formValues(longest: 1_000)
        let organisation = (values["organisation"] ?? "").trimmed
        let username = (values["username"] ?? "").trimmed
        var errors: [String: String] = [:]
        if organisation.isEmpty { errors["organisation"] = request.t("form_required") }
        if username.isEmpty { errors["username"] = request.t("form_required") }
        if organisation.count > InputLimits.organisation { errors["organisation"] = request.t("form_too_long") }
        if username.count > InputLimits.username { errors["username"] = request.t("form_too_long") }
        guard errors.isEmpty else {
            return try await render(request, organisation: String(organisation.prefix(InputLimits.organisation)),
                                    username: String(username.prefix(InputLimits.username)), errors: errors, sent: false,
                                    status: .unprocessableEntity)
        }
        // Counted atomically per resolved account before anything is queued, so a burst of requests
        // queues at most five mails; name, short code and number share one counter.
        let settings = try await SettingsStore(database: request.db).load()
        let resolution = try await PortalAccounts.resolve(organisation: organisation, username: username,
                                                          field: settings.organisationLoginField, realm: "password_reset",
                                                          on: request.db)
        let attempt = try await LoginAttempts(database: request.db).count(key: resolution.throttleKey)
        // The same bcrypt work whatever follows, so the answer's timing does not tell whether the account exists.
        let services = request.caseport
        _ = try await services.passwords.verify(username, against: services.dummyPasswordHash)
        if !attempt.mayProceed {
            request.logger.info("password reset: too many requests")
        } else if let user = resolution.user, user.isActive, let email = user.email, !email.isEmpty {
            let base = request.publicBaseURL
            try await request.db.transaction { tx in
                let token = try await AccountTokens(database: tx).issue(userId: try user.requireID(), purpose: "set_password",
                                                                        lifetime: Self.lifetime)
                try await Notifications.passwordReset(request.notificationContext, user: user, email: email,
                                                      link: "\(base)/password/set?token=\(token)").create(on: tx)
            }
        }
        return try await render(request, organisation: "", username: "", errors: [:], sent: true, status: .ok)
    }

    func render(_ request: Request, organisation: String, username: String, errors: [String: String], sent: Bool,
                status: HTTPResponseStatus) async throws -> Response {
        let settings = try await SettingsStore(database: request.db).load()
        let page = Page(layout: Layout(request, title: request.t("forgot_title")), organisation: organisation, username: username,
                        errors: errors, sent: sent,
                        organisationHint: request.t("login_organisation_hint_\(settings.organisationLoginField.rawValue)"))
        let response = try await request.view.render("portal/forgot-password", page).encodeResponse(for: request).get()
        response.status = status
        return response
    }
}
