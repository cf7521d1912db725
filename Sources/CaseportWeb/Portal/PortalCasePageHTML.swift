/// Issue 17 (session 17): the customer's case page — back link, answer banner, approval, conversation with
/// its write box, contact, facts with the "Change" box, files — written in Swift instead of
/// `portal/case.leaf`, inside the frame of `Layout.pageHTML`. A case view is a quarter of what customers
/// ask for; perf put Leaf at 27 % of its server CPU (its ~80 `#if`s resolved through the context), with
/// the messages already written in Swift.
///
/// The bytes are those the template wrote: `PortalCasePageHTMLTests` keeps the former template and renders
/// it with Leaf (with the real layout and partials) for many cases, and requires the same page. Values are
/// escaped as `#(…)` escapes them, a missing string is empty, `#if` on a value is true when it is set.
extension PortalCaseController.CasePage {
    func bodyHTML() -> String {
        let strings = layout.t.table
        func text(_ key: String) -> String { (strings[key] ?? "").escapedHTML }
        let partials = SharedPartialsHTML.self
        let number = String(self.number)
        let csrf = partials.csrf(layout.csrf)
        func invalid(_ key: String, _ id: String) -> String { InvalidFieldTag.html(errors[key], id: id) }
        func fieldError(_ key: String, _ id: String) -> String { FieldErrorTag.html(errors[key], id: id) }
        var html = ""
        html.reserveCapacity(messagesHTML.utf8.count + 12_000)

        html += "<p><a href=\"" + backLink.escapedHTML + "\" class=\"back-link\">← " + text("back_to_cases") + "</a></p>\n"
        html += "<p class=\"report-link\"><a href=\"" + partials.route("portal.caseReport", number) + "\" download><span class=\"pdf-icon\" aria-hidden=\"true\">PDF</span> "
        html += text("case_report_pdf") + "</a> · <a href=\"" + partials.route("portal.caseActions", number) + "\" id=\"actions-link\">"
        html += text("actions_link") + "</a></p>\n"
        html += partials.errorSummary(errorSummary, strings: strings) + "\n"
        html += partials.notice(notice) + "\n"
        if answerNeeded {
            html += "\n<section class=\"banner banner-action\" aria-labelledby=\"answer-heading\" id=\"answer-needed\">\n"
            html += "  <h2 id=\"answer-heading\">" + text("answer_needed_heading") + "</h2>\n  "
            if let answerQuote {
                html += "<figure class=\"quote\"><blockquote class=\"prose\">" + answerQuote.preview.escapedHTML + "</blockquote><figcaption class=\"muted\">"
                html += answerQuote.author.escapedHTML + " · " + answerQuote.createdAt.escapedHTML + "</figcaption></figure>"
            } else {
                html += "<p>" + text("answer_needed_intro") + "</p>"
            }
            html += "\n  "
            if !closed { html += "<p><a class=\"button button-primary\" href=\"" + answerLink.escapedHTML + "\">" + text("answer_needed_button") + "</a></p>" }
            html += "\n</section>\n"
        }
        html += "\n<header class=\"case-head case-title\">\n  <h1><span class=\"muted\">" + text("case_number_short") + " " + number + "</span> "
        html += subject.escapedHTML + "</h1>\n  " + partials.statusBadge(tone: tone, status: status) + "\n</header>\n"
        html += "<div class=\"case-layout\">\n<div class=\"case-main\">\n  "
        if awaitingApproval {
            html += "\n  <section class=\"card section-gap\" aria-labelledby=\"approval-heading\" id=\"approval\">\n"
            html += "    <h2 id=\"approval-heading\">" + text("approval_heading") + "</h2>\n"
            html += "    <p class=\"hint\">" + text("approval_intro") + "</p>\n"
            html += "    <form method=\"post\" action=\"" + partials.route("portal.caseApprove", number) + "\" class=\"actions\">\n      " + csrf + "\n"
            html += "      <button type=\"submit\" class=\"button button-primary\">" + approveLabel.escapedHTML + "</button>\n    </form>\n"
            html += "    <form method=\"post\" action=\"" + partials.route("portal.caseReject", number) + "#approval\" class=\"form\">\n      " + csrf + "\n"
            html += "      <div class=\"field\">\n        <label for=\"approval-comment\">" + text("approval_comment") + "</label>\n"
            html += "        <textarea id=\"approval-comment\" name=\"comment\" rows=\"3\" maxlength=\"20000\"" + invalid("approval", "approval-error") + ">"
            html += approvalComment.escapedHTML + "</textarea>\n        " + fieldError("approval", "approval-error") + "\n      </div>\n      "
            if person.shown { personSelect(&html, id: "reject-person", errorKey: "approval_person", text: text) }
            html += "\n      <div class=\"actions\"><button type=\"submit\" class=\"button\">" + text("approval_reject") + "</button></div>\n"
            html += "    </form>\n  </section>\n  "
        }
        html += "\n<section class=\"card conversation\" id=\"messages\" aria-labelledby=\"messages-heading\">\n"
        html += "  <h2 id=\"messages-heading\">" + text("messages_title") + "</h2>\n"
        html += "  <details class=\"write-message\" id=\"write\"" + (writeOpen ? " open" : "") + ">\n"
        html += "    <summary class=\"button button-primary\"><span aria-hidden=\"true\">+</span> " + text("message_write") + "</summary>\n"
        html += "    <form method=\"post\" action=\"" + partials.route("portal.caseMessage", number) + "#write\" enctype=\"multipart/form-data\" class=\"form\">\n"
        html += "      " + csrf + "\n      " + partials.personPicker(person, errors: errors, strings: strings) + "\n"
        html += "      <div class=\"field\">\n        <label for=\"body\">" + text("message_new") + "</label>\n"
        html += "        <textarea id=\"body\" name=\"body\" rows=\"4\" maxlength=\"10000\"" + invalid("body", "body-error") + ">" + messageBody.escapedHTML
        html += "</textarea>\n        " + fieldError("body", "body-error") + "\n      </div>\n"
        html += "      <div class=\"field\">\n        <label for=\"message-files\">" + text("casepage_message_files") + "</label>\n"
        html += "        <input id=\"message-files\" name=\"files\" type=\"file\" multiple" + invalid("message_files", "message-files-error") + ">\n"
        html += "        <p class=\"hint\">" + text("upload_hint") + " " + String(maxUploadMegabytes) + " MB.</p>\n"
        html += "        " + fieldError("message_files", "message-files-error") + "\n      </div>\n"
        html += "      <label class=\"check\"><input type=\"checkbox\" name=\"copy_to_me\" value=\"1\"" + (copyToMe ? " checked" : "") + "> "
        html += text("message_copy_to_me") + "</label>\n"
        html += "      <div class=\"actions\"><button type=\"submit\" class=\"button button-primary\">" + text("message_send") + "</button> <a class=\"button\" href=\""
        html += caseLink.escapedHTML + "\" id=\"write-cancel\">" + text("message_cancel") + "</a></div>\n    </form>\n  </details>\n  "
        if messageCount == 0 && !showDescription { html += "<p class=\"muted\">" + text("messages_empty") + "</p>" }
        html += "\n  <ol class=\"messages\">\n  " + messagesHTML + "\n  </ol>\n  "
        if showDescription {
            html += "\n  <div class=\"message message-origin\" id=\"case-description\">\n    <div class=\"message-meta\"><strong>" + createdBy.escapedHTML
            html += "</strong> <span class=\"tag" + (fromPortal ? " tag-portal" : "") + "\">" + text("case_description") + "</span> <span class=\"muted\">"
            html += createdAt.escapedHTML + "</span></div>\n    <div class=\"prose\">" + description.escapedHTML + "</div>\n  </div>\n  "
        }
        html += "\n  "
        if paging.pageCount > 1 { html += paging.html(strings: strings) }
        html += "\n</section>\n" + partials.caseChats(chats, strings: strings) + "\n</div>\n"
        html += "<aside class=\"case-side\" aria-label=\"" + text("casepage_details") + "\">\n"
        html += "  <section class=\"card contact-card\" aria-labelledby=\"contact-heading\">\n"
        html += "    <h2 id=\"contact-heading\">" + text("casepage_contact") + "</h2>\n    "
        contactHTML(&html, text: text)
        html += "\n  </section>\n"
        factsHTML(&html, text: text, csrf: csrf, number: number)
        filesHTML(&html, text: text, csrf: csrf, number: number)
        return html
    }

