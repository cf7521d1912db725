import Foundation

/// The entries of the customer page's news-feed filter, exactly as seed 002 lists them ("Filter for
/// nyheder"). An event reaches the customer's feed only when its entry is chosen and it is a
/// customer-audience event; internal events never map to an entry.
public enum ClaimFeedEntry: String, Codable, Sendable, CaseIterable, Hashable {
    case callHistory = "call_history"
    case expertAssigned = "expert_assigned"
    case mainInspectionStarted = "main_inspection_started"
    case mainInspectionFinished = "main_inspection_finished"
    case compensationDecision = "compensation_decision"
    /// Another task than the main inspection was started or finished.
    case taskStartedFinished = "task_started_finished"
    case caseClosed = "case_closed"
    case inspectionOfficeChanged = "inspection_office_changed"
    case tasksAdded = "tasks_added"
    case repairResponsibleChanged = "repair_responsible_changed"
    case repairOfficeChanged = "repair_office_changed"
    case caseReopened = "case_reopened"
    case projectManagerChanged = "project_manager_changed"
    case projectManagerOfficeChanged = "project_manager_office_changed"
    case appointmentChanged = "appointment_changed"
    case taskScheduleChanged = "task_schedule_changed"
    case messageToCustomer = "message_to_customer"
    case documentShared = "document_shared"
    case documentUnshared = "document_unshared"

    /// The entry an event belongs to, or nil when no filter choice ever shows it to a customer.
    public static func entry(for event: CaseEvent) -> ClaimFeedEntry? {
        switch event {
        case .callLogged: return .callHistory
        case .expertAssigned: return .expertAssigned
        case .taskStarted(_, let kind, _): return kind == .mainInspection ? .mainInspectionStarted : .taskStartedFinished
        case .taskFinished(_, let kind, _): return kind == .mainInspection ? .mainInspectionFinished : .taskStartedFinished
        case .compensationDecided: return .compensationDecision
        case .statusChanged(_, let to) where to == .closed: return .caseClosed
        case .statusChanged(_, let to) where to == .reopened: return .caseReopened
        case .taskOfficeChanged(_, let kind, _, _):
            return kind == .mainInspection || kind == .inspection ? .inspectionOfficeChanged : .repairOfficeChanged
        case .taskAdded: return .tasksAdded
        case .taskResponsibleChanged: return .repairResponsibleChanged
        case .projectManagerChanged: return .projectManagerChanged
        case .projectManagerOfficeChanged: return .projectManagerOfficeChanged
        case .appointmentChanged: return .appointmentChanged
        case .taskScheduleChanged: return .taskScheduleChanged
        case .staffMessage: return .messageToCustomer
        case .documentShared: return .documentShared
        case .documentUnshared: return .documentUnshared
        default: return nil
        }
    }
}
