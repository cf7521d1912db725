import CaseportCore
import CaseportStore
import Fluent
import Vapor

/// The audit log for administrators (E5) at /staff/audit: newest first, filtered by action, by text
/// (actor or subject) and by date range, paged by keyset ("older" carries the last id shown) so the
/// hundredth page costs what the first does.
struct StaffAuditController: RouteCollection {
    static let pageSize = 50

    func boot(routes: any RoutesBuilder) throws {
        routes.on(StaffRoute.audit, use: list)
    }

    struct Row: Encodable {
        var id: Int
        var at: String
        var actor: String
        var actorKind: String
        var action: String
        var subject: String
        var details: String
        var ip: String
    }

    struct Page: Encodable {
        var layout: Layout
        var rows: [Row]
        var actions: [SelectOption]
        var q: String
        var from: String
        var to: String
        var dateError: String?
        var olderLink: String?
        var newestLink: String?
        var filtered: Bool
    }

    static func day(_ text: String) -> Date? {
        guard text.count == 10 else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = .current
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.date(from: text)
    }

    func list(request: Request) async throws -> View {
        let q = request.searchText
        let actionText = (try? request.query.get(String.self, at: "action")) ?? ""
        let action = AuditAction(rawValue: actionText)
        let fromText = String(((try? request.query.get(String.self, at: "from")) ?? "").prefix(10))
        let toText = String(((try? request.query.get(String.self, at: "to")) ?? "").prefix(10))
        let from = Self.day(fromText)
        // "to" is inclusive: the whole day.
        let to = Self.day(toText).map { $0.addingTimeInterval(24 * 3_600) }
        let dateError = (!fromText.isEmpty && from == nil) || (!toText.isEmpty && to == nil)
            ? request.t("audit_error_date") : nil
        let before = try? request.query.get(Int.self, at: "before")
        let filter = AuditLog.Filter(action: action, text: q.isEmpty ? nil : q, from: from, to: to)
        let events = try await AuditLog(database: request.database).page(filter, before: before, limit: Self.pageSize)

        // The log pages by a cursor (older than event N), not by page number; links keep the search.
        let query: [(String, String?)] = [("q", q), ("action", action?.rawValue), ("from", from != nil ? fromText : nil),
                                          ("to", to != nil ? toText : nil)]
        func link(_ extra: [(String, String?)]) -> String { StaffRoute.audit.path([], query: query + extra) }
        let olderLink = events.count == Self.pageSize ? events.last?.id.map { link([("before", String($0))]) } : nil

        // Issue 12: subject and details in the reader's language, with names instead of ids.
        let words = try await AuditText.load(for: events, request: request)
        let page = Page(
            layout: Layout(request, title: request.t("audit_title"), area: "staff"),
            rows: events.map {
                Row(id: $0.id ?? 0, at: request.language.formatDateTime($0.at), actor: $0.actorName,
                    actorKind: request.t("audit_actor_\($0.actorKind)"), action: request.t("audit_action_\($0.action)"),
                    subject: words.subject($0.subject), details: words.details(action: $0.action, $0.details), ip: $0.ip ?? "")
            },
            actions: AuditAction.allCases.map {
                SelectOption(value: $0.rawValue, name: request.t("audit_action_\($0.rawValue)"), selected: $0 == action)
            },
            q: q, from: fromText, to: toText, dateError: dateError,
            olderLink: olderLink, newestLink: before != nil ? link([]) : nil,
            filtered: query.contains { $0.1?.isEmpty == false })
        return try await request.view.render("staff/audit", page)
    }
}
