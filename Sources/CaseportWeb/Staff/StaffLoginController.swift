import CaseportCore
import CaseportStore
import Fluent
import Vapor

/// Staff sign in with e-mail and password at /staff/login (D1). Same lockout rule as the portal.
struct StaffLoginController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(StaffRoute.login, use: show)
        routes.on(StaffRoute.loginSubmit, use: submit)
        routes.on(StaffRoute.logout, use: logout)
    }

    struct LoginForm: Content {
        var email: String?
        var password: String?
    }

    struct LoginPage: Encodable {
        var layout: Layout
        var email: String
        var error: String?
    }

    func show(request: Request) async throws -> Response {
        if request.staffPrincipal != nil { return request.redirect(to: StaffRoute.home) }
        return try await render(request, email: "", error: nil)
    }

    func submit(request: Request) async throws -> Response {
        let form = (try? request.content.decode(LoginForm.self)) ?? LoginForm()
        let email = (form.email ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let password = form.password ?? ""
        let keptEmail = String(email.prefix(InputLimits.email))
        if email.isEmpty || password.isEmpty {
            return try await render(request, email: keptEmail, error: request.t("staff_login_error_missing"))
        }
        if email.count > InputLimits.email || password.count > InputLimits.password {
            return try await render(request, email: keptEmail, error: request.t("login_error_too_long"))
        }
        let services = request.caseport
        let attempts = LoginAttempts(database: request.db)
        let key = LoginThrottle.key(realm: "staff", organisation: "", username: email)
        let audit = AuditLog(database: request.db)
        let typed = AuditActor.anonymous(typed: String(email.prefix(200)))
        // Counted before the password is checked (A2), so parallel guesses cannot outrun the lock.
        let attempt = try await attempts.count(key: key)
        guard attempt.mayProceed else {
            _ = try await services.passwords.verify(password, against: services.dummyPasswordHash)
            try await audit.record(.loginFailed, by: typed, subject: "staff login", details: "locked", ip: request.clientAddress)
            return try await render(request, email: keptEmail, error: request.t("login_error_locked"))
        }
        let user = try await StaffUserRecord.query(on: request.db)
            .filter(\.$emailKey == LoginKey.fold(email)).first()
        let matches = try await services.passwords.verify(password, against: user?.passwordHash ?? services.dummyPasswordHash)
        guard let user, matches else {
            let locked = attempt.isLast
            try await audit.record(.loginFailed, by: typed, subject: "staff login",
                                   details: "wrong e-mail or password", ip: request.clientAddress)
            if locked {
                try await audit.record(.accountLocked, by: typed, subject: "staff login",
                                       details: "\(LoginThrottle().maximumFailures) failures", ip: request.clientAddress)
            }
            return try await render(request, email: keptEmail,
                                    error: request.t(locked ? "login_error_locked" : "staff_login_error_invalid"))
        }
        let account = AuditActor.staff(id: user.id, name: user.name)
        guard user.isActive else {
            try await audit.record(.loginFailed, by: account, subject: "staff user \(user.id ?? 0)",
                                   details: "account inactive", ip: request.clientAddress)
            return try await render(request, email: keptEmail, error: request.t("login_error_inactive"))
        }
        try await attempts.clear(key: key)
        try await audit.record(.loginSucceeded, by: account, subject: "staff user \(user.id ?? 0)", ip: request.clientAddress)
        user.lastLoginAt = Date()
        try await user.save(on: request.db)
        return try await startSession(request, realm: .staff, userId: try user.requireID(), redirect: StaffRoute.home.path())
    }

    func logout(request: Request) async throws -> Response {
        if let user = request.staffPrincipal?.user {
            try await request.audit(.logout, subject: "staff user \(user.id ?? 0)")
        }
        return try await endSession(request, realm: .staff, redirect: StaffRoute.login.path())
    }

    private func render(_ request: Request, email: String, error: String?) async throws -> Response {
        let page = LoginPage(layout: Layout(request, title: request.t("staff_login_title"), area: "staff"),
                             email: email, error: error)
        return try await request.view.render("staff/login", page).encodeResponse(for: request).get()
    }
}
