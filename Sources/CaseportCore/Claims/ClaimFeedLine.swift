import Foundation

/// Issue 13 (C1, seed 002): what one news-feed entry says to the customer — a locale key with its
/// values (dates kept as dates, each language writes them). The seed's redactions live here, in one
/// place: a compensation decision never says which; a closing carries no comment; a reopening is
/// "<company>: has reopened the case" without its reason.
public struct ClaimFeedLine: Sendable, Equatable {
    public var key: String
    public var texts: [String: String]
    public var dates: [String: Date]

    public init(key: String, texts: [String: String] = [:], dates: [String: Date] = [:]) {
        self.key = key
        self.texts = texts
        self.dates = dates
    }

    /// The line of an event the feed shows; nil for an event no filter entry shows. `company`: the
    /// name a reopening is signed with (the case's insurer or landlord, else the company).
    public static func line(for event: CaseEvent, company: String) -> ClaimFeedLine? {
        guard let entry = ClaimFeedEntry.entry(for: event) else { return nil }
        switch (entry, event) {
        case (_, .callLogged(let caller, let callee, let answered, let seconds)):
            let minutes = String(max(1, Int((Double(seconds) / 60).rounded(.up))))
            return answered
                ? .init(key: "claim_feed_call_answered", texts: ["caller": caller, "callee": callee, "minutes": minutes])
                : .init(key: "claim_feed_call_missed", texts: ["caller": caller, "callee": callee])
        case (_, .expertAssigned(let name)):
            return .init(key: "claim_feed_expert_assigned", texts: ["name": name])
        case (.mainInspectionStarted, .taskStarted(_, _, let title)):
            return .init(key: "claim_feed_main_inspection_started", texts: ["title": title])
        case (.mainInspectionFinished, .taskFinished(_, _, let title)):
            return .init(key: "claim_feed_main_inspection_finished", texts: ["title": title])
        case (_, .taskStarted(_, _, let title)):
            return .init(key: "claim_feed_task_started", texts: ["title": title])
        case (_, .taskFinished(_, _, let title)):
            return .init(key: "claim_feed_task_finished", texts: ["title": title])
        case (_, .compensationDecided):
            // Never which decision (seed 002: "Det er ikke specificeret, hvad beslutningen er").
            return .init(key: "claim_feed_compensation_decided")
        case (.caseClosed, _):
            return .init(key: "claim_feed_case_closed")
        case (.caseReopened, _):
            return .init(key: "claim_feed_case_reopened", texts: ["company": company])
        case (_, .taskOfficeChanged(_, _, let title, let office)):
            guard let office else { return .init(key: "claim_feed_office_removed", texts: ["title": title]) }
            return .init(key: entry == .inspectionOfficeChanged ? "claim_feed_inspection_office" : "claim_feed_task_office",
                         texts: ["title": title, "office": office])
        case (_, .taskAdded(_, _, let title)):
            return .init(key: "claim_feed_task_added", texts: ["title": title])
        case (_, .taskResponsibleChanged(_, let title, let name)):
            guard let name else { return .init(key: "claim_feed_responsible_removed", texts: ["title": title]) }
            return .init(key: "claim_feed_responsible", texts: ["title": title, "name": name])
        case (_, .projectManagerChanged(let name)):
            guard let name else { return .init(key: "claim_feed_project_manager_removed") }
            return .init(key: "claim_feed_project_manager", texts: ["name": name])
        case (_, .projectManagerOfficeChanged(let office)):
            guard let office else { return .init(key: "claim_feed_project_office_removed") }
            return .init(key: "claim_feed_project_office", texts: ["office": office])
        case (_, .appointmentChanged(let at)):
            guard let at else { return .init(key: "claim_feed_appointment_removed") }
            return .init(key: "claim_feed_appointment", dates: ["at": at])
        case (_, .taskScheduleChanged(_, let title, let starts, let ends)):
            var dates: [String: Date] = [:]
            dates["starts"] = starts
            dates["ends"] = ends
            let key = starts != nil && ends != nil ? "claim_feed_schedule" : starts != nil ? "claim_feed_schedule_start"
                : ends != nil ? "claim_feed_schedule_end" : "claim_feed_schedule_removed"
            return .init(key: key, texts: ["title": title], dates: dates)
        case (_, .staffMessage):
            return .init(key: "claim_feed_message")
        case (_, .documentShared(let name)):
            return .init(key: "claim_feed_document_shared", texts: ["name": name])
        case (_, .documentUnshared(let name)):
            return .init(key: "claim_feed_document_unshared", texts: ["name": name])
        default:
            return nil
        }
    }

    /// The line in a language: `template` is the key's text, `{name}` placeholders filled (dates by
    /// `formatDate`).
    public func render(_ template: String, formatDate: (Date) -> String) -> String {
        var text = template
        for (name, value) in texts { text = text.replacingOccurrences(of: "{\(name)}", with: value) }
        for (name, value) in dates { text = text.replacingOccurrences(of: "{\(name)}", with: formatDate(value)) }
        return text
    }
}
