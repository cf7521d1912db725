/// Issue 17 (session 21): the claim's "Customer access" part as the staff case page (written in Swift)
/// shows it; the same bytes as `staff/claim-access.leaf` inside `#if(claimAccess):` … `#endif`, which the
/// case's own customer-access page (`staff/claim-settings`) still includes. `StaffCasePageHTMLTests`
/// renders the partial with Leaf and compares.
extension ClaimAccessPart {
    func html(strings: [String: String], csrf: String) -> String {
        func t(_ key: String) -> String { (strings[key] ?? "").escapedHTML }
        let number = String(self.number)
        var html = ""
        html.reserveCapacity(1_500 + recipients.count * 900)
        html += "<section class=\"card section claim-access\" id=\"customer-access\" aria-labelledby=\"customer-access-heading\">\n"
        html += "  <h2 id=\"customer-access-heading\">\(t("claimaccess_part_title")) <span class=\"badge\" title=\"\(t("claimaccess_access_count"))\">"
        html += "<span class=\"visually-hidden\">\(t("claimaccess_access_count")): </span>\(accessCount)</span></h2>\n  "
        if expired { html += "<p class=\"alert alert-warning\">\(t("claimaccess_part_expired"))</p>" }
        html += "\n  <dl class=\"claim-summary\">\n  "
        for line in summary {
            html += "<div><dt>\(line.label.escapedHTML)</dt><dd>\(line.value.escapedHTML) <span class=\"tag tag-source-\(line.sourceLevel.escapedHTML)\">"
            html += line.source.escapedHTML + "</span></dd></div>"
        }
        html += "\n  </dl>\n  "
        if recipients.isEmpty {
            html += "<p class=\"muted\">\(t("claimaccess_no_contacts"))</p>"
        } else {
            html += "\n  <ul class=\"link-list claim-recipients\">\n  "
            let grant = SharedPartialsHTML.route("claimaccess.caseGrant", number), revoke = SharedPartialsHTML.route("claimaccess.caseRevoke", number)
            for recipient in recipients {
                let id = String(recipient.contactId), name = recipient.name.escapedHTML
                html += "<li id=\"recipient-\(id)\">\n    <span><strong>\(name)</strong>"
                if let role = recipient.role { html += " <span class=\"tag\">\(role.escapedHTML)</span>" }
                if recipient.automatic { html += " <span class=\"tag tag-portal\">\(t("claimaccess_automatic"))</span>" }
                html += "\n      <br><span class=\"claim-state claim-state-\(recipient.state.escapedHTML)\">\(recipient.stateText.escapedHTML)</span>"
                if let since = recipient.since { html += " <span class=\"muted\">\(since.escapedHTML)</span>" }
                if let opened = recipient.lastOpened { html += " <span class=\"muted\">· \(t("claimaccess_last_opened")) \(opened.escapedHTML)</span>" }
                html += "\n      "
                if let email = recipient.email { html += "<br><span class=\"muted\">\(email.escapedHTML)</span>" }
                if let phone = recipient.phone { html += " <span class=\"muted\">\(phone.escapedHTML)</span>" }
                html += "\n      "
                if let error = recipient.error { html += "<br><span class=\"field-error\" role=\"alert\">\(error.escapedHTML)</span>" }
                html += "</span>\n    <span class=\"actions\">\n    "
                let contactField = "<input type=\"hidden\" name=\"contact\" value=\"\(id)\">"
                if let problem = recipient.problem {
                    html += "<span class=\"muted\">\(problem.escapedHTML)</span>"
                } else if !expired {
                    html += "<form method=\"post\" action=\"\(grant)\">\(csrf)\(contactField)<button type=\"submit\" class=\"button button-small\">"
                    html += t(recipient.state == "active" ? "claimaccess_fresh_link" : "claimaccess_grant")
                    html += "<span class=\"visually-hidden\"> \(name)</span></button></form>"
                }
                html += "\n    "
                if recipient.state == "active" {
                    html += "<form method=\"post\" action=\"\(revoke)\">\(csrf)\(contactField)<button type=\"submit\" class=\"button button-small button-danger\">"
                    html += t("claimaccess_revoke") + "<span class=\"visually-hidden\"> \(name)</span></button></form>"
                }
                html += "\n    </span>\n  </li>"
            }
            html += "\n  </ul>"
        }
        html += "\n  <p><a href=\"\(SharedPartialsHTML.route("claimaccess.caseAccess", number))\">\(t("claimaccess_case_settings_link"))</a></p>\n</section>"
        return html
    }
}
