/// Issue 17 (session 21): the staff case page's "Claim" part, written in Swift instead of the former
/// `staff/claims/panel.leaf` (with `task-fields` and `new-task-fields`), which only that page included. The
/// bytes are those the partials wrote, with the partial's own line break at its end: `StaffCasePageHTMLTests`
/// keeps the former templates and compares. `#if` on a value is true when it is set (an empty string too).
extension ClaimPanel {
    func html(strings: [String: String], csrf: String, userName: String?) -> String {
        func t(_ key: String) -> String { (strings[key] ?? "").escapedHTML }
        let number = String(self.number), version = String(self.version), pattern = timePattern.escapedHTML
        var html = ""
        html.reserveCapacity(isClaim ? 16_000 + tasks.count * 6_000 : 2_500)
        html += "<section class=\"card section claim\" id=\"claim\" aria-labelledby=\"claim-heading\">\n"
        html += "  <h2 id=\"claim-heading\">\(t("claims_heading"))</h2>\n  "
        if unreadContact > 0 || unreadDocuments > 0 {
            html += "<p class=\"claim-counters\">"
            if unreadContact > 0 {
                html += "<a href=\"#messages\" class=\"claim-counter\">\(t("claims_customer_contact")) <span class=\"badge\">\(unreadContact)</span></a>"
            }
            html += " "
            if unreadDocuments > 0 {
                html += "<a href=\"#files\" class=\"claim-counter\">\(t("claims_documents")) <span class=\"badge\">\(unreadDocuments)</span></a>"
            }
            html += "</p>"
        }
        html += "\n  "
        if let problem = errors["claim"] { html += "<div class=\"alert alert-error\" role=\"alert\">\(problem.escapedHTML)</div>" }
        html += "\n  "
        if !isClaim {
            registerHTML(&html, t: t, csrf: csrf, number: number, version: version, pattern: pattern)
        } else {
            factsHTML(&html, t: t, csrf: csrf, number: number, version: version, pattern: pattern)
            peopleHTML(&html, t: t, csrf: csrf, number: number)
            tasksHTML(&html, t: t, csrf: csrf, number: number, version: version, pattern: pattern)
            callsHTML(&html, t: t, csrf: csrf, number: number, userName: userName)
        }
        html += "\n</section>\n"
        return html
    }

    /// Before the case is a claim: the form that registers it.
    private func registerHTML(_ html: inout String, t: (String) -> String, csrf: String, number: String, version: String, pattern: String) {
        let e = errors
        html += """

          <p class="hint">\(t("claims_register_intro"))</p>
          <details class="change-box" id="claim-register"\(open == "register" ? " open" : "")>
            <summary class="button button-small">\(t("claims_register"))</summary>
            <form method="post" action="\(SharedPartialsHTML.route("claimoffice.register", number))#claim" class="form" novalidate>
              \(csrf)
              <input type="hidden" name="version" value="\(version)">
              \(Self.textField("claim-incident", "incident", label: t("claims_incident"), hint: pattern, value: register.incident, maxLength: 40, error: e["incident"], indent: "        "))
              \(Self.textField("claim-damage", "damage_type", label: t("claims_damage_type"), value: register.damageType, maxLength: 200, error: e["damage_type"], indent: "        "))
              <div class="field"><label for="claim-policyholder">\(t("claims_policyholder_type"))</label>
                <select id="claim-policyholder" name="policyholder_type"\(InvalidFieldTag.html(e["policyholder_type"], id: "claim-policyholder-error"))>\(SelectOption.optionsHTML(policyholderTypes))</select>
                \(FieldErrorTag.html(e["policyholder_type"], id: "claim-policyholder-error"))</div>
              <div><button type="submit" class="button button-primary">\(t("claims_register"))</button></div>
            </form>
          </details>
          
        """
    }

