import CaseportOperations
import CaseportStore
import FluentKit
import Vapor

/// Turns every error into a calm page in the user's language (or JSON for /healthz and the API):
/// never a stack trace, never the internal reason.
struct ErrorPageMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            // The JSON API answers problem+json (RFC 9457), also for a path no route has.
            if request.isAPIPath { return APIProblem.response(for: error, request: request) }
            let status: HTTPResponseStatus
            if let abort = error as? any AbortError {
                status = abort.status
            } else if let refused = error as? OperationError {
                status = refused.status
            } else {
                status = .internalServerError
            }
            if status == .internalServerError {
                request.logger.report(error: error)
            }
            if let abort = error as? any AbortError, abort.status == .seeOther || abort.status == .found {
                return request.redirect(to: abort.headers.first(name: .location) ?? "/")
            }
            return await render(status: status, error: error, for: request)
        }
    }

    private func render(status: HTTPResponseStatus, error: any Error, for request: Request) async -> Response {
        let key: String
        switch status {
        case .notFound: key = "error_not_found"
        case .forbidden:
            key = error is FormExpired ? "error_form_expired" : "error_forbidden"
        case .payloadTooLarge: key = "error_too_large"
        case .unsupportedMediaType: key = "error_unsupported_type"
        case .badRequest, .unprocessableEntity: key = "error_bad_request"
        default: key = status.code >= 500 ? "error_server" : "error_bad_request"
        }
        // Refused before the CSRF step ran (a malformed request): the page's forms still need the token.
        if request.csrfToken.isEmpty, let cookie = request.parsedCookies[CookieNames.csrf]?.string, cookie.count == 43 {
            request.csrfToken = cookie
        }
        // The contact line (issue 12) needs the settings; a path outside the route groups has not read them.
        if request.pageFrame.contactPhone == nil, status.code < 500 || !(error is any DatabaseError),
           let settings = try? await SettingsStore(database: request.database).load() {
            request.pageFrame.contactPhone = settings.contactPhone
            request.pageFrame.contactEmail = settings.contactEmail
        }
        let kept = (error as? FormExpired)?.typed.map { ErrorPage.Kept(name: Self.label(for: $0.name, request), value: $0.value) } ?? []
        let context = ErrorPage(layout: Layout(request, title: request.t("error_title")),
                                message: request.t(key), status: Int(status.code), kept: kept,
                                backPath: kept.isEmpty ? nil : Self.backPath(request))
        do {
            let response = try await request.view.render("shared/error", context).encodeResponse(for: request).get()
            response.status = status
            return response
        } catch {
            let response = Response(status: status, body: .init(string: request.t(key)))
            response.headers.contentType = .plainText
            return response
        }
    }

    /// A person's name for a form field ("Message", not "body"); fields without one are just "Text".
    static func label(for field: String, _ request: Request) -> String {
        let key = "kept_field_\(field)"
        let label = request.t(key)
        return label == key ? request.t("kept_field_other") : label
    }

    /// The page the refused form was on (from Referer), as a local path only — never a link off the site.
    static func backPath(_ request: Request) -> String? {
        guard let referer = request.headers.first(name: .referer) else { return nil }
        let uri = URI(string: referer)
        var path = uri.path
        guard path.hasPrefix("/"), !path.hasPrefix("//"), !path.contains("\\"), path.utf8.count <= 2048 else { return nil }
        if let query = uri.query, !query.isEmpty { path += "?" + query }
        return path
    }
}

struct ErrorPage: Encodable {
    struct Kept: Encodable {
        var name: String
        var value: String
    }

    var layout: Layout
    var message: String
    var status: Int
    /// What the user typed into a form refused as expired, shown so it can be copied.
    var kept: [Kept] = []
    var backPath: String?
}
