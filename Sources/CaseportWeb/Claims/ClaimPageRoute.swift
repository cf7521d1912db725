import Vapor

/// Issue 13 (A10, C1–C6): the routes of a claim's customer page. The visitor's case comes from
/// `request.claimViewer` (the personal link's session), never from the address, so no path names a
/// case; the staff preview names the case it previews (`/staff/cases/:number/customer-page`).
enum ClaimPageRoute: String, AppRoute {
    case overview, plan, messages, messagesSubmit, documents, document, budget
    /// The staff preview (issue 13 point 9): the same page as a chosen recipient sees it.
    case preview

    static let realm = "claim"

    var method: HTTPMethod { self == .messagesSubmit ? .POST : .GET }

    var pattern: String {
        switch self {
        case .overview: "/claim"
        case .plan: "/claim/plan"
        case .messages, .messagesSubmit: "/claim/messages"
        case .documents: "/claim/documents"
        case .document: "/claim/documents/:fileId"
        case .budget: "/claim/budget"
        case .preview: "/staff/cases/:number/customer-page"
        }
    }

    /// The menu entry of the page (`Layout.section`).
    var section: String { self == .preview ? "staff-cases" : "claim" }
}