    /// The claim's facts and their "Change" disclosures: details, decision, reminder, closing or reopening.
    private func factsHTML(_ html: inout String, t: (String) -> String, csrf: String, number: String, version: String, pattern: String) {
        let e = errors
        func invalid(_ key: String, _ id: String) -> String { InvalidFieldTag.html(e[key], id: id) }
        func fieldError(_ key: String, _ id: String) -> String { FieldErrorTag.html(e[key], id: id) }
        html += "\n  <dl class=\"summary claim-facts\">\n    "
        for fact in facts { html += "<div><dt>\(fact.label.escapedHTML)</dt><dd>\(fact.value.escapedHTML)</dd></div>" }
        html += "\n    <div><dt>\(t("claims_decision"))</dt><dd>\(decision?.escapedHTML ?? "–")</dd></div>\n"
        html += "    <div><dt>\(t("claims_reminder"))</dt><dd>\(reminder?.escapedHTML ?? "–")</dd></div>\n"
        html += """
          </dl>
          <div class="claim-changes">
          <details class="change-box" id="claim-details"\(open == "details" ? " open" : "")>
            <summary class="button button-small">\(t("casepage_change"))<span class="visually-hidden"> \(t("claims_heading"))</span></summary>
            <form method="post" action="\(SharedPartialsHTML.route("claimoffice.details", number))#claim" class="form" novalidate>
              \(csrf)
              <input type="hidden" name="version" value="\(version)">
              <div class="field-row">
                \(Self.textField("claim-incident", "incident", label: t("claims_incident"), hint: pattern, value: details.incident, maxLength: 40, error: e["incident"], indent: "          "))
                \(Self.textField("claim-damage", "damage_type", label: t("claims_damage_type"), value: details.damageType, maxLength: 200, error: e["damage_type"], indent: "          "))
              </div>
              <div class="field"><label for="claim-policyholder">\(t("claims_policyholder_type"))</label>
                <select id="claim-policyholder" name="policyholder_type"\(invalid("policyholder_type", "claim-policyholder-error"))>\(SelectOption.optionsHTML(policyholderTypes))</select>
                \(fieldError("policyholder_type", "claim-policyholder-error"))</div>
              \(Self.textField("claim-address", "address", label: t("claims_address"), value: details.address, maxLength: 1000, error: e["address"], indent: "        "))
              <fieldset class="fieldset"><legend>\(t("claims_project_manager"))</legend>
                <div class="field-row">
                  \(Self.textField("claim-pm-name", "pm_name", label: t("claims_name"), value: details.projectManagerName, maxLength: 200, error: e["pm_name"], indent: "            "))
                  \(Self.textField("claim-pm-phone", "pm_phone", label: t("claims_phone"), value: details.projectManagerPhone, maxLength: 40, type: "tel", error: e["pm_phone"], indent: "            "))
                </div>
                <div class="field"><label for="claim-pm-office">\(t("claims_project_office"))</label>
                  <select id="claim-pm-office" name="pm_office"\(invalid("pm_office", "claim-pm-office-error"))><option value="">–</option>\(SelectOption.optionsHTML(offices))</select>
                  \(fieldError("pm_office", "claim-pm-office-error"))</div>
              </fieldset>
              <fieldset class="fieldset"><legend>\(t("claims_expert"))</legend>
                <div class="field-row">
                  \(Self.textField("claim-expert-name", "expert_name", label: t("claims_name"), value: details.expertName, maxLength: 200, error: e["expert_name"], indent: "            "))
                  \(Self.textField("claim-expert-phone", "expert_phone", label: t("claims_phone"), value: details.expertPhone, maxLength: 40, type: "tel", error: e["expert_phone"], indent: "            "))
                </div>
              </fieldset>
              \(Self.textField("claim-appointment", "appointment", label: t("claims_appointment"), hint: pattern, value: details.appointment, maxLength: 40, error: e["appointment"], indent: "        "))
              <div><button type="submit" class="button button-primary">\(t("save"))</button></div>
            </form>
          </details>
          <details class="change-box" id="claim-decision"\(open == "decision" ? " open" : "")>
            <summary class="button button-small">\(t("claims_decide"))</summary>
            <form method="post" action="\(SharedPartialsHTML.route("claimoffice.decision", number))#claim" class="form" novalidate>
              \(csrf)
              <input type="hidden" name="version" value="\(version)">
              <fieldset class="fieldset"\(invalid("decision", "claim-decision-error"))><legend>\(t("claims_decision"))</legend>
                
        """
        for choice in decisions {
            html += "<label class=\"check\"><input type=\"radio\" name=\"decision\" value=\"\(choice.value.escapedHTML)\"\(choice.selected ? " checked" : "")> \(choice.name.escapedHTML)</label>"
        }
        html += """

                \(fieldError("decision", "claim-decision-error"))
              </fieldset>
              <div class="field"><label class="check"><input type="checkbox" id="claim-decision-confirm" name="confirm" value="1"\(invalid("decision_confirm", "claim-confirm-error"))> \(t("claims_decision_confirm"))</label>
                \(fieldError("decision_confirm", "claim-confirm-error"))</div>
              <p class="hint">\(t("claims_decision_hint"))</p>
              <div><button type="submit" class="button button-primary">\(t("claims_decide"))</button></div>
            </form>
          </details>
          <details class="change-box" id="claim-reminder"\(open == "reminder" ? " open" : "")>
            <summary class="button button-small">\(t("claims_reminder_change"))</summary>
            <form method="post" action="\(SharedPartialsHTML.route("claimoffice.reminder", number))#claim" class="form" novalidate>
              \(csrf)
              \(Self.textField("claim-reminder-day", "reminder_day", label: t("claims_reminder_day"), hint: dayPattern.escapedHTML, value: reminderForm.day, maxLength: 10, error: e["reminder_day"], indent: "        "))
              \(Self.textField("claim-reminder-note", "reminder_note", label: t("claims_reminder_note"), value: reminderForm.note, maxLength: 1000, error: e["reminder_note"], indent: "        "))
              <p class="hint">\(t("claims_reminder_hint"))</p>
              <div><button type="submit" class="button button-primary">\(t("save"))</button></div>
            </form>
          </details>
          
        """
        if let statusNext {
            let closing = statusNext == "closed"
            let label = t(closing ? "claims_close" : "claims_reopen")
            html += """

              <details class="change-box" id="claim-status"\(open == "status" ? " open" : "")>
                <summary class="button button-small">\(label)</summary>
                <form method="post" action="\(SharedPartialsHTML.route("claimoffice.status", number))#claim" class="form note-form" novalidate>
                  \(csrf)
                  <input type="hidden" name="version" value="\(version)">
                  <input type="hidden" name="status" value="\(statusNext.escapedHTML)">
                  <div class="field"><label for="claim-status-comment">\(t(closing ? "claims_close_comment" : "claims_reopen_reason"))</label>
                    <textarea id="claim-status-comment" name="status_comment" rows="3" maxlength="10000"\(invalid("status_comment", "claim-status-comment-error"))>\(statusForm.comment.escapedHTML)</textarea>
                    \(fieldError("status_comment", "claim-status-comment-error"))</div>
                  <p class="hint note-hint"><strong>\(t("staff_internal_tag"))</strong> – \(t("claims_status_comment_hint"))</p>
                  <div><button type="submit" class="button">\(label)</button></div>
                </form>
              </details>
              
            """
        }
        html += "\n  </div>\n\n"
    }

