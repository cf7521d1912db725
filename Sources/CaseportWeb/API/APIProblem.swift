import CaseportOperations
import Foundation
import OpenAPIRuntime
import Vapor

/// Every API error as `application/problem+json` (RFC 9457): `type` is `about:blank` (the status says
/// it all) except for input problems (`…#invalid-input`, with `errors` per field); `title` is the status
/// phrase. Never an internal reason or a stack trace.
enum APIProblem {
    static let invalidInputType = "https://caseport.invalid/problems#invalid-input"

    struct Body: Encodable {
        var type: String
        var title: String
        var status: Int
        var detail: String?
        var errors: [FieldError]?
        struct FieldError: Encodable { var field: String; var message: String }
    }

    static func response(for error: any Error, request: Request) -> Response {
        let failure = failure(for: error)
        if failure.status.code >= 500 { request.logger.report(error: error) }
        let body = Body(type: failure.errors.isEmpty ? "about:blank" : invalidInputType, title: failure.status.reasonPhrase,
                        status: Int(failure.status.code), detail: failure.detail,
                        errors: failure.errors.isEmpty ? nil : failure.errors.map { .init(field: $0.field, message: $0.message) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var headers = failure.headers
        headers.replaceOrAdd(name: .contentType, value: "application/problem+json")
        let data = (try? encoder.encode(body)) ?? Data(#"{"type":"about:blank","title":"Error","status":500}"#.utf8)
        return Response(status: failure.status, headers: headers, body: .init(data: data))
    }

    /// What an error means for the caller. The generated server wraps what a handler throws (and what
    /// it could not decode) in `ServerError`; its `httpStatus` is 400/415 for input it could not read.
    static func failure(for error: any Error) -> APIFailure {
        switch error {
        case let failure as APIFailure: return failure
        case let refused as OperationError:
            switch refused {
            case .notFound: return APIFailure(.notFound)
            case .forbidden: return APIFailure(.forbidden)
            case .stale: return APIFailure(.conflict, "The case changed since that version; read it again.")
            case .alreadyDone: return APIFailure(.conflict, "That was already done.")
            case .notAllowedNow: return APIFailure(.unprocessableEntity, "Not possible in the case's current state.")
            }
        case let server as ServerError:
            if server.underlyingError is APIFailure || server.underlyingError is OperationError || server.underlyingError is AbortError {
                return failure(for: server.underlyingError)
            }
            let status = HTTPResponseStatus(statusCode: server.httpStatus.code)
            return APIFailure(status, status.code < 500 ? "The request could not be read: \(status.reasonPhrase)." : nil)
        case let abort as any AbortError:
            return APIFailure(abort.status, abort.status.code < 500 ? abort.reason : nil)
        default:
            return APIFailure(.internalServerError)
        }
    }
}

extension Request {
    /// A path of the JSON API: no cookies, no CSRF token, no form rules, errors as problem+json.
    var isAPIPath: Bool { url.path == APIRoutes.prefix || url.path.hasPrefix(APIRoutes.prefix + "/") }
}
