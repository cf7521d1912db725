import CaseportAPI
import Foundation
import OpenAPIVapor
import Vapor

/// The JSON API under /api/v1 (E4, issue 16). Its routes are the OpenAPI document's paths: the generated
/// server (`registerHandlers`, Sources/CaseportAPI/Generated) registers one Vapor route per operation
/// through the Vapor transport, behind `APITokenMiddleware`. They are not cases of a route type — the
/// document is their route table — so each is named `api.<operationId-less METHOD path>` here, and
/// `APITests` checks that the registered /api/v1 routes and the document's paths are the same set.
/// The document itself is `PublicRoute.apiDocument` (no token needed).
enum APIRoutes {
    static let prefix = "/api/v1"
    /// The name prefix of the generated routes (`RouteTests` leave them to `APITests`).
    static let generatedNamePrefix = "api."

    static func register(_ app: Application) throws {
        let document = try Data(contentsOf: URL(fileURLWithPath: app.directory.resourcesDirectory)
            .appendingPathComponent("API/openapi.json"))
        app.on(PublicRoute.apiDocument) { _ -> Response in
            var headers = HTTPHeaders()
            headers.contentType = .json
            return Response(status: .ok, headers: headers, body: .init(data: document))
        }
        let before = Set(app.routes.all.map { ObjectIdentifier($0) })
        let transport = VaporTransport(routesBuilder: app.grouped(APITokenMiddleware()))
        try APIHandler().registerHandlers(on: transport, serverURL: URL(string: prefix)!)
        for route in app.routes.all where !before.contains(ObjectIdentifier(route)) {
            route.userInfo[routeNameKey] = generatedNamePrefix + "\(route.method.rawValue) /\(route.path.string)"
        }
    }
}
