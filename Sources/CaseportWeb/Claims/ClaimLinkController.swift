import CaseportCore
import CaseportOperations
import CaseportStore
import Vapor

/// The personal link's pages (A10, C9). `GET /c/<token>` only shows the company's page with a button
/// (mail scanners open links: it changes nothing and sends nothing); the button posts the token in the
/// body to `/c/open`, which opens the link — with the SMS code on, through `/c/code` — sets the link
/// session's cookie and redirects to `/claim`, so the token leaves the address bar. These pages send
/// no referrer. A link that does not work for any reason gets one neutral page (no oracle); an
/// expired one says so and whom to contact.
struct ClaimLinkController: RouteCollection {
    static let cookieName = "caseport_claim"

    func boot(routes: any RoutesBuilder) throws {
        routes.on(ClaimAccessRoute.link, use: showLink)
        routes.on(ClaimAccessRoute.open, use: open)
        routes.on(ClaimAccessRoute.code, use: showCode)
        routes.on(ClaimAccessRoute.codeSubmit, use: submitCode)
    }

    struct LinkPage: Encodable {
        var layout: Layout
        var token: String
        var company: String
    }

    struct CodePage: Encodable {
        var layout: Layout
        var error: String?
        var paused: String?
    }

    struct MessagePage: Encodable {
        var layout: Layout
        var heading: String
        var text: String
        var moreInformation: String?
    }

    func showLink(request: Request) async throws -> Response {
        let token = request.parameters.get("token") ?? ""
        // Nothing is looked up here: the page is the same for every token, real or not.
        let page = LinkPage(layout: Layout(request, title: request.t("claimaccess_link_title"), area: "claim"),
                            token: ClaimLinkRules.isWellFormed(token) ? token : "", company: request.caseport.config.delivery.companyName)
        return try await Self.render(request, "claim/link", page)
    }

    struct OpenForm: PostedForm {
        var token: String
    }

    func open(request: Request) async throws -> Response {
        let form = try request.form(OpenForm.self)
        switch try await OpenClaimLink.run(token: form.token.trimmingCharacters(in: .whitespaces), in: request.claimOperations) {
        case .notWorking: return try await Self.notWorking(request)
        case .expired(let expired): return try await Self.expired(request, expired)
        case .codeUnavailable(let more):
            return try await Self.message(request, heading: "claimaccess_code_unavailable_title",
                                          text: "claimaccess_code_unavailable", more: more, status: .unprocessableEntity)
        case .paused(let until): return try await showCodePage(request, paused: until, status: .tooManyRequests)
        case .codeSent(let session):
            let response = request.redirect(to: ClaimAccessRoute.code.path(), redirectType: .normal)
            Self.setCookie(session, on: response, request)
            return Self.noReferrer(response)
        case .opened(let session):
            return Self.openedResponse(request, session)
        }
    }

    func showCode(request: Request) async throws -> Response {
        guard let session = request.parsedCookies[Self.cookieName]?.string,
              try await ClaimLinks(database: request.database).session(token: session, now: request.claimOperations.now) != nil else {
            return try await Self.notWorking(request)
        }
        return try await showCodePage(request)
    }

    func showCodePage(_ request: Request, error: String? = nil, paused: Date? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        let pausedText = paused.map {
            request.t("claimaccess_code_paused").replacingOccurrences(of: "{time}", with: request.language.formatDateTime($0))
        }
        let page = CodePage(layout: Layout(request, title: request.t("claimaccess_code_title"), area: "claim"),
                            error: error, paused: pausedText)
        let response = try await Self.render(request, "claim/code", page)
        response.status = status
        return response
    }

    struct CodeForm: PostedForm {
        var code: String
    }

    func submitCode(request: Request) async throws -> Response {
        guard let session = request.parsedCookies[Self.cookieName]?.string else { return try await Self.notWorking(request) }
        let form = try request.form(CodeForm.self)
        switch try await VerifyClaimCode.run(sessionToken: session, code: form.code, in: request.claimOperations) {
        case .notWorking: return try await Self.notWorking(request)
        case .expired(let expired): return try await Self.expired(request, expired)
        case .wrong(let left):
            return try await showCodePage(request, error: request.t("claimaccess_code_wrong")
                .replacingOccurrences(of: "{n}", with: String(left)), status: .unprocessableEntity)
        case .paused(let until): return try await showCodePage(request, paused: until, status: .tooManyRequests)
        case .opened(let fresh): return Self.openedResponse(request, fresh)
        }
    }