    /// A shared account's "who are you" select in the approval and upload forms.
    private func personSelect(_ html: inout String, id: String, errorKey: String, text: (String) -> String) {
        let errorId = id + "-error"
        html += "<div class=\"field\">\n        <label for=\"" + id + "\">" + text("person_pick") + "</label>\n"
        html += "        <select id=\"" + id + "\" name=\"person\"" + InvalidFieldTag.html(errors[errorKey], id: errorId) + "><option value=\"\">"
        html += text("person_choose") + "</option>" + SharedPartialsHTML.personOptions(person.people) + "</select>\n"
        html += "        " + FieldErrorTag.html(errors[errorKey], id: errorId) + "\n      </div>"
    }

    /// The case's handler, else the company's phone and e-mail (issue 12).
    private func contactHTML(_ html: inout String, text: (String) -> String) {
        if let contact {
            html += "<p class=\"contact-name\"><strong>" + contact.name.escapedHTML + "</strong></p>\n    "
            if let phone = contact.phone { html += "<p><a href=\"tel:" + phone.escapedHTML + "\">" + phone.escapedHTML + "</a></p>" }
            html += "\n    "
            if let email = contact.email { html += "<p><a href=\"mailto:" + email.escapedHTML + "\">" + email.escapedHTML + "</a></p>" }
            html += "\n    "
            if let phone = layout.contactPhone {
                html += "<p class=\"contact-company\">" + text("casepage_contact_company_phone") + " <a href=\""
                html += (layout.contactPhoneLink ?? "").escapedHTML + "\">" + phone.escapedHTML + "</a></p>"
            }
            html += "\n    "
        } else if layout.hasContact {
            html += "<p class=\"contact-company\">" + text("casepage_contact_company") + "</p>\n    "
            if let phone = layout.contactPhone {
                html += "<p><a href=\"" + (layout.contactPhoneLink ?? "").escapedHTML + "\">" + phone.escapedHTML + "</a></p>"
            }
            html += "\n    "
            if let email = layout.contactEmail { html += "<p><a href=\"mailto:" + email.escapedHTML + "\">" + email.escapedHTML + "</a></p>" }
            html += "\n    "
        } else {
            html += "<p class=\"muted\">" + text("casepage_contact_none") + "</p>"
        }
    }

