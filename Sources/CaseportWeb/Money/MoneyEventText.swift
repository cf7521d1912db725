import CaseportCore
import Vapor

/// The staff timeline's line for issue 14's events (rows, work orders, specifications).
enum MoneyEventText {
    static func describe(_ event: CaseEvent, request: Request, language: Language) -> String {
        func fill(_ values: [String: String]) -> String {
            var text = request.t("staff_event_\(event.kind.rawValue)")
            for (key, value) in values { text = text.replacingOccurrences(of: "{\(key)}", with: value) }
            return text
        }
        func quantity(_ plain: String) -> String {
            Quantity.parse(plain).map { $0.formatted(language) } ?? plain
        }
        switch event {
        case .articleRowBooked(let article, let amount, _), .articleRowRemoved(let article, let amount):
            return fill(["article": article, "quantity": quantity(amount)])
        case .workOrderCreated(let id, let title), .workOrderChanged(let id, let title):
            return fill(["id": String(id), "title": title])
        case .workOrderStateChanged(let id, let from, let to):
            return fill(["id": String(id), "from": request.t(from.labelKey), "to": request.t(to.labelKey)])
        case .specificationCreated(let number), .specificationApproved(let number), .specificationRejected(let number):
            return fill(["number": String(number)])
        default:
            return request.t("staff_event_\(event.kind.rawValue)")
        }
    }
}
