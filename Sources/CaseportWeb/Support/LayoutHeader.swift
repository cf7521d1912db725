import LeafKit

/// Issue 17 (session 12): the top of every page's frame — skip link, brand, menu button, navigation,
/// language switch and logout form — written in Swift instead of `shared/layout.leaf`'s ~60 `#(layout.…)`,
/// `#if` and `#route` tags and its languages loop, which Leaf resolved through the context on every page.
/// The template emits it with `#unsafeHTML(layout.headerHTML)`.
///
/// The bytes are those the template wrote: every value is escaped as `#(…)` escapes it (`escapedHTML`, LeafKit's
/// `htmlEscaped()`), a missing string is empty as Leaf shows a missing key, an optional's `#if` is true
/// when it is set (even to ""), and the links come from the same `AppRoutes` the `#route` tag reads
/// (whose output Leaf escapes too). `LayoutHeaderHTMLTests` renders the old fragment with Leaf and
/// compares it for many layouts. Built from the layout's current fields each time `leafData` is made,
/// so a field changed after `init` is in it; nothing is kept between requests.
extension Layout {
    var headerHTML: String {
        let strings = t.table
        func text(_ key: String) -> String { (strings[key] ?? "").escapedHTML }
        func current(_ name: String) -> String { section == name ? #" aria-current="page""# : "" }
        let routes = HeaderRoutes.shared
        let staff = area == "staff"

        var html = ""
        html.reserveCapacity(4096)
        html += ##"<a class="skip-link" href="#main">"## + text("skip_to_content") + "</a>\n"
        html += "<header class=\"topbar\">\n  <div class=\"topbar-inner\">\n    <a class=\"brand\" href=\""
        html += staff ? routes.staffHome : area == "claim" ? routes.claimOverview : routes.portalHome
        html += "\">"
        if let logoURL {
            html += #"<img class="brand-logo" src=""# + logoURL.escapedHTML + #"" alt="Caseport">"#
        } else {
            html += "Caseport"
        }
        if staff { html += #" <span class="brand-area">"# + text("staff_area") + "</span>" }
        html += "</a>\n"
        html += #"    <button type="button" class="menu-button" id="menu-button" aria-expanded="false" aria-controls="menu-panel" hidden>"#
        html += text("menu_button") + "</button>\n"
        html += "    <div class=\"menu-panel\" id=\"menu-panel\">\n    "
        if userName != nil {
            html += "\n    <nav class=\"mainnav\" aria-label=\"" + text("nav_label") + "\">\n      "
            func link(_ path: String, _ name: String, _ key: String) {
                html += "<a href=\"" + path + "\"" + current(name) + ">" + text(key) + "</a>"
            }
            if staff {
                html += "<a href=\"" + routes.staffHome + "\">" + text("nav_staff_home") + "</a>"
                link(routes.staffCases, "staff-cases", "nav_cases")
                html += "<a href=\"" + routes.staffInbox + "\"" + current("inbox") + ">" + text("inbox_nav")
                if inboxCount > 0 {
                    html += #" <span class="badge" id="inbox-badge"><span class="visually-hidden">(</span>"#
                    html += String(inboxCount) + #"<span class="visually-hidden"> "# + text("inbox_badge_unprocessed") + ")</span></span>"
                }
                html += "</a>"
                link(routes.chatConsole, "staff-chat", "staff_chat_nav")
                link(routes.staffCustomers, "master", "nav_master_data")
                if staffAdmin {
                    link(routes.staffUsers, "staff-users", "nav_staff_users")
                    link(routes.staffAudit, "audit", "nav_audit")
                    link(routes.staffSettings, "settings", "settings_nav")
                    link(routes.staffOutbox, "outbox", "outbox_title")
                    link(routes.staffPriceList, "price-list", "price_list_nav")
                }
                link(routes.staffDashboard, "staff-dashboards", "dashboards_nav")
                link(routes.staffSpecifications, "specifications", "specs_nav")
            } else {
                link(routes.portalCases, "cases", "nav_cases")
                if needsActionCount > 0 {
                    html += "<a href=\"" + routes.portalCases + "?state=action\" id=\"needs-action-link\">" + text("nav_needs_action")
                    html += #" <span class="badge"><span class="visually-hidden">(</span>"# + String(needsActionCount)
                    html += #"<span class="visually-hidden">)</span></span></a>"#
                }
                link(routes.portalNewCase, "new", "nav_new_case")
                link(routes.portalFiles, "files", "nav_files")
                if showUsers { link(routes.portalUsers, "users", "nav_users") }
                if showInquiries { link(routes.portalInquiries, "inquiries", "inquiries_nav") }
                if showDashboards { link(routes.portalDashboard, "dashboards", "dashboards_nav") }
                if showReports { link(routes.portalReports, "reports", "reports_nav") }
                if showSpecifications { link(routes.portalSpecifications, "specifications", "specs_nav") }
            }
            html += "\n    </nav>\n    "
        }
        let csrfField = SharedPartialsHTML.csrf(csrf)
        html += "\n    <div class=\"topbar-tools\">\n"
        html += "      <form class=\"language-switch\" method=\"post\" action=\"" + routes.portalLanguage + "\">\n"
        html += "        " + csrfField + "\n"
        html += "        <input type=\"hidden\" name=\"returnTo\" value=\"" + path.escapedHTML + "\">\n"
        html += "        <span id=\"language-label\" class=\"visually-hidden\">" + text("language_label") + "</span>\n"
        html += "        <div class=\"language-buttons\" role=\"group\" aria-labelledby=\"language-label\">\n          "
        for choice in languages {
            let code = choice.code.escapedHTML
            html += "<button type=\"submit\" name=\"language\" value=\"" + code + "\" lang=\"" + code + "\""
            if choice.selected { html += #" aria-current="true""# }
            html += #"><span class="flag" aria-hidden="true">"# + choice.flag.escapedHTML
            html += #"</span><span class="language-name">"# + choice.name.escapedHTML + "</span></button>"
        }
        html += "\n        </div>\n      </form>\n      "
        if let userName {
            html += "\n      <form method=\"post\" action=\"" + (staff ? routes.staffLogout : routes.portalLogout) + "\" class=\"logout-form\">\n"
            html += "        " + csrfField + "\n        "
            if let accountPath {
                html += "<a class=\"signed-in-as\" href=\"" + accountPath.escapedHTML + "\">" + userName.escapedHTML + "</a>"
            } else {
                html += "<span class=\"signed-in-as\">" + userName.escapedHTML + "</span>"
            }
            html += "\n        <button type=\"submit\" class=\"button button-small button-quiet\">" + text("logout") + "</button>\n      </form>\n      "
        }
        html += "\n    </div>\n    </div>\n  </div>\n</header>"
        return html
    }
}

/// The header's links, escaped as the `#route` tag's output was, built once from the route table
/// (which never changes while the process runs).
struct HeaderRoutes: Sendable {
    static let shared = HeaderRoutes()

    let staffHome = Self.route("staff.home"), claimOverview = Self.route("claim.overview"), portalHome = Self.route("portal.home")
    let staffCases = Self.route("staff.cases"), staffInbox = Self.route("staff.inbox"), chatConsole = Self.route("chat.console")
    let staffCustomers = Self.route("staff.customers"), staffUsers = Self.route("staff.staffUsers"), staffAudit = Self.route("staff.audit")
    let staffSettings = Self.route("staff.settings"), staffOutbox = Self.route("staff.outbox"), staffPriceList = Self.route("staff.priceList")
    let staffDashboard = Self.route("staff.dashboard", "cases"), staffSpecifications = Self.route("staff.specifications")
    let portalCases = Self.route("portal.cases"), portalNewCase = Self.route("portal.newCase"), portalFiles = Self.route("portal.files")
    let portalUsers = Self.route("portal.users"), portalInquiries = Self.route("portal.inquiries")
    let portalDashboard = Self.route("portal.dashboard", "cases"), portalReports = Self.route("portal.reports")
    let portalSpecifications = Self.route("portal.specifications"), portalLanguage = Self.route("portal.language")
    let staffLogout = Self.route("staff.logout"), portalLogout = Self.route("portal.logout")

    /// Every name here is in `AppRoutes` (`LayoutHeaderHTMLTests` renders them with the `#route` tag, which
    /// fails on an unknown name); a missing one would stop the process at the first page, never link wrongly.
    static func route(_ name: String, _ values: String...) -> String {
        guard let path = AppRoutes.path(named: name, values) else { preconditionFailure("no route \(name)") }
        return path.escapedHTML
    }
}
