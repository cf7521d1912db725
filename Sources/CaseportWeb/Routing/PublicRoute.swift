import Vapor

/// Routes outside both sessions: the health check and the deployment's branding.
enum PublicRoute: String, AppRoute {
    case health, brandingStylesheet, brandingLogo
    case privacy

    static let realm = "public"

    var method: HTTPMethod { .GET }

    var pattern: String {
        switch self {
        case .health: "/healthz"
        case .brandingStylesheet: "/branding.css"
        case .brandingLogo: "/branding/logo"
        case .privacy: "/privacy"
        }
    }
}
