import Vapor

/// Issue 13 points 3 and 4: the staff case page's document library and budget (C4, C5, D3). Every
/// page of these routes belongs to the cases section; links are `#route("claimdocs.share", number)`.
enum ClaimDocsRoute: String, AppRoute {
    case upload, share
    case unshare, unshareSubmit, edit, editSubmit, delete, deleteSubmit
    case budgetAdd, budgetLine, budgetLineSubmit, budgetLineRemove

    static let realm = "claimdocs"

    var method: HTTPMethod {
        switch self {
        case .unshare, .edit, .delete, .budgetLine: .GET
        default: .POST
        }
    }

    var pattern: String {
        switch self {
        case .upload: "/staff/cases/:number/documents"
        case .share: "/staff/cases/:number/documents/share"
        case .unshare, .unshareSubmit: "/staff/cases/:number/documents/:fileId/unshare"
        case .edit, .editSubmit: "/staff/cases/:number/documents/:fileId/edit"
        case .delete, .deleteSubmit: "/staff/cases/:number/documents/:fileId/delete"
        case .budgetAdd: "/staff/cases/:number/budget"
        case .budgetLine, .budgetLineSubmit: "/staff/cases/:number/budget/:lineId"
        case .budgetLineRemove: "/staff/cases/:number/budget/:lineId/remove"
        }
    }

    var section: String { "staff-cases" }
}