    // MARK: Shared answers

    /// Where an opened link lands: the claim's customer page.
    static var customerPage: String { ClaimPageRoute.overview.path() }

    static func openedResponse(_ request: Request, _ session: String) -> Response {
        let response = request.redirect(to: customerPage, redirectType: .normal)
        setCookie(session, on: response, request)
        return noReferrer(response)
    }

    static func setCookie(_ session: String, on response: Response, _ request: Request) {
        response.cookies[cookieName] = request.cookie(session, maxAge: Int(ClaimLinkRules.sessionLifetime))
    }

    static func noReferrer(_ response: Response) -> Response {
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        return response
    }

    static func render<Context: Encodable>(_ request: Request, _ template: String, _ context: Context) async throws -> Response {
        noReferrer(try await request.view.render(template, context).encodeResponse(for: request).get())
    }

    /// The one answer for a forged, rotated, revoked or other case's link, and an ended session.
    static func notWorking(_ request: Request) async throws -> Response {
        try await message(request, heading: "claimaccess_not_working_title", text: "claimaccess_not_working", more: nil,
                          status: .notFound)
    }

    static func expired(_ request: Request, _ expired: ClaimLinkAccess.Expired) async throws -> Response {
        let text = request.t("claimaccess_expired").replacingOccurrences(of: "{days}", with: String(expired.days))
        return try await message(request, heading: "claimaccess_expired_title", plain: text,
                                 more: expired.moreInformation.isEmpty ? nil : expired.moreInformation, status: .gone)
    }

    static func message(_ request: Request, heading: String, text: String, more: String?,
                        status: HTTPResponseStatus) async throws -> Response {
        try await message(request, heading: heading, plain: request.t(text), more: more?.isEmpty == true ? nil : more, status: status)
    }

    static func message(_ request: Request, heading: String, plain: String, more: String?,
                        status: HTTPResponseStatus) async throws -> Response {
        let page = MessagePage(layout: Layout(request, title: request.t(heading), area: "claim"), heading: request.t(heading),
                               text: plain, moreInformation: more)
        let response = try await render(request, "claim/message", page)
        response.status = status
        return response
    }
}

/// Resolves the link session's cookie into `request.claimViewer` on the customer page's routes,
/// checking the session, the link's revocation and the case's expiry again on every request. Without
/// a working session it answers with the neutral page (or the expiry page) and the route never runs.
struct ClaimViewerMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let token = request.parsedCookies[ClaimLinkController.cookieName]?.string else {
            return try await ClaimLinkController.notWorking(request)
        }
        switch try await ClaimLinkAccess.viewer(sessionToken: token, in: request.claimOperations) {
        case .none: return try await ClaimLinkController.notWorking(request)
        case .expired(let expired): return try await ClaimLinkController.expired(request, expired)
        case .viewer(let viewer):
            request.claimViewer = viewer
            return ClaimLinkController.noReferrer(try await next.respond(to: request))
        }
    }
}

/// A small route behind `ClaimViewerMiddleware` (204 when the visitor's session works), for tests and
/// monitoring until the customer page itself is there.
struct ClaimSessionCheckController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(ClaimAccessRoute.sessionCheck) { request -> Response in
            guard request.claimViewer != nil else { throw Abort(.notFound) }
            return Response(status: .noContent)
        }
    }
}

extension Request {
    /// The operation context of the personal links: as `operations`, with the clock that
    /// CASEPORT_TEST_CLOCK_FILE may move (tests only; without it, the real time).
    var claimOperations: OperationContext {
        var context = operations
        if let file = caseport.config.claimClockFile {
            context.clock = {
                let text = (try? String(contentsOfFile: file, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
                return Date().addingTimeInterval(text.flatMap(TimeInterval.init) ?? 0)
            }
        }
        return context
    }
}

/// The routes of claim access (called from `configure`): the link's pages and the session check with
/// the page frame (branding) but no portal or staff session; the staff pages behind the staff guard.
func configureClaimAccess(_ app: Application) throws {
    let framed = app.grouped(PageFrameMiddleware())
    try framed.register(collection: ClaimLinkController())
    try framed.grouped(ClaimViewerMiddleware()).register(collection: ClaimSessionCheckController())
    let staff = app.grouped(StaffSessionMiddleware(), PageFrameMiddleware(), StaffGuard())
    try staff.register(collection: ClaimAccessStaffController())
    try staff.grouped(StaffAdminGuard()).register(collection: ClaimSettingsAdminController())
}