    /// The case contacts' roles in the claim.
    private func peopleHTML(_ html: inout String, t: (String) -> String, csrf: String, number: String) {
        html += "  <h3 id=\"claim-people\">\(t("claims_people"))</h3>\n  "
        if contacts.isEmpty {
            html += "<p class=\"muted\">\(t("claims_people_none"))</p>"
        } else {
            html += "\n  <ul class=\"link-list claim-roles\">\n  "
            for contact in contacts {
                let id = String(contact.id), name = contact.name.escapedHTML
                html += """
                <li><form method="post" action="\(SharedPartialsHTML.route("claimoffice.contactRole", number, id))#claim-people" class="inline-form claim-role-form">
                      \(csrf)
                      <div class="field"><label for="claim-role-\(id)">\(name)</label>
                        <select id="claim-role-\(id)" name="role">\(SelectOption.optionsHTML(contact.roles))</select></div>
                      <button type="submit" class="button button-small">\(t("save"))<span class="visually-hidden"> \(name)</span></button>
                    </form></li>
                  
                """
            }
            html += "\n  </ul>"
        }
        html += "\n  "
        if let problem = errors["role"] { html += "<p class=\"field-error\">\(problem.escapedHTML)</p>" }
        html += "\n\n"
    }

    /// The claim's tasks, each with its state buttons and "Reschedule", "Change" and "Add media" disclosures,
    /// then the new task's form.
    private func tasksHTML(_ html: inout String, t: (String) -> String, csrf: String, number: String, version: String, pattern: String) {
        html += "  <h3 id=\"claim-tasks\">\(t("claims_tasks"))</h3>\n  "
        if tasks.isEmpty { html += "<p class=\"muted\">\(t("claims_tasks_none"))</p>" }
        html += "\n  <ol class=\"claim-task-list\">\n  "
        for task in tasks { taskHTML(&html, task, t: t, csrf: csrf, number: number, version: version, pattern: pattern) }
        html += """

          </ol>
          <details class="change-box" id="claim-new-task"\(open == "new-task" ? " open" : "")>
            <summary class="button button-small">\(t("claims_task_add"))</summary>
            <form method="post" action="\(SharedPartialsHTML.route("claimoffice.taskAdd", number))#claim-new-task" class="form" novalidate>
              \(csrf)
              <input type="hidden" name="version" value="\(version)">
              
        """
        Self.taskFieldsHTML(&html, prefix: "task-new", values: newTask, errors: newTaskErrors, kinds: newTaskKinds,
                            offices: newTaskOffices, t: t, pattern: pattern)
        html += """

              <div><button type="submit" class="button button-primary">\(t("claims_task_add"))</button></div>
            </form>
          </details>


        """
    }

