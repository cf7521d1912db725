import CaseportCore
import CaseportStore
import Fluent
import Vapor

/// The back office's start page: who is signed in, how many cases have unread customer activity (D4),
/// resolved cases nobody could be reminded about (B6), and the newest cases of all customers.
struct StaffHomeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(StaffRoute.home, use: home)
    }

    struct Row: Encodable {
        var number: Int
        var subject: String
        var status: String
        var createdAt: String
    }

    struct HomePage: Encodable {
        var layout: Layout
        var role: String
        var unread: Int
        var cases: [Row]
        /// Admins get a link to the delivery page (E1).
        var isAdmin: Bool
        /// B6: resolved cases the approval round could not remind anybody about; they wait for staff.
        var unreached: [Row]
    }

    func home(request: Request) async throws -> View {
        let staff = try request.requireStaff()
        let newest = try await CaseRecord.query(on: request.db)
            .sort(\.$createdAt, .descending).sort(\.$id, .descending).limit(20).all()
        let page = HomePage(
            layout: Layout(request, title: request.t("staff_home_title"), area: "staff"),
            role: request.t("staff_role_\(staff.user.role.rawValue)"),
            unread: try await StaffCases(database: request.db).countUnread(),
            cases: newest.map {
                Row(number: $0.number, subject: $0.subject, status: request.staffStatus($0.status),
                    createdAt: request.language.formatDateTime($0.createdAt))
            },
            isAdmin: staff.user.role == .admin,
            unreached: try await CaseApproval(database: request.db).unreached().map {
                Row(number: $0.number, subject: $0.subject, status: request.staffStatus($0.status),
                    createdAt: request.language.formatDateTime($0.createdAt))
            })
        return try await request.view.render("staff/home", page)
    }
}
