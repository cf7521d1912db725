import Vapor

/// Issue 13 (A10, C7, C9): who gets access to a claim's customer page and when — the personal link's
/// pages (outside both sessions), a small check behind the link session, and the staff pages for the
/// settings at their three levels and a case's customer access.
enum ClaimAccessRoute: String, AppRoute {
    case link, open, code, codeSubmit, sessionCheck
    case settings, settingsSubmit, customerSettings, customerSettingsSubmit
    case caseAccess, caseAccessSubmit, caseGrant, caseRevoke

    static let realm = "claimaccess"

    var method: HTTPMethod {
        switch self {
        case .open, .codeSubmit, .settingsSubmit, .customerSettingsSubmit, .caseAccessSubmit, .caseGrant, .caseRevoke: .POST
        default: .GET
        }
    }

    var pattern: String {
        switch self {
        case .link: "/c/:token"
        case .open: "/c/open"
        case .code, .codeSubmit: "/c/code"
        case .sessionCheck: "/claim/session-check"
        case .settings, .settingsSubmit: "/staff/settings/customer-page"
        case .customerSettings, .customerSettingsSubmit: "/staff/customers/:id/customer-page"
        case .caseAccess, .caseAccessSubmit: "/staff/cases/:number/customer-access"
        case .caseGrant: "/staff/cases/:number/customer-access/grant"
        case .caseRevoke: "/staff/cases/:number/customer-access/revoke"
        }
    }

    /// The menu entry of the page (`Layout.section`).
    var section: String {
        switch self {
        case .settings, .settingsSubmit: "settings"
        case .customerSettings, .customerSettingsSubmit: "master"
        case .caseAccess, .caseAccessSubmit, .caseGrant, .caseRevoke: "staff-cases"
        default: ""
        }
    }
}
