/// Issue 17 (session 21): the back office's case page — links, unread box, conversation with the reply and
/// note forms, the claim, library and budget parts, status buttons, customer access, facts with the edit
/// form, contacts and legal hold, files, chats and timeline — written in Swift instead of `staff/case.leaf`,
/// inside the frame of `Layout.pageHTML`. perf put Leaf (with its partials) at a third of the page's server
/// CPU, with the messages and the timeline already written in Swift.
///
/// The bytes are those the template wrote: `StaffCasePageHTMLTests` keeps the former template and the
/// partials only it used, renders them with Leaf (with the real layout and shared partials) for many cases
/// and requires the same page. Values are escaped as `#(…)` escapes them, a missing string is empty, `#if`
/// on a value is true when it is set (an empty string too).
extension StaffCasesController.CasePage {
    func bodyHTML() -> String {
        let strings = layout.t.table
        func t(_ key: String) -> String { (strings[key] ?? "").escapedHTML }
        let partials = SharedPartialsHTML.self
        let number = String(self.number)
        let csrf = partials.csrf(layout.csrf)
        var html = ""
        html.reserveCapacity(messagesHTML.utf8.count + eventsHTML.utf8.count + 40_000)

        html += "<p><a href=\"" + partials.route("staff.cases") + "\">← " + t("staff_back_to_cases") + "</a></p>\n"
        html += "<p class=\"report-link\"><a href=\"" + partials.route("staff.caseReport", number) + "\" download><span class=\"pdf-icon\" aria-hidden=\"true\">PDF</span> "
        html += t("case_report_pdf") + "</a> · <a href=\"" + partials.route("staff.caseMoney", number) + "\" id=\"actions-link\">" + t("money_link") + "</a></p>\n"
        // The former `claim/staff-preview-link` partial, with its line break.
        html += "<p class=\"report-link\"><a href=\"" + partials.route("claim.preview", number) + "\" id=\"customer-page-preview\">" + t("claim_preview_link") + "</a></p>\n\n"
        html += partials.errorSummary(errorSummary, strings: strings) + "\n"
        html += partials.notice(notice) + "\n"
        html += "<div class=\"case-head\">\n  <h1><span class=\"muted\">" + t("case_number_short") + " " + number + "</span> " + values.subject.escapedHTML + "</h1>\n"
        html += "  " + partials.statusBadge(tone: tone, status: status) + "\n</div>\n"
        html += "<p class=\"muted\">" + t("case_created") + " " + createdAt.escapedHTML + " · " + createdBy.escapedHTML + " · <span class=\"tag\">"
        html += sent.origin.escapedHTML + "</span></p>\n"
        if unread { unreadHTML(&html, t: t, csrf: csrf, number: number) }
        html += "\n<div class=\"case-layout\">\n<div class=\"case-main\">\n"
        conversationHTML(&html, t: t, csrf: csrf, number: number)
        if let claim { html += claim.html(strings: strings, csrf: csrf, userName: layout.userName) }
        html += "\n" + (library?.html(strings: strings, csrf: csrf, number: number) ?? "") + "\n\n"
        html += (budget?.html(strings: strings, csrf: csrf, number: number) ?? "") + "\n\n"
        html += "</div>\n<div class=\"case-side\">\n<section class=\"card\" id=\"status\" aria-labelledby=\"status-heading\">\n"
        html += "  <h2 id=\"status-heading\">" + t("staff_status_heading") + "</h2>\n"
        html += "  <form method=\"post\" action=\"" + partials.route("staff.caseStatus", number) + "\" class=\"actions\">\n    " + csrf + "\n"
        html += "    <input type=\"hidden\" name=\"version\" value=\"" + String(version) + "\">\n    "
        for next in transitions {
            html += "<button type=\"submit\" name=\"status\" value=\"" + next.value.escapedHTML + "\" class=\"button\">" + next.name.escapedHTML + "</button>"
        }
        html += "\n  </form>\n</section>\n" + (claimAccess?.html(strings: strings, csrf: csrf) ?? "") + "\n\n"
        html += "<details class=\"card section case-facts\" id=\"details\" data-wide-open" + (changeOpen ? " open" : "") + ">\n"
        html += "<summary class=\"facts-summary\">" + t("casepage_facts") + "</summary>\n"
        sent.html(&html, t: t)
        editHTML(&html, t: t, csrf: csrf, number: number)
        contactsHTML(&html, t: t, csrf: csrf, number: number)
        legalHoldHTML(&html, t: t, csrf: csrf, number: number)
        html += "</details>\n"
        filesHTML(&html, t: t, csrf: csrf, number: number)
        html += partials.caseChats(chats, strings: strings) + "\n"
        html += "<section class=\"card section\" aria-labelledby=\"timeline-heading\">\n  <h2 id=\"timeline-heading\">" + t("staff_timeline") + "</h2>\n  "
        if !hasEvents { html += "<p class=\"muted\">" + t("staff_timeline_empty") + "</p>" }
        html += "\n  <ol class=\"timeline\">\n  " + eventsHTML + "\n  </ol>\n</section>\n</div>\n</div>"
        return html
    }

