/// Issue 17 (session 17): the shared partials that pages written in Swift include, the same bytes as the
/// `shared/…` templates (which Leaf pages still use). Each is checked against its template by the test of
/// the pages that include it (`PortalCasePageHTMLTests`, `StaffCaseListHTMLTests`, `StaffCasePageHTMLTests`). `strings` are the page language's; values are
/// escaped as `#(…)` escapes them and a missing string is empty.
enum SharedPartialsHTML {
    /// `shared/csrf`: the form's CSRF field (the partial has no line break at its end).
    static func csrf(_ token: String) -> String {
        "<input type=\"hidden\" name=\"csrf_token\" value=\"" + token.escapedHTML + "\">"
    }

    /// `shared/notice`: the green line after a successful post (no line break at its end).
    static func notice(_ notice: String?) -> String {
        guard let notice else { return "" }
        return "<div class=\"alert alert-success\" role=\"status\">" + notice.escapedHTML + "</div>"
    }

    /// `shared/status-badge`.
    static func statusBadge(tone: String, status: String) -> String {
        "<span class=\"status status-" + tone.escapedHTML + "\">" + status.escapedHTML + "</span>"
    }

    /// `shared/error-summary`, with the partial's own line break at its end.
    static func errorSummary(_ links: [ErrorLink]?, strings: [String: String]) -> String {
        guard let links else { return "\n" }
        var html = "<div class=\"error-summary\" id=\"error-summary\" role=\"alert\" tabindex=\"-1\" autofocus aria-labelledby=\"error-summary-heading\">\n"
        html += "  <h2 id=\"error-summary-heading\">" + (strings["error_summary_heading"] ?? "").escapedHTML + "</h2>\n  <ul>"
        for link in links { html += "<li><a href=\"" + link.href.escapedHTML + "\">" + link.text.escapedHTML + "</a></li>" }
        return html + "</ul>\n</div>\n"
    }

    /// `shared/person-picker` (A8, shared accounts), with the partial's own line break at its end.
    static func personPicker(_ person: PersonPicker.Context, errors: [String: String], strings: [String: String]) -> String {
        guard person.shown else { return "\n" }
        func text(_ key: String) -> String { (strings[key] ?? "").escapedHTML }
        let required = " <span class=\"required\">" + text("form_required_marker") + "</span>"
        var html = "\n<fieldset class=\"fieldset person-picker\">\n  <legend>" + text("person_who") + "</legend>\n  "
        html += FieldErrorTag.html(errors["person"], id: "person-error") + "\n  <div class=\"field\">\n"
        html += "    <label for=\"person\">" + text("person_pick") + required + "</label>\n"
        html += "    <select id=\"person\" name=\"person\"" + InvalidFieldTag.html(errors["person"], id: "person-error") + ">\n"
        html += "      <option value=\"\">" + text("person_choose") + "</option>\n      " + personOptions(person.people) + "\n"
        html += "      <option value=\"new\"" + (person.newSelected ? " selected" : "") + ">" + text("person_new") + "</option>\n    </select>\n"
        html += "    <p class=\"hint\">" + text("person_new_hint") + "</p>\n  </div>\n  <div class=\"new-person\">\n  <div class=\"field-row\">\n"
        func input(_ name: String, _ label: String, _ type: String, _ value: String, _ length: Int, _ complete: String,
                   required isRequired: Bool, error: String?) {
            html += "    <div class=\"field\">\n      <label for=\"" + name + "\">" + text(label) + (isRequired ? required : "") + "</label>\n"
            html += "      <input id=\"" + name + "\" name=\"" + name + "\"" + type + " value=\"" + value.escapedHTML + "\" maxlength=\""
            html += String(length) + "\" autocomplete=\"" + complete + "\""
            if let error { html += InvalidFieldTag.html(errors[name], id: error) + ">\n      " + FieldErrorTag.html(errors[name], id: error) + "\n" } else { html += ">\n" }
            html += "    </div>\n"
        }
        input("person_first_name", "person_first_name", "", person.firstName, 200, "given-name", required: true, error: "pfn-error")
        input("person_last_name", "person_last_name", "", person.lastName, 200, "family-name", required: true, error: "pln-error")
        html += "  </div>\n  <div class=\"field-row\">\n"
        input("person_email", "person_email", " type=\"email\"", person.email, 254, "email", required: false, error: "pem-error")
        input("person_phone", "person_phone", " type=\"tel\"", person.phone, 40, "tel", required: false, error: nil)
        return html + "  </div>\n  </div>\n</fieldset>\n\n"
    }

    /// The people of a shared account as `<option>`s (the picker's loop, also the approval and upload forms').
    static func personOptions(_ people: [PersonPicker.Choice]) -> String {
        people.reduce(into: "") { html, person in
            html += "<option value=\"" + String(person.id) + "\"" + (person.selected ? " selected" : "") + ">" + person.name.escapedHTML + "</option>"
        }
    }

    /// The former `shared/case-chats` (issue 15; both case pages are written in Swift, the tests keep it in
    /// `PageHTMLFixtures`): chats attached to the case, with the partial's own line break at its end.
    static func caseChats(_ chats: [CaseChatView], strings: [String: String]) -> String {
        guard !chats.isEmpty else { return "\n" }
        func text(_ key: String) -> String { (strings[key] ?? "").escapedHTML }
        var html = "\n<section class=\"card section case-chat\" id=\"chats\" aria-labelledby=\"chats-heading\">\n"
        html += "  <h2 id=\"chats-heading\">" + text("case_chats_heading") + "</h2>\n  "
        for chat in chats {
            let id = String(chat.id)
            html += "\n  <h3 id=\"chat-" + id + "\">" + chat.title.escapedHTML + " <span class=\"muted\">" + chat.startedAt.escapedHTML + "</span></h3>\n"
            html += "  <ol class=\"chat-log\" aria-labelledby=\"chat-" + id + "\">\n    "
            for line in chat.lines {
                html += "<li class=\"chat-message chat-" + line.kind.escapedHTML + (line.staffOnly ? " chat-note" : "") + "\"><p class=\"chat-meta\"><strong>"
                html += line.author.escapedHTML + "</strong>"
                if line.staffOnly { html += " <span class=\"tag\">" + text("staff_chat_staff_only") + "</span>" }
                html += " <span>" + line.at.escapedHTML + "</span></p><p class=\"chat-body\">" + line.body.escapedHTML + "</p></li>"
            }
            html += "\n  </ol>\n  "
        }
        return html + "\n</section>\n\n"
    }

    /// A named route's path with its values, escaped as the `#route` tag's output is ("" for a route
    /// that does not exist, which the page tests would catch as a broken link).
    static func route(_ name: String, _ values: String...) -> String {
        (AppRoutes.path(named: name, values) ?? "").escapedHTML
    }
}
