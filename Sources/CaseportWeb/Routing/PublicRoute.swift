import Vapor

/// Routes outside both sessions: the health check, the deployment's branding and the API's document
/// (the API's own routes come from that document: `APIRoutes`).
enum PublicRoute: String, AppRoute {
    case health, brandingStylesheet, brandingLogo
    case apiDocument

    static let realm = "public"

    var method: HTTPMethod { .GET }

    var pattern: String {
        switch self {
        case .health: "/healthz"
        case .brandingStylesheet: "/branding.css"
        case .brandingLogo: "/branding/logo"
        case .apiDocument: "/api/v1/openapi.json"
        }
    }
}
