import CaseportCore
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

    struct LoginForm: Content {
        var organisation: String?
        var username: String?
        var password: String?
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
        let form = (try? request.content.decode(LoginForm.self)) ?? LoginForm()
        let organisation = form.organisation ?? ""
        let username = form.username ?? ""
        let password = form.password ?? ""
        // What the user typed comes back on every error, cut to the field's length so a huge value
        // cannot be echoed; the password never comes back.
        let keptOrganisation = String(organisation.prefix(InputLimits.organisation))
        let keptUsername = String(username.prefix(InputLimits.username))
        func fail(_ key: String) async throws -> Response {
            try await render(request, organisation: keptOrganisation, username: keptUsername,
                             error: request.t(key), status: .ok)
        }

        let trimmedOrganisation = organisation.trimmingCharacters(in: .whitespacesAndNewlines)
        let trimmedUsername = username.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmedOrganisation.isEmpty || trimmedUsername.isEmpty || password.isEmpty {
            return try await fail("login_error_missing")
        }
        if organisation.count > InputLimits.organisation || username.count > InputLimits.username
            || password.count > InputLimits.password {
            return try await fail("login_error_too_long")
        }

        let services = request.caseport
        let attempts = LoginAttempts(database: request.db)
        let audit = AuditLog(database: request.db)
        let typed = "\(String(trimmedOrganisation.prefix(100))) / \(String(trimmedUsername.prefix(100)))"
        let settings = try await SettingsStore(database: request.db).load()
        let resolution = try await PortalAccounts.resolve(organisation: trimmedOrganisation, username: trimmedUsername,
                                                          field: settings.organisationLoginField, on: request.db)
        let key = resolution.throttleKey
        // Counted before the password is checked (A2), so parallel guesses cannot outrun the lock.
        let attempt = try await attempts.count(key: key)
        guard attempt.mayProceed else {
            _ = try await services.passwords.verify(password, against: services.dummyPasswordHash)
            try await audit.record(.loginFailed, by: .anonymous(typed: typed), subject: "portal login",
                                   details: "locked", ip: request.clientAddress)
            return try await fail("login_error_locked")
        }
        let user = resolution.user
        let passwordMatches = try await services.passwords.verify(
            password, against: user?.passwordHash ?? services.dummyPasswordHash)
        guard let user, passwordMatches else {
            let nowLocked = attempt.isLast
            request.logger.info("portal login failed", metadata: ["locked": "\(nowLocked)"])
            // E5: the typed names are logged, never whether such an account exists.
            try await audit.record(.loginFailed, by: .anonymous(typed: typed), subject: "portal login",
                                   details: "wrong organisation, username or password", ip: request.clientAddress)
            if nowLocked {
                try await audit.record(.accountLocked, by: .anonymous(typed: typed), subject: "portal login",
                                       details: "\(LoginThrottle().maximumFailures) failures", ip: request.clientAddress)
            }
            return try await fail(nowLocked ? "login_error_locked" : "login_error_invalid")
        }
        let account = AuditActor.portal(id: user.id, name: "\(user.displayName) (\(user.username))")
        let organisationIsActive = try await CustomerRecord.find(user.organisationId, on: request.db)?.isActive ?? false
        guard user.isActive, organisationIsActive else {
            try await audit.record(.loginFailed, by: account, subject: "portal user \(user.id ?? 0)",
                                   details: "account inactive", ip: request.clientAddress)
            return try await fail("login_error_inactive")
        }

        try await attempts.clear(key: key)
        try await audit.record(.loginSucceeded, by: account, subject: "portal user \(user.id ?? 0)",
                               ip: request.clientAddress)
        user.lastLoginAt = Date()
        try await user.save(on: request.db)
        return try await startSession(request, realm: .portal, userId: try user.requireID(), redirect: PortalRoute.cases.path())
    }

    func logout(request: Request) async throws -> Response {
        if let user = request.portalPrincipal?.user {
            try await AuditLog(database: request.db).record(.logout, by: .portal(id: user.id, name: "\(user.displayName) (\(user.username))"),
                                                           subject: "portal user \(user.id ?? 0)", ip: request.clientAddress)
        }
        return try await endSession(request, realm: .portal, redirect: PortalRoute.login.path())
    }

    private func render(_ request: Request, organisation: String, username: String, error: String?,
                        status: HTTPResponseStatus) async throws -> Response {
        let settings = try await SettingsStore(database: request.db).load()
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
    let sessions = Sessions(database: request.db, limits: request.caseport.config.sessions)
    let cookieName = CookieNames.session(realm)
    if let old = request.cookies[cookieName]?.string {
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
    if let token = request.cookies[cookieName]?.string {
        try await Sessions(database: request.db).end(token: token)
    }
    request.renewCSRFToken()
    let response = request.redirect(to: redirect, redirectType: .normal)
    response.cookies[cookieName] = request.expiredCookie()
    return response
}
