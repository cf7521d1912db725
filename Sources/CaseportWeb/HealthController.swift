import CaseportStore
import Fluent
import Vapor

/// `GET /healthz`: 200 when the database answers, 503 when it does not. For load balancers.
struct HealthController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(PublicRoute.health, use: health)
    }

    struct Health: Content {
        var status: String
        var database: String
    }

    func health(request: Request) async throws -> Response {
        let reachable = await DatabasePreparation.ping(request.database)
        let body = Health(status: reachable ? "ok" : "unavailable", database: reachable ? "reachable" : "unreachable")
        let response = try await body.encodeResponse(status: reachable ? .ok : .serviceUnavailable, for: request)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }
}
