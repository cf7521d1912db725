import Vapor

/// Live chat's routes (B13/D7): the customer's socket, status, start and the page without JavaScript
/// (portal session or a visitor's cookie), and the staff console and socket.
enum ChatRoute: String, AppRoute {
    case socket, status, start, page, leave
    case console, availability, staffSocket

    static let realm = "chat"

    var method: HTTPMethod {
        switch self {
        case .start, .leave, .availability: .POST
        default: .GET
        }
    }

    var pattern: String {
        switch self {
        case .socket: "/chat/socket"
        case .status: "/chat/status"
        case .start: "/chat/start"
        case .page, .leave: "/chat"
        case .console: "/staff/chat"
        case .availability: "/staff/chat/availability"
        case .staffSocket: "/staff/chat/socket"
        }
    }

    /// The menu entry of the page (`Layout.section`).
    var section: String {
        switch self {
        case .console, .availability, .staffSocket: "staff-chat"
        default: "chat"
        }
    }
}