    /// The case's details and the customer's "Change" box for category and priority (issue 11 point 9).
    private func factsHTML(_ html: inout String, text: (String) -> String, csrf: String, number: String) {
        html += "  <details class=\"card case-facts\" id=\"details\" data-wide-open" + (classifyOpen ? " open" : "") + ">\n"
        html += "    <summary class=\"facts-summary\">" + text("casepage_details") + "</summary>\n    <dl class=\"details facts-list\">\n"
        html += "      <div><dt>" + text("case_created") + "</dt><dd>" + createdAt.escapedHTML + " · " + createdBy.escapedHTML
        html += " <span class=\"tag" + (fromPortal ? " tag-portal" : "") + "\">" + text(fromPortal ? "origin_portal" : "origin_company") + "</span></dd></div>\n"
        html += "      <div><dt>" + text("case_updated") + "</dt><dd>" + updatedAt.escapedHTML + "</dd></div>\n      "
        func fact(_ label: String, _ value: String?, extra: String = "") {
            if let value { html += "<div><dt>" + text(label) + "</dt><dd>" + value.escapedHTML + extra + "</dd></div>" }
            html += "\n      "
        }
        fact("case_type", caseTypeName, extra: billable ? " <span class=\"tag tag-billable\">" + text("case_type_billable") + "</span>" : "")
        fact("case_customer", customerName)
        fact("case_object", objectName, extra: objectAddress.map { "<br><span class=\"muted\">" + $0.escapedHTML + "</span>" } ?? "")
        fact("new_case_work_site_address", workSiteAddress)
        fact("new_case_reference_name", referenceName)
        fact("case_category", categoryName)
        fact("case_priority", priorityName)
        for field in fields { html += "<div><dt>" + field.label.escapedHTML + "</dt><dd>" + field.value.escapedHTML + "</dd></div>" }
        html += "\n    </dl>\n    "
        if canEditCategory || canEditPriority {
            html += "\n    <details class=\"change-box\" id=\"classify\"" + (classifyOpen ? " open" : "") + ">\n"
            html += "      <summary class=\"button button-small\">" + text("casepage_change") + "</summary>\n"
            html += "      <form method=\"post\" action=\"" + SharedPartialsHTML.route("portal.caseClassify", number) + "#classify\" class=\"form\">\n"
            html += "        " + csrf + "\n        <input type=\"hidden\" name=\"version\" value=\"" + String(version) + "\">\n        "
            func choice(_ shown: Bool, _ name: String, _ label: String, _ blankable: Bool, _ options: [SelectOption]) {
                if shown {
                    let errorKey = "classify_" + name, errorId = "classify-" + name + "-error"
                    html += "<div class=\"field\">\n          <label for=\"edit-" + name + "\">" + text(label) + "</label>\n"
                    html += "          <select id=\"edit-" + name + "\" name=\"" + name + "\"" + InvalidFieldTag.html(errors[errorKey], id: errorId) + ">"
                    html += (blankable ? "<option value=\"\">–</option>" : "") + SelectOption.optionsHTML(options) + "</select>\n"
                    html += "          " + FieldErrorTag.html(errors[errorKey], id: errorId) + "\n        </div>"
                }
                html += "\n        "
            }
            choice(canEditCategory, "category", "case_category", categoryBlankable, categories)
            choice(canEditPriority, "priority", "case_priority", priorityBlankable, priorities)
            html += "<div><button type=\"submit\" class=\"button\">" + text("save") + "</button></div>\n      </form>\n    </details>\n    "
        }
        html += "\n  </details>\n"
    }

