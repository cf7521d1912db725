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
/// The work is `RequestPasswordReset`'s; this page decodes, calls and answers.
struct PasswordResetController: RouteCollection {
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
        let form = try request.form(ForgotPasswordForm.self)
        switch try await RequestPasswordReset.run(form.input, passwords: request.caseport.passwords,
                                                  dummyHash: request.caseport.dummyPasswordHash, in: request.operations) {
        case .problems(let problems):
            // What was typed comes back, cut to the field's length so a huge value cannot be echoed.
            return try await render(request, organisation: String(form.organisation.trimmed.prefix(InputLimits.organisation)),
                                    username: String(form.username.trimmed.prefix(InputLimits.username)),
                                    errors: request.texts(problems), sent: false, status: .unprocessableEntity)
        case .done(let requested):
            if requested.throttled { request.logger.info("password reset: too many requests") }
            return try await render(request, organisation: "", username: "", errors: [:], sent: true, status: .ok)
        }
    }

    func render(_ request: Request, organisation: String, username: String, errors: [String: String], sent: Bool,
                status: HTTPResponseStatus) async throws -> Response {
        let settings = try await SettingsStore(database: request.database).load()
        let page = Page(layout: Layout(request, title: request.t("forgot_title")), organisation: organisation, username: username,
                        errors: errors, sent: sent,
                        organisationHint: request.t("login_organisation_hint_\(settings.organisationLoginField.rawValue)"))
        let response = try await request.view.render("portal/forgot-password", page).encodeResponse(for: request).get()
        response.status = status
        return response
    }
}