    /// Customer activity nobody in the back office has marked as read (D4), with "Mark as read".
    private func unreadHTML(_ html: inout String, t: (String) -> String, csrf: String, number: String) {
        html += "<section class=\"alert alert-warning unread-box\" aria-labelledby=\"unread-heading\" data-unread>\n"
        html += "  <h2 id=\"unread-heading\">" + t("staff_case_unread") + "</h2>\n  "
        if !unreadMessages.isEmpty {
            html += "<p>" + t("staff_unread_messages") + "</p>\n  <ul>"
            for message in unreadMessages {
                html += "<li><strong>" + message.author.escapedHTML + "</strong> <span class=\"muted\">" + message.at.escapedHTML + "</span>: "
                html += message.preview.escapedHTML + "</li>"
            }
            html += "</ul>"
        }
        html += "\n  "
        if !unreadFiles.isEmpty {
            html += "<p>" + t("staff_unread_files") + "</p>\n  <ul>"
            for file in unreadFiles {
                html += "<li><a href=\"" + SharedPartialsHTML.route("staff.file", String(file.id)) + "\">" + file.name.escapedHTML
                html += "</a> <span class=\"muted\">" + file.at.escapedHTML + "</span></li>"
            }
            html += "</ul>"
        }
        html += "\n  <form method=\"post\" action=\"" + SharedPartialsHTML.route("staff.caseRead", number) + "\">\n    " + csrf + "\n"
        html += "    <button type=\"submit\" class=\"button\">" + t("staff_mark_read") + "</button>\n  </form>\n</section>"
    }

