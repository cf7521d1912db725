/// Issue 17 (session 17): the back office's case list — heading with the unread count, notice, search
/// form with its six filters (the customer filter offers every customer: hundreds of options, each one a
/// dictionary for Leaf's `#options`), result count, table head, rows and pagination — written in Swift
/// instead of `staff/cases.leaf`, inside the frame of `Layout.pageHTML`.
///
/// The bytes are those the template wrote: `StaffCaseListHTMLTests` keeps the former template and renders
/// it with Leaf (with the real layout and partials) for many lists, and requires the same page. Values are
/// escaped as `#(…)` escapes them and a missing string is empty.
extension StaffCasesController.ListPage {
    func bodyHTML() -> String {
        let strings = layout.t.table
        func text(_ key: String) -> String { (strings[key] ?? "").escapedHTML }
        let routes = StaffListRoutes.shared
        var html = ""
        html.reserveCapacity(rowsHTML.utf8.count + 8_000 + customers.count * 60)
        html += "<div class=\"page-head\">\n  <h1>" + text("staff_cases_title") + "</h1>\n"
        html += "  <form method=\"post\" action=\"" + routes.markAllRead + "\">\n"
        html += "    " + SharedPartialsHTML.csrf(layout.csrf) + "\n"
        html += "    <a href=\"" + routes.cases + "?unread=1\">" + text("staff_unread_cases") + ": <strong>" + unreadTotal.escapedHTML + "</strong></a>\n    "
        if hasUnread { html += "<button type=\"submit\" class=\"button button-small\">" + text("staff_mark_all_read_mine") + "</button>" }
        html += "\n  </form>\n"
        html += "  <a class=\"button button-primary\" href=\"" + routes.newCase + "\">" + text("staff_new_case_title") + "</a>\n</div>\n"
        html += SharedPartialsHTML.notice(notice) + "\n<form class=\"card search\" method=\"get\" action=\"" + routes.cases + "\" role=\"search\" aria-label=\"" + text("search_label") + "\">\n"
        html += "  <div class=\"search-main\">\n    <div class=\"field grow\">\n"
        html += "      <label for=\"q\">" + text("search_text") + "</label>\n"
        html += "      <input id=\"q\" name=\"q\" type=\"search\" value=\"" + q.escapedHTML + "\" maxlength=\"200\" placeholder=\""
        html += text("search_placeholder") + "\">\n    </div>\n"
        html += "    <button type=\"submit\" class=\"button button-primary\">" + text("search_submit") + "</button>\n  </div>\n  "
        if let key = sort.key {
            html += "<input type=\"hidden\" name=\"sort\" value=\"" + key.escapedHTML + "\"><input type=\"hidden\" name=\"dir\" value=\""
            html += (sort.dir ?? "").escapedHTML + "\">"
        }
        html += "\n  <details class=\"filters\"" + (panelOpen ? " open" : "") + ">\n"
        html += "  <summary>" + text(panelOpen ? "list_filters_active" : "list_filters") + "</summary>\n  <div class=\"filter-grid\">\n"
        for (id, label, options) in [("status", "case_status", statuses), ("handler", "staff_field_handler", handlers),
                                     ("customer", "case_customer", customers), ("category", "case_category", categories),
                                     ("type", "case_type", types), ("priority", "case_priority", priorities)] {
            html += "    <div class=\"field\"><label for=\"" + id + "\">" + text(label) + "</label>\n"
            html += "      <select id=\"" + id + "\" name=\"" + id + "\"><option value=\"\">" + text("filter_any") + "</option>"
            html += SelectOption.optionsHTML(options) + "</select></div>\n"
        }
        html += "  </div>\n  <label class=\"check\"><input type=\"checkbox\" name=\"unread\" value=\"1\"" + (unreadOnly ? " checked" : "")
        html += "> " + text("staff_unread_only") + "</label>\n"
        html += "  <p><button type=\"submit\" class=\"button\">" + text("list_filters_apply") + "</button></p>\n  </details>\n</form>\n"
        html += "<p class=\"muted result-count\" role=\"status\">" + text("cases_total") + ": " + total.escapedHTML
        if filtered { html += " · <a href=\"" + routes.cases + "\">" + text("search_clear") + "</a>" }
        html += "</p>\n"
        if rowCount == 0 {
            html += "<div class=\"empty\">" + text("search_no_hits") + "</div>"
        } else {
            html += "\n<div class=\"table-scroll\" role=\"region\" aria-labelledby=\"staff-cases-caption\" tabindex=\"0\">\n"
            html += "<table class=\"table table-cards case-list-table\">\n"
            html += "  <caption id=\"staff-cases-caption\" class=\"visually-hidden\">" + text("staff_cases_title") + "</caption>\n  <thead><tr>\n"
            html += sort.number.cellHTML(label: text("case_number"), indent: "    ")
            html += sort.subject.cellHTML(label: text("case_subject"), indent: "    ")
            html += "    <th scope=\"col\">" + text("case_customer") + "</th><th scope=\"col\">" + text("case_object") + "</th><th scope=\"col\">"
            html += text("staff_field_handler") + "</th><th scope=\"col\">" + text("case_priority") + "</th>\n"
            html += sort.created.cellHTML(label: text("case_created"), indent: "    ")
            html += sort.activity.cellHTML(label: text("list_last_updated"), indent: "    ")
            html += "    <th scope=\"col\">" + text("case_status") + "</th></tr></thead>\n  <tbody>\n  " + rowsHTML + "\n  </tbody>\n</table>\n</div>\n"
            html += paging.html(strings: strings) + "\n"
        }
        return html
    }
}

/// The list's own links, escaped as the `#route` tag's output was, built once.
private struct StaffListRoutes: Sendable {
    static let shared = StaffListRoutes()
    let cases = HeaderRoutes.route("staff.cases"), newCase = HeaderRoutes.route("staff.newCase")
    let markAllRead = HeaderRoutes.route("staff.casesMarkAllRead")
}
