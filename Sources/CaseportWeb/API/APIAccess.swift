import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import NIOConcurrencyHelpers
import Vapor

/// Who an API call acts for: a portal user (with the access rule's links, exactly as on the pages) or
/// a staff member (acting with the token's role), and what the token may do.
struct APIPrincipal: Sendable {
    enum Caller: Sendable {
        case portal(PortalPrincipal)
        case staff(StaffActor)
    }
    let tokenId: Int
    let scope: APITokenScope
    let caller: Caller
}

/// The Vapor request of the API call being handled. The generated server hands handlers only the
/// typed input; `APITokenMiddleware` runs the rest of the chain inside this task-local, so a handler
/// reaches the database, the storage and the principal the same way the pages do.
enum APIRequest {
    @TaskLocal static var current: Request?

    static func require() throws -> Request {
        guard let request = current else { throw APIFailure(.internalServerError, "no request") }
        return request
    }
}

extension Request {
    private struct APIPrincipalKey: StorageKey { typealias Value = APIPrincipal }
    var apiPrincipal: APIPrincipal? {
        get { storage[APIPrincipalKey.self] }
        set { storage[APIPrincipalKey.self] = newValue }
    }
}

/// An API answer other than success, written as `application/problem+json` (RFC 9457).
struct APIFailure: Error, Sendable {
    var status: HTTPResponseStatus
    var detail: String?
    /// Per field, what is wrong (an operation's `Problems`, in the caller's language).
    var errors: [(field: String, message: String)] = []
    var headers: HTTPHeaders = [:]

    init(_ status: HTTPResponseStatus, _ detail: String? = nil, errors: [(field: String, message: String)] = []) {
        self.status = status
        self.detail = detail
        self.errors = errors
    }
}

/// Authenticates every `/api/v1` call by its bearer token, checks the token's scope and rate, and
/// sets the principal. Portal tokens load their user exactly as a portal session does
/// (`PortalSessionMiddleware.load`: an inactive user or organisation is refused), so the API applies
/// the same access rule with the same links. Cookies are never read here: a browser's session cannot
/// make an API call, which is why these routes need no CSRF token.
struct APITokenMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        try await APIRequest.$current.withValue(request) {
            do {
                try await authenticate(request)
                return try await next.respond(to: request)
            } catch {
                return APIProblem.response(for: error, request: request)
            }
        }
    }

    private func authenticate(_ request: Request) async throws {
        guard let header = request.headers.first(name: .authorization),
              header.lowercased().hasPrefix("bearer ") else {
            var failure = APIFailure(.unauthorized, "An API token is required (Authorization: Bearer cpt_…).")
            failure.headers.add(name: .wwwAuthenticate, value: "Bearer")
            throw failure
        }
        let token = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        let now = Date()
        guard let record = try await APITokens(database: request.database).find(token: token), record.isUsable(at: now),
              let tokenId = record.id, let principal = try await Self.principal(of: record, on: request.database) else {
            var failure = APIFailure(.unauthorized, "The token is unknown, revoked or expired.")
            failure.headers.add(name: .wwwAuthenticate, value: #"Bearer error="invalid_token""#)
            throw failure
        }
        // Read tokens may only read; everything that changes something needs `write`.
        if ![.GET, .HEAD].contains(request.method), principal.scope != .write {
            throw APIFailure(.forbidden, "This token may only read (scope read).")
        }
        if let wait = request.application.apiRateLimiter.take(tokenId: tokenId, now: now) {
            var failure = APIFailure(.tooManyRequests, "Too many requests with this token; try again later.")
            failure.headers.add(name: .retryAfter, value: String(wait))
            throw failure
        }
        try await APITokens(database: request.database).markUsed(id: tokenId, now: now)
        request.apiPrincipal = principal
        try await Self.checkJSONBody(request)
    }

    /// A JSON body is read whole here (at most 1 MB; a file upload streams instead) and refused when
    /// it holds a NUL, which no one types and PostgreSQL cannot store in text.
    static func checkJSONBody(_ request: Request) async throws {
        guard ![.GET, .HEAD].contains(request.method), request.headers.contentType != .binary else { return }
        guard let buffer = try await request.body.collect(max: 1_000_000).get() else { return }
        let bytes = buffer.readableBytesView
        if bytes.contains(0) || String(decoding: bytes, as: UTF8.self).contains("\\u0000") {
            throw APIFailure(.badRequest, "Text may not contain NUL characters.")
        }
    }

    static func principal(of record: APITokenRecord, on db: any Database) async throws -> APIPrincipal? {
        let id = try record.requireID()
        switch record.realm {
        case .portal:
            guard let userId = record.portalUserId,
                  let principal = try await PortalSessionMiddleware.load(userId: userId, on: db) else { return nil }
            return APIPrincipal(tokenId: id, scope: record.scope, caller: .portal(principal))
        case .staff:
            guard let userId = record.staffUserId, let user = try await StaffUserRecord.find(userId, on: db), user.isActive
            else { return nil }
            // The token's role, never more than the member's own (a demoted admin's token is a handler's).
            let isAdmin = record.role == .admin && user.role == .admin
            return APIPrincipal(tokenId: id, scope: record.scope,
                                caller: .staff(StaffActor(staffId: userId, name: user.name, isAdmin: isAdmin)))
        }
    }
}

/// Requests per token and minute, counted in a fixed one-minute window on this server (several
/// servers each count their own). Over the limit the call is answered 429 with `Retry-After`.
final class APIRateLimiter: Sendable {
    let perMinute: Int
    private let windows = NIOLockedValueBox<[Int: (start: Int, count: Int)]>([:])

    init(perMinute: Int) { self.perMinute = perMinute }

    /// The deployment's limiter when configure() set none (one per process).
    static let standard = APIRateLimiter(perMinute: 600)

    /// nil when the call may go ahead; otherwise the seconds to wait.
    func take(tokenId: Int, now: Date) -> Int? {
        let second = Int(now.timeIntervalSince1970)
        let minute = second - second % 60
        return windows.withLockedValue { windows in
            if windows.count > 10_000 { windows = windows.filter { $0.value.start == minute } }
            var window: (start: Int, count: Int) = windows[tokenId].flatMap { $0.start == minute ? $0 : nil } ?? (start: minute, count: 0)
            guard window.count < perMinute else { return max(1, minute + 60 - second) }
            window.count += 1
            windows[tokenId] = window
            return nil
        }
    }
}

extension Application {
    private struct RateLimiterKey: StorageKey { typealias Value = APIRateLimiter }
    /// CASEPORT_API_RATE_LIMIT calls a minute per token (configure sets it); tests set their own.
    var apiRateLimiter: APIRateLimiter {
        get { storage[RateLimiterKey.self] ?? APIRateLimiter.standard }
        set { storage[RateLimiterKey.self] = newValue }
    }
}

extension Request {
    /// The caller of this API call; only `APITokenMiddleware` lets a call through without one set.
    func requireAPIPrincipal() throws -> APIPrincipal {
        guard let principal = apiPrincipal else { throw APIFailure(.unauthorized) }
        return principal
    }
}