    private func taskHTML(_ html: inout String, _ task: TaskView, t: (String) -> String, csrf: String, number: String, version: String,
                          pattern: String) {
        let id = String(task.id), title = task.title.escapedHTML, e = task.errors
        let idPrefix = "task-" + id
        html += """

            <li class="claim-task" id="claim-task-\(id)">
              <div class="claim-task-head"><strong>\(title)</strong> <span class="tag">\(task.kind.escapedHTML)</span> <span class="tag claim-state-\(task.stateKey.escapedHTML)">\(task.state.escapedHTML)</span>
        """
        if task.awaiting { html += " <span class=\"tag tag-billable\">\(t("claims_task_awaiting"))</span>" }
        html += "</div>\n      <p class=\"muted\">"
        if let starts = task.starts { html += starts.escapedHTML }
        if let ends = task.ends { html += " – " + ends.escapedHTML }
        if let office = task.office {
            html += " · " + office.escapedHTML
            if let phone = task.officePhone { html += " (" + phone.escapedHTML + ")" }
        }
        if let responsible = task.responsible {
            html += " · " + responsible.escapedHTML
            if let phone = task.phone { html += " (<a href=\"tel:\(phone.escapedHTML)\">\(phone.escapedHTML)</a>)" }
        }
        html += "</p>\n      <div class=\"prose\">\(task.description.escapedHTML)</div>\n      "
        if !task.media.isEmpty {
            html += "<ul class=\"chips\" aria-label=\"\(t("claims_task_media"))\">"
            for media in task.media {
                let link = SharedPartialsHTML.route("staff.file", String(media.id))
                html += "<li><a class=\"chip\" href=\"\(link)\" download>"
                html += media.isImage ? "<img src=\"\(link)?inline=1\" alt=\"\" loading=\"lazy\">" : "<span class=\"chip-icon\" aria-hidden=\"true\">📎</span>"
                html += "<span class=\"chip-name\">\(media.name.escapedHTML)</span></a></li>"
            }
            html += "</ul>"
        }
        html += "\n      "
        if let problem = e["claim"] { html += "<p class=\"field-error\">\(problem.escapedHTML)</p>" }
        let anchor = "#claim-task-" + id
        html += """

              <div class="claim-task-actions">
                <form method="post" action="\(SharedPartialsHTML.route("claimoffice.taskState", number, id))\(anchor)" class="claim-inline">
                  \(csrf)
                  <input type="hidden" name="version" value="\(version)">
                  
        """
        if task.canStart {
            html += "<button type=\"submit\" name=\"state\" value=\"started\" class=\"button button-small\">\(t("claims_task_start"))<span class=\"visually-hidden\"> \(title)</span></button>"
        }
        html += "\n          "
        if task.canFinish {
            html += "<button type=\"submit\" name=\"state\" value=\"finished\" class=\"button button-small\">\(t("claims_task_finish"))<span class=\"visually-hidden\"> \(title)</span></button>"
        }
        html += """

                </form>
                <details class="change-box"\(task.scheduleOpen ? " open" : "")>
                  <summary class="button button-small">\(t("claims_task_reschedule"))<span class="visually-hidden"> \(title)</span></summary>
                  <form method="post" action="\(SharedPartialsHTML.route("claimoffice.taskSchedule", number, id))\(anchor)" class="form" novalidate>
                    \(csrf)
                    <input type="hidden" name="version" value="\(version)">
                    <div class="field-row">
                      \(Self.textField("\(idPrefix)-rs-starts", "task_starts", label: t("claims_task_starts"), hint: pattern, value: task.values.starts, maxLength: 40, error: e["task_starts"], indent: "                "))
                      \(Self.textField("\(idPrefix)-rs-ends", "task_ends", label: t("claims_task_ends"), hint: pattern, value: task.values.ends, maxLength: 40, error: e["task_ends"], indent: "                "))
                    </div>
                    <div><button type="submit" class="button button-primary">\(t("save"))</button></div>
                  </form>
                </details>
                <details class="change-box"\(task.editOpen ? " open" : "")>
                  <summary class="button button-small">\(t("casepage_change"))<span class="visually-hidden"> \(title)</span></summary>
                  <form method="post" action="\(SharedPartialsHTML.route("claimoffice.taskEdit", number, id))\(anchor)" class="form" novalidate>
                    \(csrf)
                    <input type="hidden" name="version" value="\(version)">
                    
        """
        Self.taskFieldsHTML(&html, prefix: idPrefix, values: task.values, errors: e, kinds: task.kinds, offices: task.offices, t: t, pattern: pattern)
        html += """

                    <div><button type="submit" class="button button-primary">\(t("save"))</button></div>
                  </form>
                </details>
                <details class="change-box"\(task.mediaOpen ? " open" : "")>
                  <summary class="button button-small">\(t("claims_task_add_media"))<span class="visually-hidden"> \(title)</span></summary>
                  <form method="post" action="\(SharedPartialsHTML.route("claimoffice.taskMedia", number, id))\(anchor)" enctype="multipart/form-data" class="form">
                    \(csrf)
                    <div class="field"><label for="\(idPrefix)-media">\(t("claims_task_media"))</label>
                      <input id="\(idPrefix)-media" name="files" type="file" multiple\(InvalidFieldTag.html(e["task_media"], id: idPrefix + "-media-error"))>
                      <p class="hint">\(t("upload_hint")) \(maxUploadMegabytes) MB. \(t("claims_task_media_hint"))</p>
                      \(FieldErrorTag.html(e["task_media"], id: idPrefix + "-media-error"))</div>
                    <div><button type="submit" class="button">\(t("upload_submit"))</button></div>
                  </form>
                </details>
              </div>
            </li>
          
        """
    }

