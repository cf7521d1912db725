import Vapor

/// Turns every error into a calm page in the user's language (or JSON for /healthz and the API):
/// never a stack trace, never the internal reason.
struct ErrorPageMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            let status: HTTPResponseStatus
            if let abort = error as? any AbortError {
                status = abort.status
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
            key = (error as? Abort)?.reason == "csrf" ? "error_form_expired" : "error_forbidden"
        case .payloadTooLarge: key = "error_too_large"
        case .badRequest, .unprocessableEntity: key = "error_bad_request"
        default: key = status.code >= 500 ? "error_server" : "error_bad_request"
        }
        let context = ErrorPage(layout: Layout(request, title: request.t("error_title")),
                                message: request.t(key), status: Int(status.code))
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
}

struct ErrorPage: Encodable {
    var layout: Layout
    var message: String
    var status: Int
}