    /// The case's files and, while it is open, the upload form.
    private func filesHTML(_ html: inout String, text: (String) -> String, csrf: String, number: String) {
        html += "  <section class=\"card section\" id=\"files\" aria-labelledby=\"files-heading\">\n"
        html += "    <h2 id=\"files-heading\">" + text("files_case_title") + "</h2>\n    "
        if !closed {
            html += "\n    <form method=\"post\" action=\"" + SharedPartialsHTML.route("portal.caseUpload", number)
            html += "#files\" enctype=\"multipart/form-data\" class=\"form upload-form\">\n      " + csrf + "\n"
            html += "      <div class=\"field\">\n        <label for=\"upload\">" + text("upload_label") + "</label>\n"
            html += "        <input id=\"upload\" name=\"files\" type=\"file\" multiple"
            html += errors["files"] != nil ? " aria-invalid=\"true\" aria-describedby=\"files-error\"" : " aria-describedby=\"files-hint\""
            html += ">\n        <p class=\"hint\" id=\"files-hint\">" + text("upload_hint") + " " + String(maxUploadMegabytes) + " MB.</p>\n        "
            if let error = errors["files"] { html += "<p class=\"field-error\" id=\"files-error\">" + error.escapedHTML + "</p>" }
            html += "\n      </div>\n      "
            if person.shown { personSelect(&html, id: "upload-person", errorKey: "upload_person", text: text) }
            html += "\n      <div><button type=\"submit\" class=\"button\">" + text("upload_submit") + "</button></div>\n    </form>\n    "
        }
        html += "\n    "
        if files.isEmpty {
            html += "<p class=\"muted\">" + text("files_empty") + "</p>"
        } else {
            html += "\n    <ul class=\"files\">\n    "
            for file in files {
                let link = SharedPartialsHTML.route("portal.caseFile", number, String(file.id))
                html += "\n      <li class=\"file\">\n        "
                if file.isImage {
                    html += "<a href=\"" + link + "?inline=1\" class=\"thumb\"><img src=\"" + link + "?inline=1\" alt=\"" + file.name.escapedHTML
                    html += "\" loading=\"lazy\"></a>"
                }
                html += "\n        <div class=\"file-info\">\n          <a href=\"" + link + "\" download>" + file.name.escapedHTML + "</a>\n"
                html += "          <span class=\"muted\">" + file.size.escapedHTML + " · " + file.uploader.escapedHTML + " · " + file.createdAt.escapedHTML
                html += "</span>\n        </div>\n        "
                if file.removable {
                    html += "<a class=\"button button-small button-danger file-remove\" href=\""
                    html += SharedPartialsHTML.route("portal.caseFileRemoveConfirm", number, String(file.id)) + "\">" + text("file_remove")
                    html += "<span class=\"visually-hidden\"> " + file.name.escapedHTML + "</span></a>"
                }
                html += "\n      </li>\n    "
            }
            html += "\n    </ul>\n    "
        }
        html += "\n  </section>\n</aside>\n</div>"
    }
}
