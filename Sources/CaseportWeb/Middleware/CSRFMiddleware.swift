import CaseportStore
import Vapor

/// Cross-site request forgery protection for every form (double-submit token).
///
/// Each browser gets a random token in an HttpOnly, SameSite=Lax cookie; every form carries the same
/// token in the hidden field `csrf_token`. A state-changing request whose field (or `X-CSRF-Token`
/// header) does not match the cookie is refused with 403 before any handler runs. The token is
/// replaced at login and logout.
struct CSRFMiddleware: AsyncMiddleware {
    static let fieldName = "csrf_token"

    private struct TokenField: Decodable {
        var csrf_token: String?
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let existing = request.cookies[CookieNames.csrf].map(\.string).flatMap { $0.count == 43 ? $0 : nil }
        request.csrfToken = existing ?? Sessions.newToken()

        // The JSON API authenticates by bearer token only, never by cookie, so a forged cross-site
        // request carries no credential there: it needs no CSRF token.
        if ![.GET, .HEAD, .OPTIONS].contains(request.method), !request.isAPIPath {
            var sent = request.headers.first(name: "X-CSRF-Token")
            if sent == nil { sent = try await Self.formToken(request) }
            guard let existing, let sent, Self.constantTimeEqual(existing, sent) else {
                throw FormExpired(typed: FormExpired.typedValues(request))
            }
        }
        let response = try await next.respond(to: request)
        // Only pages carry forms; JSON and health answers need no token cookie.
        if request.csrfToken != existing, response.headers.contentType?.subType == "html" || response.status == .seeOther {
            response.cookies[CookieNames.csrf] = request.cookie(request.csrfToken, maxAge: nil)
        }
        return response
    }

    /// The token from the form. Upload (multipart) forms stream their body, which is never held in
    /// memory, so they carry the token in the action URL's query instead.
    ///
    /// A form body arrives in several chunks once it is larger than a socket read (about 1 KB on a
    /// slow link), and middleware runs before the route collects it: collect it here, up to the
    /// form routes' limit, or a long message would be refused as an expired form.
    static func formToken(_ request: Request) async throws -> String? {
        if request.headers.contentType?.subType.lowercased() == "form-data" {
            return request.query[String.self, at: fieldName]
        }
        if request.body.data == nil {
            _ = try await request.body.collect(max: request.application.routes.defaultMaxBodySize.value).get()
        }
        return (try? request.content.decode(TokenField.self))?.csrf_token
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}

extension Request {
    private struct CSRFKey: StorageKey { typealias Value = String }

    /// The token every form on the page must carry.
    var csrfToken: String {
        get { storage[CSRFKey.self] ?? "" }
        set { storage[CSRFKey.self] = newValue }
    }

    /// Issues a new token (at login and logout), so a token seen before cannot be reused.
    func renewCSRFToken() {
        csrfToken = Sessions.newToken()
    }
}
