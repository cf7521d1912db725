import CaseportCore
import Vapor

/// Issue 13: how the staff timeline reads a claim's events, in the reader's language — with the
/// names, times and (for staff) the decision's outcome.
enum ClaimEventText {
    static func describe(_ event: CaseEvent, request: Request, language: Language) -> String {
        func text(_ key: String, _ values: [String: String]) -> String {
            values.reduce(request.t("claims_event_\(key)")) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
        }
        func time(_ date: Date?) -> String { date.map { language.formatDateTime($0) } ?? "–" }
        func kind(_ kind: ClaimTaskKind) -> String { request.t("claims_task_kind_\(kind.rawValue)") }
        switch event {
        case .callLogged(let caller, let callee, let answered, let seconds):
            return text(answered ? "call_answered" : "call_unanswered",
                        ["caller": caller, "callee": callee, "length": CallLength.format(seconds)])
        case .expertAssigned(let name):
            return text("expert_assigned", ["name": name])
        case .taskAdded(_, let taskKind, let title):
            return text("task_added", ["kind": kind(taskKind), "title": title])
        case .taskStarted(_, let taskKind, let title):
            return text("task_started", ["kind": kind(taskKind), "title": title])
        case .taskFinished(_, let taskKind, let title):
            return text("task_finished", ["kind": kind(taskKind), "title": title])
        case .taskScheduleChanged(_, let title, let starts, let ends):
            return text("task_schedule", ["title": title, "starts": time(starts), "ends": time(ends)])
        case .taskOfficeChanged(_, _, let title, let office):
            return office.map { text("task_office", ["title": title, "office": $0]) } ?? text("task_office_removed", ["title": title])
        case .taskResponsibleChanged(_, let title, let name):
            return name.map { text("task_responsible", ["title": title, "name": $0]) } ?? text("task_responsible_removed", ["title": title])
        case .compensationDecided(let decision):
            return text("decision", ["decision": request.t("claims_decision_\(decision.rawValue)")])
        case .projectManagerChanged(let name):
            return name.map { text("project_manager", ["name": $0]) } ?? text("project_manager_removed", [:])
        case .projectManagerOfficeChanged(let office):
            return office.map { text("project_office", ["office": $0]) } ?? text("project_office_removed", [:])
        case .appointmentChanged(let at):
            return at.map { text("appointment", ["at": language.formatDateTime($0)]) } ?? text("appointment_removed", [:])
        case .budgetLineAdded(let description, let amount), .budgetLineChanged(let description, let amount),
             .budgetLineRemoved(let description, let amount):
            return text(event.kind.rawValue,
                        ["description": description, "amount": Money.parse(amount).map { $0.formatted(language) } ?? amount])
        default:
            return request.t("staff_event_\(event.kind.rawValue)")
        }
    }
}
