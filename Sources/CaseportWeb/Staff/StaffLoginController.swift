import CaseportCore
import CaseportOperations
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

    struct LoginPage: Encodable {
        var layout: Layout
        var email: String
        var error: String?
        /// The single sign-on button's provider name, when CASEPORT_OIDC_ISSUER is set (issue 16).
        var sso: String?
    }

    func show(request: Request) async throws -> Response {
        if request.staffPrincipal != nil { return request.redirect(to: StaffRoute.home) }
        return try await Self.render(request, email: "", error: nil)
    }

    func submit(request: Request) async throws -> Response {
        let form = try request.form(StaffLoginForm.self)
        switch try await StaffSignIn.run(.init(email: form.email, password: form.password), passwords: request.caseport.passwords,
                                         dummyHash: request.caseport.dummyPasswordHash, in: request.operations) {
        case .signedIn(let staffId):
            return try await startSession(request, realm: .staff, userId: staffId, redirect: StaffRoute.home.path())
        case .refused(let refusal):
            // The address comes back, cut to its field's length; the password never does.
            return try await Self.render(request, email: String(form.email.trimmed.prefix(InputLimits.email)),
                                    error: request.t(refusal.messageKey))
        }
    }

    func logout(request: Request) async throws -> Response {
        if request.staffPrincipal != nil {
            try await StaffSignIn.signOut(try request.staffMember(), in: request.operations)
        }
        return try await endSession(request, realm: .staff, redirect: StaffRoute.login.path())
    }

    static func render(_ request: Request, email: String, error: String?) async throws -> Response {
        let page = LoginPage(layout: Layout(request, title: request.t("staff_login_title"), area: "staff"),
                             email: email, error: error, sso: request.caseport.config.oidc?.displayName)
        return try await request.view.render("staff/login", page).encodeResponse(for: request).get()
    }
}

/// The staff login form (D1).
struct StaffLoginForm: PostedForm {
    static var longestValue: Int { 1_000 }
    var email = "", password = ""
}