    /// The conversation: the reply and internal-note forms, the messages (`messagesHTML`), the description on
    /// the last page and the pages' links.
    private func conversationHTML(_ html: inout String, t: (String) -> String, csrf: String, number: String) {
        func invalid(_ key: String, _ id: String) -> String { InvalidFieldTag.html(errors[key], id: id) }
        func fieldError(_ key: String, _ id: String) -> String { FieldErrorTag.html(errors[key], id: id) }
        html += """
        <section class="card conversation" id="messages" aria-labelledby="staff-messages-heading">
          <h2 id="staff-messages-heading">\(t("messages_title"))</h2>
          <div class="answer-modes">
          <details class="answer-mode answer-reply" id="reply" open>
            <summary class="button button-primary">\(t("staff_reply_to_customer"))</summary>
            <form method="post" action="\(SharedPartialsHTML.route("staff.caseMessage", number))#reply" enctype="multipart/form-data" class="form">
              \(csrf)
              <p class="hint">\(t("casepage_reply_hint"))</p>
              <div class="field">
                <label for="body">\(t("casepage_reply_label"))</label>
                <textarea id="body" name="body" rows="4" maxlength="10000"\(invalid("body", "body-error"))>\(messageBody.escapedHTML)</textarea>
                \(fieldError("body", "body-error"))
              </div>
              <div class="field">
                <label for="message-files">\(t("casepage_message_files"))</label>
                <input id="message-files" name="files" type="file" multiple\(invalid("message_files", "message-files-error"))>
                <p class="hint">\(t("upload_hint")) \(maxUploadMegabytes) MB. \(t("staff_upload_visible"))</p>
                \(fieldError("message_files", "message-files-error"))
              </div>
              <div class="actions"><button type="submit" class="button button-primary">\(t("casepage_send_reply"))</button></div>
            </form>
          </details>
          <details class="answer-mode answer-note" id="note"\(noteOpen ? " open" : "")>
            <summary class="button button-note">\(t("staff_add_internal_note"))</summary>
            <form method="post" action="\(SharedPartialsHTML.route("staff.caseNote", number))#note" class="form note-form">
              \(csrf)
              <p class="hint note-hint"><strong>\(t("staff_internal_tag"))</strong> – \(t("staff_internal_note"))</p>
              <div class="field">
                <label for="note-body">\(t("casepage_note_label"))</label>
                <textarea id="note-body" name="body" rows="3" maxlength="10000"\(invalid("note", "note-error"))>\(noteBody.escapedHTML)</textarea>
                \(fieldError("note", "note-error"))
              </div>
              <div class="actions"><button type="submit" class="button button-note">\(t("casepage_save_note"))</button></div>
            </form>
          </details>
          </div>
          <ol class="messages">
          
        """
        html += messagesHTML + "\n  </ol>\n  "
        if showDescription {
            html += "\n  <div class=\"message message-origin\" id=\"case-description\">\n    <div class=\"message-meta\"><strong>" + createdBy.escapedHTML
            html += "</strong> <span class=\"tag\">" + t("case_description") + "</span> <span class=\"muted\">" + createdAt.escapedHTML + "</span></div>\n"
            html += "    <div class=\"prose\">" + values.description.escapedHTML + "</div>\n  </div>\n  "
        }
        html += "\n  "
        if paging.pageCount > 1 { html += paging.html(strings: layout.t.table) }
        html += "\n</section>\n"
    }

    /// The details form: subject, description and the case's selects (`selects.html`).
    private func editHTML(_ html: inout String, t: (String) -> String, csrf: String, number: String) {
        html += """
        <section class="section" id="edit" aria-labelledby="details-heading">
          <h2 id="details-heading">\(t("staff_details_heading"))</h2>
          <details class="change-box" id="change"\(changeOpen ? " open" : "")>
          <summary class="button button-small">\(t("casepage_change"))<span class="visually-hidden"> \(t("staff_details_heading"))</span></summary>
          <form method="post" action="\(SharedPartialsHTML.route("staff.caseEdit", number))#edit" class="form" novalidate>
            \(csrf)
            <input type="hidden" name="version" value="\(version)">
            <div class="field">
              <label for="subject">\(t("case_subject"))</label>
              <input id="subject" name="subject" value="\(values.subject.escapedHTML)" maxlength="200"\(InvalidFieldTag.html(errors["subject"], id: "subject-error"))>
              \(FieldErrorTag.html(errors["subject"], id: "subject-error"))
            </div>
            <div class="field">
              <label for="description">\(t("case_description"))</label>
              <textarea id="description" name="description" rows="5">\(values.description.escapedHTML)</textarea>
            </div>
            
        """
        // `shared/case-selects` is the selects' HTML and the partial's line break.
        html += selects.html + "\n\n"
        html += """
            <div><button type="submit" class="button button-primary">\(t("save"))</button></div>
          </form>
          </details>
        </section>

        """
    }

