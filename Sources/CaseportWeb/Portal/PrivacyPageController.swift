import CaseportCore
import CaseportStore
import Vapor

/// E3 (BS seed, "Integritetspolicy"): the public privacy page, written from the retention policy as it
/// is set now — what is kept, for how long after a case closes, what then happens to it, and whom to
/// ask. Reachable without login (linked from every portal page's footer and the login page).
struct PrivacyPageController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(PublicRoute.privacy, use: show)
    }

    struct Row: Encodable {
        var kind: String
        var text: String
    }

    struct Page: Encodable {
        var layout: Layout
        var heading: String
        var rows: [Row]
        var contact: String
        var contactEmail: String?
    }

    func show(request: Request) async throws -> View {
        let policy = try await RetentionSettingsStore(database: request.database).load()
        let company = request.notificationContext.companyName
        let rows = RetentionPolicy.Kind.allCases.map { kind -> Row in
            let rule = policy.rule(for: kind)
            let text = request.t("privacy_page_rule_\(rule.action.rawValue)").replacingOccurrences(of: "{days}", with: String(rule.days))
            return Row(kind: request.t(kind.labelKey), text: text)
        }
        let page = Page(layout: Layout(request, title: request.t("privacy_page_title")),
                        heading: request.t("privacy_page_heading").replacingOccurrences(of: "{company}", with: company), rows: rows,
                        contact: request.t("privacy_page_contact").replacingOccurrences(of: "{company}", with: company),
                        contactEmail: policy.contactEmail.isEmpty ? nil : policy.contactEmail)
        return try await request.view.render("portal/privacy", page)
    }
}
