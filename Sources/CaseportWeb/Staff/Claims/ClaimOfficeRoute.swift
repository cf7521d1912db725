import Vapor

/// Issue 13: the routes of a claim's back office (the "Claim" part of the staff case page) and the
/// start page's attention lists. Staff only (registered behind `StaffGuard`).
enum ClaimOfficeRoute: String, AppRoute {
    case register, details, decision, reminder, contactRole, status
    case taskAdd, taskEdit, taskState, taskSchedule, taskMedia
    case callLog
    case attention, fileReviewed

    static let realm = "claimoffice"

    var method: HTTPMethod { self == .attention ? .GET : .POST }

    var pattern: String {
        switch self {
        case .register: "/staff/cases/:number/claim"
        case .details: "/staff/cases/:number/claim/details"
        case .decision: "/staff/cases/:number/claim/decision"
        case .reminder: "/staff/cases/:number/claim/reminder"
        case .contactRole: "/staff/cases/:number/claim/contacts/:contact/role"
        case .status: "/staff/cases/:number/claim/status"
        case .taskAdd: "/staff/cases/:number/claim/tasks"
        case .taskEdit: "/staff/cases/:number/claim/tasks/:task"
        case .taskState: "/staff/cases/:number/claim/tasks/:task/state"
        case .taskSchedule: "/staff/cases/:number/claim/tasks/:task/schedule"
        case .taskMedia: "/staff/cases/:number/claim/tasks/:task/media"
        case .callLog: "/staff/cases/:number/claim/calls"
        case .attention: "/staff/attention/:row"
        case .fileReviewed: "/staff/files/:fileId/reviewed"
        }
    }

    /// The menu entry of the page (`Layout.section`).
    var section: String { "staff-cases" }
}