    /// The case's contacts, each with "Unlink" but the primary one, and the form that links another.
    private func contactsHTML(_ html: inout String, t: (String) -> String, csrf: String, number: String) {
        html += "<section class=\"section\" id=\"contacts\" aria-labelledby=\"contacts-heading\">\n"
        html += "  <h2 id=\"contacts-heading\">" + t("staff_contacts_heading") + "</h2>\n  "
        if contacts.isEmpty {
            html += "<p class=\"muted\">" + t("staff_contacts_none") + "</p>"
        } else {
            html += "\n  <ul class=\"link-list\">\n  "
            for contact in contacts {
                let name = contact.name.escapedHTML
                html += "<li><span>" + name
                if contact.isPrimary { html += " <span class=\"tag\">" + t("staff_contact_primary") + "</span>" }
                if let email = contact.email { html += " · <a href=\"mailto:" + email.escapedHTML + "\">" + email.escapedHTML + "</a>" }
                if let phone = contact.phone { html += " · " + phone.escapedHTML }
                html += "</span>\n    "
                if !contact.isPrimary {
                    html += "<form method=\"post\" action=\"" + SharedPartialsHTML.route("staff.caseContactRemove", number, String(contact.id)) + "\">" + csrf
                    html += "<button type=\"submit\" class=\"button button-small button-danger\">" + t("staff_contact_unlink")
                    html += "<span class=\"visually-hidden\"> " + name + "</span></button></form>"
                }
                html += "</li>\n  "
            }
            html += "\n  </ul>\n  "
        }
        html += "\n  <form method=\"post\" action=\"" + SharedPartialsHTML.route("staff.caseContactAdd", number) + "\" class=\"inline-form\">\n    " + csrf + "\n"
        html += "    <div class=\"field\"><label for=\"contact\">" + t("staff_contact_choose") + "</label>\n"
        html += "      <select id=\"contact\" name=\"contact\"" + InvalidFieldTag.html(errors["contact"], id: "contact-error") + "><option value=\"\">–</option>"
        html += SelectOption.optionsHTML(contactOptions) + "</select>\n"
        html += "      " + FieldErrorTag.html(errors["contact"], id: "contact-error") + "</div>\n"
        html += "    <button type=\"submit\" class=\"button\">" + t("staff_contact_link") + "</button>\n  </form>\n</section>\n"
    }

    /// E3: the case's legal hold and its release, or the form that puts the case on one.
    private func legalHoldHTML(_ html: inout String, t: (String) -> String, csrf: String, number: String) {
        html += "<section class=\"section\" id=\"legal-hold\" aria-labelledby=\"legal-hold-heading\">\n"
        html += "  <h2 id=\"legal-hold-heading\">" + t("legal_hold_title") + "</h2>\n  "
        if let legalHold {
            html += "<p>" + t("legal_hold_on") + " " + legalHold.escapedHTML + "</p>\n  <form method=\"post\" action=\""
            html += SharedPartialsHTML.route("staff.legalHoldRelease", number) + "\">" + csrf + "<button type=\"submit\" class=\"button button-small\">"
            html += t("legal_hold_release") + "</button></form>\n  "
        } else {
            html += "<form method=\"post\" action=\"" + SharedPartialsHTML.route("staff.legalHold") + "\" class=\"form\">\n    " + csrf + "\n"
            html += "    <input type=\"hidden\" name=\"case_number\" value=\"" + number + "\">\n"
            html += "    <div class=\"field\"><label for=\"legal-hold-reason\">" + t("legal_hold_reason")
            html += "</label><input id=\"legal-hold-reason\" name=\"reason\" maxlength=\"500\" required></div>\n"
            html += "    <div><button type=\"submit\" class=\"button button-small\">" + t("legal_hold_submit") + "</button></div>\n  </form>"
        }
        html += "\n</section>\n"
    }

