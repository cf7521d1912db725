/// Issue 17 (session 17): the portal's case list — heading, search form with its filters, result count,
/// table head, rows and pagination — written in Swift instead of `portal/case-list.leaf`. The list, the
/// filtered list and the search are together nearly half of what customers ask for; with the rows already
/// in Swift, Leaf still took a fifth of the page's server CPU resolving the form's and the head's values.
///
/// The bytes are those the template wrote: `PortalCaseListHTMLTests` keeps the former template and renders
/// it with Leaf (and the real `shared/pagination`) for many lists, and requires the same bytes. Values are
/// escaped as `#(…)` escapes them, a missing string is empty, `#if` on a value is true when it is set.
extension PortalCaseListController.ListPage {
    func bodyHTML() -> String {
        let strings = layout.t.table
        func text(_ key: String) -> String { (strings[key] ?? "").escapedHTML }
        let routes = ListRoutes.shared
        var html = ""
        html.reserveCapacity(rowsHTML.utf8.count + 8_000)
        html += "<div class=\"page-head\">\n  <h1>" + text("cases_title") + "</h1>\n"
        html += "  <a class=\"button button-primary\" href=\"" + routes.newCase + "\">" + text("new_case_button") + "</a>\n</div>\n"
        html += "<form class=\"card search\" method=\"get\" action=\"" + routes.cases + "\" role=\"search\" aria-label=\"" + text("search_label") + "\">\n"
        html += "  <div class=\"search-main\">\n    <div class=\"field grow\">\n"
        html += "      <label for=\"q\">" + text("search_text") + "</label>\n"
        html += "      <input id=\"q\" name=\"q\" type=\"search\" value=\"" + q.escapedHTML + "\" maxlength=\"200\" placeholder=\""
        html += text("search_placeholder") + "\">\n    </div>\n"
        html += "    <div class=\"field\">\n      <label for=\"state\">" + text("filter_state") + "</label>\n"
        html += "      <select id=\"state\" name=\"state\">" + SelectOption.optionsHTML(states) + "</select>\n    </div>\n"
        html += "    <button type=\"submit\" class=\"button button-primary\">" + text("search_submit") + "</button>\n  </div>\n  "
        if let key = sort.key {
            html += "<input type=\"hidden\" name=\"sort\" value=\"" + key.escapedHTML + "\"><input type=\"hidden\" name=\"dir\" value=\""
            html += (sort.dir ?? "").escapedHTML + "\">"
        }
        html += "\n  <details class=\"filters\"" + (filtered ? " open" : "") + ">\n"
        html += "    <summary>" + text("search_more_filters") + "</summary>\n    <div class=\"filter-grid\">\n      "
        func select(_ id: String, _ label: String, _ options: [SelectOption]) {
            html += "<div class=\"field\">\n        <label for=\"" + id + "\">" + text(label) + "</label>\n"
            html += "        <select id=\"" + id + "\" name=\"" + id + "\"><option value=\"\">" + text("filter_any") + "</option>"
            html += SelectOption.optionsHTML(options) + "</select>\n      </div>"
        }
        select("status", "case_status", statuses)
        html += "\n      "
        select("category", "case_category", categories)
        html += "\n      "
        select("type", "case_type", types)
        html += "\n      "
        if !customers.isEmpty { select("customer", "case_customer", customers) }
        html += "\n      "
        if !objects.isEmpty { select("object", "case_object", objects) }
        html += "\n      "
        func day(_ id: String, _ label: String, _ value: String) {
            let error = errors[id]
            html += "<div class=\"field\">\n        <label for=\"" + id + "\">" + text(label) + "</label>\n"
            html += "        <input id=\"" + id + "\" name=\"" + id + "\" type=\"text\" inputmode=\"numeric\" autocomplete=\"off\" maxlength=\"10\" value=\""
            html += value.escapedHTML + "\""
            html += error != nil ? InvalidFieldTag.html(error, id: id + "-error") : " aria-describedby=\"date-pattern\""
            html += ">\n        " + FieldErrorTag.html(error, id: id + "-error") + "\n      </div>"
        }
        day("from", "filter_from", from)
        html += "\n      "
        day("to", "filter_to", to)
        html += "\n      <p class=\"hint\" id=\"date-pattern\">" + text("date_format_hint") + " " + datePattern.escapedHTML + "</p>\n    </div>\n    "
        if filtered { html += "<p><a href=\"" + routes.cases + "\">" + text("search_clear") + "</a></p>" }
        html += "\n  </details>\n</form>\n"
        html += "<p class=\"muted result-count\" role=\"status\">" + text("cases_total") + ": " + String(paging.total) + "</p>\n"
        if caseCount == 0 {
            html += "\n<div class=\"empty\">" + text(filtered ? "search_no_hits" : "cases_empty") + "</div>\n"
        } else {
            html += "\n<div class=\"table-scroll\" role=\"region\" aria-labelledby=\"cases-caption\" tabindex=\"0\">\n"
            html += "<table class=\"table table-cards case-cards case-list-table\">\n"
            html += "  <caption id=\"cases-caption\" class=\"visually-hidden\">" + text("cases_title") + "</caption>\n  <thead>\n    <tr>\n"
            html += sort.number.cellHTML(label: text("case_number"), indent: "      ")
            html += sort.subject.cellHTML(label: text("case_subject"), indent: "      ")
            html += "      <th scope=\"col\">" + text("case_description") + "</th>\n"
            html += sort.created.cellHTML(label: text("case_created"), indent: "      ")
            html += sort.activity.cellHTML(label: text("list_last_updated"), indent: "      ")
            html += "      <th scope=\"col\">" + text("case_status") + "</th>\n      "
            for column in columns { html += "<th scope=\"col\">" + column.label.escapedHTML + "</th>" }
            html += "\n    </tr>\n  </thead>\n  <tbody>\n  " + rowsHTML + "\n  </tbody>\n</table>\n</div>\n"
            html += paging.html(strings: strings) + "\n"
        }
        return html + "\n"
    }
}

/// The list's own links, escaped as the `#route` tag's output was, built once.
private struct ListRoutes: Sendable {
    static let shared = ListRoutes()
    let cases = HeaderRoutes.route("portal.cases"), newCase = HeaderRoutes.route("portal.newCase")
}