    /// A task's fields, in the "Change" form of a task (`prefix` "task-<id>") and in the new task's
    /// ("task-new"), as the former `task-fields` and `new-task-fields` partials wrote them (with their line
    /// break at the end).
    static func taskFieldsHTML(_ html: inout String, prefix: String, values: ClaimTaskForm, errors e: [String: String], kinds: [SelectOption],
                               offices: [SelectOption], t: (String) -> String, pattern: String) {
        func invalid(_ key: String, _ name: String) -> String { InvalidFieldTag.html(e[key], id: prefix + "-" + name + "-error") }
        func fieldError(_ key: String, _ name: String) -> String { FieldErrorTag.html(e[key], id: prefix + "-" + name + "-error") }
        html += """
        <div class="field-row">
          <div class="field"><label for="\(prefix)-kind">\(t("claims_task_kind"))</label>
            <select id="\(prefix)-kind" name="task_kind"\(invalid("task_kind", "kind"))>\(SelectOption.optionsHTML(kinds))</select>
            \(fieldError("task_kind", "kind"))</div>
          \(Self.textField("\(prefix)-title", "task_title", label: t("claims_task_title"), value: values.title, maxLength: 200, error: e["task_title"], indent: "    "))
        </div>
        <div class="field"><label for="\(prefix)-office">\(t("claims_task_office"))</label>
          <select id="\(prefix)-office" name="task_office"\(invalid("task_office", "office"))><option value="">–</option>\(SelectOption.optionsHTML(offices))</select>
          \(fieldError("task_office", "office"))</div>
        <div class="field-row">
          \(Self.textField("\(prefix)-responsible", "task_responsible", label: t("claims_task_responsible"), value: values.responsible, maxLength: 200, error: e["task_responsible"], indent: "    "))
          \(Self.textField("\(prefix)-phone", "task_phone", label: t("claims_phone"), value: values.phone, maxLength: 40, type: "tel", error: e["task_phone"], indent: "    "))
        </div>
        <div class="field-row">
          \(Self.textField("\(prefix)-starts", "task_starts", label: t("claims_task_starts"), hint: pattern, value: values.starts, maxLength: 40, error: e["task_starts"], indent: "    "))
          \(Self.textField("\(prefix)-ends", "task_ends", label: t("claims_task_ends"), hint: pattern, value: values.ends, maxLength: 40, error: e["task_ends"], indent: "    "))
        </div>
        <div class="field"><label for="\(prefix)-description">\(t("claims_task_description"))</label>
          <textarea id="\(prefix)-description" name="task_description" rows="3" maxlength="10000"\(invalid("task_description", "description"))>\(values.description.escapedHTML)</textarea>
          \(fieldError("task_description", "description"))</div>
        <div class="field"><label class="check"><input type="checkbox" name="task_awaiting" value="1"\(values.awaiting ? " checked" : "")> \(t("claims_task_awaiting_label"))</label></div>

        """
    }