    /// The case's files (staff see every one) with the upload form.
    private func filesHTML(_ html: inout String, t: (String) -> String, csrf: String, number: String) {
        html += """
        <section class="card section" id="files" aria-labelledby="files-heading">
          <h2 id="files-heading">\(t("files_case_title"))</h2>
          <form method="post" action="\(SharedPartialsHTML.route("staff.caseUpload", number))#files" enctype="multipart/form-data" class="form upload-form">
            \(csrf)
            <div class="field">
              <label for="upload">\(t("upload_label"))</label>
              <input id="upload" name="files" type="file" multiple\(InvalidFieldTag.html(errors["files"], id: "files-error"))>
              <p class="hint">\(t("upload_hint")) \(maxUploadMegabytes) MB. \(t("staff_upload_visible"))</p>
              \(FieldErrorTag.html(errors["files"], id: "files-error"))
            </div>
            <div><button type="submit" class="button">\(t("upload_submit"))</button></div>
          </form>
          
        """
        if files.isEmpty {
            html += "<p class=\"muted\">" + t("files_empty") + "</p>"
        } else {
            html += "\n  <ul class=\"files\">\n  "
            let (fromCustomer, remove) = (t("staff_from_customer"), t("file_remove"))
            for file in files {
                let link = SharedPartialsHTML.route("staff.file", String(file.id)), name = file.name.escapedHTML
                html += "\n    <li class=\"file\">\n      "
                if file.isImage {
                    html += "<a href=\"" + link + "?inline=1\" class=\"thumb\"><img src=\"" + link + "?inline=1\" alt=\"" + name + "\" loading=\"lazy\"></a>"
                }
                html += "\n      <div class=\"file-info\">\n        <a href=\"" + link + "\" download>" + name + "</a>\n"
                html += "        <span class=\"muted\">" + file.size.escapedHTML + " · " + file.uploader.escapedHTML
                if file.fromCustomer { html += " <span class=\"tag tag-portal\">" + fromCustomer + "</span>" }
                html += " · " + file.createdAt.escapedHTML + "</span>\n      </div>\n"
                html += "      <a class=\"button button-small button-danger\" href=\"" + SharedPartialsHTML.route("staff.fileRemove", String(file.id)) + "\">"
                html += remove + "<span class=\"visually-hidden\"> " + name + "</span></a>\n    </li>\n  "
            }
            html += "\n  </ul>\n  "
        }
        html += "\n</section>\n"
    }
}

extension SentDetails {
    /// What the customer sent with the case (issue 11 point 1): who, with how to reach them, where, and the
    /// type's fields; the first part of the page's facts.
    func html(_ html: inout String, t: (String) -> String) {
        html += "<section aria-labelledby=\"sent-heading\">\n  <h2 id=\"sent-heading\">" + t("staff_sent_heading") + "</h2>\n"
        html += "  <dl class=\"summary\">\n    <dt>" + t("staff_sent_creator") + "</dt><dd>" + creatorName.escapedHTML
        if let creatorEmail { html += "<br><a href=\"mailto:" + creatorEmail.escapedHTML + "\">" + creatorEmail.escapedHTML + "</a>" }
        if let creatorPhone { html += "<br><a href=\"tel:" + creatorPhone.escapedHTML + "\">" + creatorPhone.escapedHTML + "</a>" }
        html += "</dd>\n    "
        func line(_ label: String, _ value: String?) {
            if let value { html += "<dt>" + t(label) + "</dt><dd>" + value.escapedHTML + "</dd>" }
            html += "\n    "
        }
        line("new_case_work_site_address", workSiteAddress)
        line("new_case_reference_name", referenceName)
        line("new_case_copy_by_email", copyEmail)
        line("new_case_sms_on_messages", smsPhone)
        for field in fields { html += "<dt>" + field.label.escapedHTML + "</dt><dd>" + field.value.escapedHTML + "</dd>" }
        html += "\n  </dl>\n</section>\n"
    }
}
