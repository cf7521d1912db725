import Foundation
import NIOConcurrencyHelpers
import Vapor

/// The requests this server is answering, so a stop can wait for them (issue 17, graceful stop).
///
/// Vapor's server stop waits for open connections only up to its shutdown timeout; a request still
/// running after that would find its database closed (a force-unwrap inside Fluent and a crash). So
/// `caseport serve` stops in this order: `beginStopping()` — from then on a request that reaches the
/// server is answered 503 with `Connection: close` at once, without touching the database (behind a
/// load balancer it is retried on another node); the HTTP server stops; `drained(within:)` waits for the
/// requests already past the gate; only then do the jobs finish and the databases close.
public final class InFlightRequests: Sendable {
    private struct State {
        var running = 0
        var stopping = false
    }
    private let state = NIOLockedValueBox(State())

    public init() {}

    /// Requests past the gate and not yet answered.
    public var running: Int { state.withLockedValue { $0.running } }
    public var isStopping: Bool { state.withLockedValue { $0.stopping } }

    public func beginStopping() {
        state.withLockedValue { $0.stopping = true }
    }

    /// Counts a request in, or says no when the server is stopping.
    func enter() -> Bool {
        state.withLockedValue { state in
            guard !state.stopping else { return false }
            state.running += 1
            return true
        }
    }

    func leave() {
        state.withLockedValue { $0.running -= 1 }
    }

    /// Waits until no request is running, or `limit` has passed; true when none is left.
    public func drained(within limit: TimeInterval) async -> Bool {
        let deadline = Date().addingTimeInterval(limit)
        while running > 0 {
            if Date() >= deadline { return false }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        return true
    }
}

/// The first middleware: counts each request in and out, and refuses requests once the server stops.
struct InFlightMiddleware: AsyncMiddleware {
    let requests: InFlightRequests

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard requests.enter() else {
            let response = Response(status: .serviceUnavailable, body: .init(string: "The server is restarting. Try again in a moment.\n"))
            response.headers.replaceOrAdd(name: .connection, value: "close")
            response.headers.replaceOrAdd(name: .retryAfter, value: "1")
            response.headers.contentType = .plainText
            return response
        }
        defer { requests.leave() }
        return try await next.respond(to: request)
    }
}

extension Application {
    private struct InFlightRequestsKey: StorageKey { typealias Value = InFlightRequests }

    /// This server's requests in flight (configure puts `InFlightMiddleware` first).
    public var inFlightRequests: InFlightRequests {
        if let existing = storage[InFlightRequestsKey.self] { return existing }
        let made = InFlightRequests()
        storage[InFlightRequestsKey.self] = made
        return made
    }
}

/// A stop of `caseport serve` (SIGTERM): refuse new requests, close the chat sockets, stop the HTTP
/// server (no new connections; open ones close after their current answer), then wait for the requests
/// in flight. False when some were still running after `limit`: the caller must not close the
/// databases under them.
public func stopServing(_ app: Application, within limit: TimeInterval) async -> Bool {
    app.inFlightRequests.beginStopping()
    await app.chatBus.closeLocalSockets()
    await app.server.shutdown()
    return await app.inFlightRequests.drained(within: limit)
}