    /// A text input as the claim partials wrote most of theirs: the label (`label` and `hint` are HTML, the hint a
    /// pattern in parentheses after the label), the input with its value, length and error marker, and the error,
    /// those two lines after `indent`. The error's id is the input's with `-error`.
    static func textField(_ id: String, _ name: String, label: String, hint: String? = nil, value: String, maxLength: Int,
                          type: String? = nil, error: String?, indent: String) -> String {
        let errorId = id + "-error"
        var html = "<div class=\"field\"><label for=\"\(id)\">\(label)"
        if let hint { html += " <span class=\"hint\">(\(hint))</span>" }
        html += "</label>\n\(indent)<input id=\"\(id)\" name=\"\(name)\""
        if let type { html += " type=\"\(type)\"" }
        html += " value=\"\(value.escapedHTML)\" maxlength=\"\(maxLength)\"\(InvalidFieldTag.html(error, id: errorId))>\n"
        return html + indent + FieldErrorTag.html(error, id: errorId) + "</div>"
    }

    /// The call history and the "Log a call" form.
    private func callsHTML(_ html: inout String, t: (String) -> String, csrf: String, number: String, userName: String?) {
        let e = errors
        func invalid(_ key: String, _ id: String) -> String { InvalidFieldTag.html(e[key], id: id) }
        func fieldError(_ key: String, _ id: String) -> String { FieldErrorTag.html(e[key], id: id) }
        html += "  <h3 id=\"claim-calls\">\(t("claims_calls"))</h3>\n  "
        if calls.isEmpty {
            html += "<p class=\"muted\">\(t("claims_calls_none"))</p>"
        } else {
            html += "\n  <ul class=\"claim-calls\">\n  "
            for call in calls {
                html += "<li><span class=\"muted\">\(call.at.escapedHTML)</span> \(call.caller.escapedHTML) → \(call.callee.escapedHTML) "
                html += "(<a href=\"tel:\(call.number.escapedHTML)\">\(call.number.escapedHTML)</a>) · "
                html += call.answered ? t("claims_call_answered") + " " + call.length.escapedHTML : t("claims_call_unanswered")
                html += "</li>"
            }
            html += "\n  </ul>"
        }
        html += """

          <details class="change-box" id="claim-call"\(open == "call" ? " open" : "")>
            <summary class="button button-small">\(t("claims_call_log"))</summary>
            <form method="post" action="\(SharedPartialsHTML.route("claimoffice.callLog", number))#claim-call" class="form" novalidate>
              \(csrf)
              <div class="field"><label for="call-caller">\(t("claims_call_caller"))</label>
                <input id="call-caller" name="call_caller" value="\(call.caller.escapedHTML)" maxlength="200" placeholder="\((userName ?? "").escapedHTML)"\(invalid("call_caller", "call-caller-error"))>
                <p class="hint">\(t("claims_call_caller_hint"))</p>
                \(fieldError("call_caller", "call-caller-error"))</div>
              <div class="field-row">
                \(Self.textField("call-callee", "call_callee", label: t("claims_call_callee"), value: call.callee, maxLength: 200, error: e["call_callee"], indent: "          "))
                \(Self.textField("call-number", "call_number", label: t("claims_phone"), value: call.number, maxLength: 40, type: "tel", error: e["call_number"], indent: "          "))
              </div>
              <div class="field"><label class="check"><input type="checkbox" name="call_answered" value="1"\(call.answered ? " checked" : "")> \(t("claims_call_answered"))</label></div>
              <div class="field"><label for="call-length">\(t("claims_call_length")) <span class="hint">(\(t("claims_call_length_pattern")))</span></label>
                <input id="call-length" name="call_length" value="\(call.length.escapedHTML)" maxlength="8" inputmode="numeric"\(invalid("call_length", "call-length-error"))>
                \(fieldError("call_length", "call-length-error"))</div>
              <div><button type="submit" class="button button-primary">\(t("claims_call_log"))</button></div>
            </form>
          </details>
          
        """
    }
}
