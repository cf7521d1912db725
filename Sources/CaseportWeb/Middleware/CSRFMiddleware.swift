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
        let existing = request.parsedCookies[CookieNames.csrf].map(\.string).flatMap { $0.count == 43 ? $0 : nil }
        request.csrfToken = existing ?? Sessions.newToken()

        // The JSON API authenticates by bearer token only, never by cookie, so a forged cross-site
        // request carries no credential there: it needs no CSRF token.
        if ![.GET, .HEAD, .OPTIONS].contains(request.method), !request.isAPIPath {
            var sent = request.headers.first(name: "X-CSRF-Token")
            if sent == nil, Self.isMultipart(request) {
                guard let existing else { throw FormExpired(typed: []) }
                if let limit = request.route?.multipartCollectLimit {
                    // A small upload the route collects anyway (a logo, an import file): read its first part here.
                    if request.body.data == nil { _ = try await request.body.collect(max: limit).get() }
                    sent = request.body.data.flatMap { Self.firstMultipartToken($0, boundary: request.headers.contentType?.parameters["boundary"]) }
                } else {
                    // A streamed upload: `UploadReceiver` compares the body's first part with the cookie
                    // before it accepts a byte of file data (the token never travels in the address).
                    request.pendingMultipartCSRF = existing
                    sent = existing
                }
            } else if sent == nil {
                sent = try await Self.formToken(request)
            }
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

    /// The token from a url-encoded form. (Upload forms send it as the first multipart field.)
    ///
    /// A form body arrives in several chunks once it is larger than a socket read (about 1 KB on a
    /// slow link), and middleware runs before the route collects it: collect it here, up to the
    /// form routes' limit, or a long message would be refused as an expired form.
    static func formToken(_ request: Request) async throws -> String? {
        if request.body.data == nil {
            _ = try await request.body.collect(max: request.application.routes.defaultMaxBodySize.value).get()
        }
        return (try? request.content.decode(TokenField.self))?.csrf_token
    }

    static func isMultipart(_ request: Request) -> Bool {
        request.headers.contentType.map { $0.type.lowercased() == "multipart" && $0.subType.lowercased() == "form-data" } ?? false
    }

    /// The value of a multipart body's first part when that part is the `csrf_token` field (every
    /// upload form sends it first); nil otherwise.
    static func firstMultipartToken(_ body: ByteBuffer, boundary: String?) -> String? {
        guard let boundary else { return nil }
        struct Done: Error {}
        var stream = MultipartStream(boundary: boundary)
        var name: String?, isFile = false, value: [UInt8] = [], finished = false
        do {
            try stream.feed(Array(body.readableBytesView)) { event in
                switch event {
                case .partStart(let headers):
                    let disposition = headers["content-disposition"] ?? ""
                    name = UploadReceiver.parameter("name", in: disposition)
                    isFile = UploadReceiver.parameter("filename", in: disposition) != nil
                case .bodyBytes(let bytes):
                    value += bytes
                    if value.count > 200 { throw Done() }
                case .partEnd:
                    finished = true
                    throw Done()
                }
            }
        } catch {}
        guard finished, name == fieldName, !isFile else { return nil }
        return String(decoding: value, as: UTF8.self)
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

    private struct PendingMultipartKey: StorageKey { typealias Value = String }

    /// A streamed upload's expected token: set by `CSRFMiddleware`, checked by `UploadReceiver`
    /// against the body's first part before any file data is accepted.
    var pendingMultipartCSRF: String? {
        get { storage[PendingMultipartKey.self] }
        set { storage[PendingMultipartKey.self] = newValue }
    }

    /// Issues a new token (at login and logout), so a token seen before cannot be reused.
    func renewCSRFToken() {
        csrfToken = Sessions.newToken()
    }
}
