import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// Portal login and logout (A1, A2, A6, A11).
struct PortalLoginController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(PortalRoute.login, use: show)
        routes.on(PortalRoute.loginSubmit, use: submit)
        routes.on(PortalRoute.logout, use: logout)
    }

    struct LoginPage: Encodable {
        var layout: Layout
        var organisation: String
        var username: String
        var error: String?
        var organisationHint: String
        var registrationOpen: Bool
    }

    func show(request: Request) async throws -> Response {
        if request.portalPrincipal != nil { return request.redirect(to: PortalRoute.cases) }
        return try await render(request, organisation: "", username: "", error: nil, status: .ok)
    }

    func submit(request: Request) async throws -> Response {
        let form = try request.form(PortalLoginForm.self)
        switch try await PortalSignIn.run(form.input, passwords: request.caseport.passwords,
                                          dummyHash: request.caseport.dummyPasswordHash, in: request.operations) {
        case .signedIn(let userId):
            return try await startSession(request, realm: .portal, userId: userId, redirect: PortalRoute.cases.path())
        case .refused(let refusal):
            if case .wrongCredentials(let nowLocked) = refusal {
                request.logger.info("portal login failed", metadata: ["locked": "\(nowLocked)"])
            }
            // What the user typed comes back, cut to the field's length so a huge value cannot be
            // echoed; the password never comes back.
            return try await render(request, organisation: String(form.organisation.prefix(InputLimits.organisation)),
                                    username: String(form.username.prefix(InputLimits.username)),
                                    error: request.t(refusal.messageKey), status: .ok)
        }
    }

    func logout(request: Request) async throws -> Response {
        if let user = request.portalPrincipal?.user {
            try await PortalSignIn.signOut(user, in: request.operations)
        }
        return try await endSession(request, realm: .portal, redirect: PortalRoute.login.path())
    }

    private func render(_ request: Request, organisation: String, username: String, error: String?,
                        status: HTTPResponseStatus) async throws -> Response {
        let settings = try await SettingsStore(database: request.database).load()
        let hintKey = "login_organisation_hint_\(settings.organisationLoginField.rawValue)"
        let page = LoginPage(layout: Layout(request, title: request.t("login_title")), organisation: organisation,
                             username: username, error: error, organisationHint: request.t(hintKey),
                             registrationOpen: settings.selfRegistrationOpen)
        let response = try await request.view.render("portal/login", page).encodeResponse(for: request).get()
        response.status = status
        return response
    }
}

/// Starts a session with a brand-new id (the old one, if any, is ended) and a new CSRF token.
func startSession(_ request: Request, realm: SessionRealm, userId: Int, redirect: String) async throws -> Response {
    let sessions = Sessions(database: request.database, limits: request.caseport.config.sessions)
    let cookieName = CookieNames.session(realm)
    if let old = request.parsedCookies[cookieName]?.string {
        try await sessions.end(token: old)
    }
    // Expired sessions are cleared here, at a moment that is rare and not on every page view.
    try await sessions.deleteExpired()
    let token = try await sessions.start(realm: realm, userId: userId)
    request.renewCSRFToken()
    let response = request.redirect(to: redirect, redirectType: .normal)
    response.cookies[cookieName] = request.cookie(token, maxAge: Int(request.caseport.config.sessions.absolute))
    return response
}

func endSession(_ request: Request, realm: SessionRealm, redirect: String) async throws -> Response {
    let cookieName = CookieNames.session(realm)
    if let token = request.parsedCookies[cookieName]?.string {
        try await Sessions(database: request.database).end(token: token)
    }
    request.renewCSRFToken()
    let response = request.redirect(to: redirect, redirectType: .normal)
    response.cookies[cookieName] = request.expiredCookie()
    return response
}
