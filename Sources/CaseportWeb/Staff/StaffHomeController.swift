import CaseportCore
import CaseportStore
import Fluent
import Vapor

/// The back office's start page: who is signed in, the handler's own queues (issue 12: my open cases,
/// mine waiting for the customer, mine with unread customer activity, and cases nobody handles), how
/// many cases have unread customer activity (D4), resolved cases nobody could be reminded about (B6),
/// and the newest cases of all customers.
struct StaffHomeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(StaffRoute.home, use: home)
    }

    struct Row: Encodable {
        var number: Int
        var subject: String
        var status: String
        var tone: String
        var createdAt: String
    }

    /// One of the handler's queues: a count and the case list filtered to it.
    struct Queue: Encodable {
        var key: String
        var label: String
        var count: String
        var link: String
    }

    /// Counts stop here; the list behind the link tells the rest.
    static let queueCap = 999

    struct HomePage: Encodable {
        var layout: Layout
        var role: String
        var unread: String
        var cases: [Row]
        /// Admins get a link to the delivery page (E1).
        var isAdmin: Bool
        /// B6: resolved cases the approval round could not remind anybody about; they wait for staff.
        var unreached: [Row]
        var queues: [Queue]
        /// Issue 13 (seed 002): reminders, tasks waiting for a supplier, supplier uploads, invoices
        /// waiting for approval, customer contact and documents (`staff/claims/attention-rows`).
        var attention: ClaimAttentionController.Counts? = nil
    }

    func home(request: Request) async throws -> View {
        let staff = try request.requireStaff()
        let newest = try await CaseRecord.query(on: request.database)
            .sort(\.$createdAt, .descending).sort(\.$id, .descending).limit(20).all()
        var page = HomePage(
            layout: Layout(request, title: request.t("staff_home_title"), area: "staff"),
            role: request.t("staff_role_\(staff.user.role.rawValue)"),
            unread: StaffCasesController.unreadLabel(try await StaffCases(database: request.database).countUnread(cap: StaffCasesController.unreadCap),
                                                     request: request),
            cases: newest.map {
                Row(number: $0.number, subject: $0.subject, status: request.staffStatus($0.status), tone: $0.status.tone.rawValue,
                    createdAt: request.language.formatDateTime($0.createdAt))
            },
            isAdmin: staff.user.role == .admin,
            unreached: try await CaseApproval(database: request.database).unreached().map {
                Row(number: $0.number, subject: $0.subject, status: request.staffStatus($0.status), tone: $0.status.tone.rawValue,
                    createdAt: request.language.formatDateTime($0.createdAt))
            },
            queues: [])
        page.queues = try await queues(for: try staff.user.requireID(), request: request)
        page.attention = try await ClaimAttentionController.counts(request, staffId: try staff.user.requireID())
        return try await request.view.render("staff/home", page)
    }

    /// The handler's queues, each counted with the same filter the linked case list applies.
    func queues(for staffId: Int, request: Request) async throws -> [Queue] {
        let cases = StaffCases(database: request.database)
        let me = String(staffId)
        func queue(_ key: String, _ link: [(String, String?)], _ configure: (inout StaffCaseFilter) -> Void) async throws -> Queue {
            var filter = StaffCaseFilter()
            configure(&filter)
            let n = try await cases.count(filter, cap: Self.queueCap)
            return Queue(key: key, label: request.t("staff_queue_\(key)"), count: n > Self.queueCap ? "\(Self.queueCap)+" : String(n),
                         link: StaffRoute.cases.path([], query: link))
        }
        return [
            try await queue("mine", [("handler", me), ("status", "active")]) { $0.handlerId = staffId; $0.base.statusGroup = .active },
            try await queue("waiting", [("handler", me), ("status", CaseStatus.waitingForCustomer.rawValue)]) {
                $0.handlerId = staffId; $0.base.status = .waitingForCustomer
            },
            try await queue("unread", [("handler", me), ("unread", "1")]) { $0.handlerId = staffId; $0.unreadOnly = true },
            try await queue("unassigned", [("handler", "none"), ("status", "active")]) { $0.unassigned = true; $0.base.statusGroup = .active },
        ]
    }
}
