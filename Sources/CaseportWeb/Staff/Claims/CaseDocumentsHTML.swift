/// Issue 17 (session 21): the staff case page's document library and budget, written in Swift instead of
/// the former `staff/claims/library.leaf` and `staff/claims/budget.leaf`, which only that page included. The
/// bytes are those the partials wrote (`#if(library):` … `#endif` and the file's line break):
/// `StaffCasePageHTMLTests` keeps the former templates and compares.
extension CaseLibraryView {
    /// `number` is the case's (the page's, as the partial read it).
    func html(strings: [String: String], csrf: String, number: String) -> String {
        func t(_ key: String) -> String { (strings[key] ?? "").escapedHTML }
        var html = ""
        html.reserveCapacity(3_000 + rows.count * 1_400)
        html += "\n<section class=\"card section\" id=\"documents\" aria-labelledby=\"documents-heading\">\n"
        html += "  <h2 id=\"documents-heading\">\(t("docs_title"))</h2>\n  "
        if let notice { html += "<p class=\"alert alert-success\" role=\"status\">\(notice.escapedHTML)</p>" }
        html += "\n  "
        if let problem { html += "<p class=\"alert alert-error\" role=\"alert\">\(problem.escapedHTML)</p>" }
        html += "\n  "
        if rows.isEmpty {
            html += "<p class=\"muted\">\(t("docs_empty"))</p>"
        } else {
            html += """

              <form method="post" action="\(SharedPartialsHTML.route("claimdocs.share", number))" id="documents-share-form">
                \(csrf)
                <div class="table-scroll" role="region" aria-labelledby="documents-heading" tabindex="0">
                <table class="table doc-table">
                  <thead><tr>
                    <th scope="col"><span class="visually-hidden">\(t("docs_select"))</span></th>
                    <th scope="col">\(t("docs_col_type"))</th>
                    <th scope="col">\(t("docs_col_title"))</th>
                    <th scope="col">\(t("docs_col_made_by"))</th>
                    <th scope="col">\(t("docs_col_created"))</th>
                    <th scope="col">\(t("docs_col_shared"))</th>
                    <th scope="col"><span class="visually-hidden">\(t("docs_menu"))</span></th>
                  </tr></thead>
                  <tbody>
                  
            """
            let (download, unshare, edit, delete) = (t("docs_download"), t("docs_unshare"), t("docs_edit"), t("docs_delete"))
            for row in rows {
                let id = String(row.id), title = row.title.escapedHTML
                html += "<tr id=\"document-\(id)\">\n        <td class=\"doc-select\">"
                if !row.isShared { html += "<input type=\"checkbox\" name=\"doc_\(id)\" value=\"1\" id=\"doc-\(id)\" aria-labelledby=\"doc-title-\(id)\">" }
                html += "</td>\n        <td>\(row.type.escapedHTML)</td>\n        <td><span id=\"doc-title-\(id)\">\(title)</span>"
                if row.title != row.fileName { html += "<br><span class=\"muted\">\(row.fileName.escapedHTML)</span>" }
                html += "</td>\n        <td>\(row.madeBy.escapedHTML)"
                if let supplier = row.supplier { html += "<br><span class=\"tag\">\(t("docs_from_supplier")) \(supplier.escapedHTML)</span>" }
                html += "</td>\n        <td>\(row.createdAt.escapedHTML)</td>\n        <td>"
                html += row.isShared ? "<span class=\"tag tag-portal doc-shared\">\(t("docs_shared_marker"))</span>" : "<span class=\"muted\">\(t("docs_not_shared"))</span>"
                html += """
                </td>
                        <td>
                          <details class="doc-menu">
                            <summary class="button button-small">\(t("docs_menu"))<span class="visually-hidden"> \(title)</span></summary>
                            <ul class="doc-menu-list">
                              <li><a href="\(SharedPartialsHTML.route("staff.file", id))" download>\(download)</a></li>
                              
                """
                if row.canUnshare { html += "<li><a href=\"\(SharedPartialsHTML.route("claimdocs.unshare", number, id))\">\(unshare)</a></li>" }
                html += """

                              <li><a href="\(SharedPartialsHTML.route("claimdocs.edit", number, id))">\(edit)</a></li>
                              <li><a href="\(SharedPartialsHTML.route("claimdocs.delete", number, id))">\(delete)</a></li>
                            </ul>
                          </details>
                        </td>
                      </tr>
                """
            }
            html += "\n      </tbody>\n    </table>\n    </div>\n    "
            if hasUnshared { html += "<div class=\"actions\"><button type=\"submit\" class=\"button\" id=\"documents-share\">\(t("docs_share"))</button></div>" }
            html += "\n  </form>\n  "
        }
        html += """

          <details class="change-box"\(rows.isEmpty ? " open" : "")>
            <summary class="button">\(t("docs_upload_title"))</summary>
            <form method="post" action="\(SharedPartialsHTML.route("claimdocs.upload", number))" enctype="multipart/form-data" class="form">
              \(csrf)
              <div class="field">
                <label for="doc-file">\(t("docs_file"))</label>
                <input id="doc-file" name="files" type="file" required>
                <p class="hint">\(t("docs_size_hint")) \(maxUploadMegabytes) MB. \(t("docs_upload_hint"))</p>
              </div>
              <div class="field">
                <label for="doc-category">\(t("docs_col_type"))</label>
                <select id="doc-category" name="category" required>
                  <option value="">\(t("docs_choose"))</option>
                  \(Self.plainOptions(categories))
                </select>
              </div>
              <div class="field">
                <label for="doc-title">\(t("docs_col_title"))</label>
                <input id="doc-title" name="title" maxlength="200">
                <p class="hint">\(t("docs_title_hint"))</p>
              </div>
              <div class="field">
                <label for="doc-supplier">\(t("docs_sent_by_supplier"))</label>
                <select id="doc-supplier" name="supplier">
                  <option value="">\(t("docs_no_supplier"))</option>
                  \(Self.plainOptions(suppliers))
                </select>
              </div>
              <div><button type="submit" class="button button-primary">\(t("docs_upload"))</button></div>
            </form>
          </details>
        </section>

        """
        return html
    }

    /// The upload form's choices as the partial's own loop wrote them: never marked selected.
    static func plainOptions(_ options: [SelectOption]) -> String {
        options.reduce(into: "") { html, option in html += "<option value=\"\(option.value.escapedHTML)\">\(option.name.escapedHTML)</option>" }
    }
}

extension CaseBudgetView {
    /// `number` is the case's (the page's, as the partial read it).
    func html(strings: [String: String], csrf: String, number: String) -> String {
        func t(_ key: String) -> String { (strings[key] ?? "").escapedHTML }
        var html = ""
        html.reserveCapacity(2_000 + lines.count * 900)
        html += "\n<section class=\"card section\" id=\"budget\" aria-labelledby=\"budget-heading\">\n"
        html += "  <h2 id=\"budget-heading\">\(t("budget_title"))</h2>\n  "
        if let notice { html += "<p class=\"alert alert-success\" role=\"status\">\(notice.escapedHTML)</p>" }
        html += "\n  "
        if lines.isEmpty {
            html += "<p class=\"muted\">\(t("budget_empty"))</p>"
        } else {
            html += """

              <div class="table-scroll" role="region" aria-labelledby="budget-heading" tabindex="0">
              <table class="table budget-table">
                <thead><tr>
                  <th scope="col">\(t("budget_description"))</th>
                  <th scope="col" class="num">\(t("budget_quantity"))</th>
                  <th scope="col" class="num">\(t("budget_unit_price"))</th>
                  <th scope="col" class="num">\(t("budget_amount"))</th>
                  <th scope="col"><span class="visually-hidden">\(t("budget_actions"))</span></th>
                </tr></thead>
                <tbody>
                
            """
            let (edit, remove) = (t("budget_edit"), t("budget_remove"))
            for line in lines {
                let id = String(line.id), description = line.description.escapedHTML
                html += """
                <tr id="budget-line-\(id)">
                      <td>\(description)</td>
                      <td class="num nowrap">\(line.quantity.escapedHTML)</td>
                      <td class="num nowrap">\(line.unitPrice.escapedHTML)</td>
                      <td class="num nowrap">\(line.amount.escapedHTML)</td>
                      <td><div class="budget-actions">
                        <a class="button button-small" href="\(SharedPartialsHTML.route("claimdocs.budgetLine", number, id))">\(edit)<span class="visually-hidden"> \(description)</span></a>
                        <form method="post" action="\(SharedPartialsHTML.route("claimdocs.budgetLineRemove", number, id))">\(csrf)<button type="submit" class="button button-small button-danger">\(remove)<span class="visually-hidden"> \(description)</span></button></form>
                      </div></td>
                    </tr>
                """
            }
            html += """

                </tbody>
                <tfoot><tr class="money-total"><th scope="row" colspan="3">\(t("budget_total"))</th><td class="num nowrap" id="budget-total">\(total.escapedHTML)</td><td></td></tr></tfoot>
              </table>
              </div>
              
            """
        }
        html += """

          <details class="change-box"\(lines.isEmpty ? " open" : "")>
            <summary class="button">\(t("budget_add_title"))</summary>
            <form method="post" action="\(SharedPartialsHTML.route("claimdocs.budgetAdd", number))" class="form">
              \(csrf)
              <div class="field"><label for="budget-description">\(t("budget_description"))</label><input id="budget-description" name="description" maxlength="500" required></div>
              <div class="field field-short"><label for="budget-quantity">\(t("budget_quantity"))</label><input id="budget-quantity" name="quantity" inputmode="decimal" required><p class="hint">\(t("budget_quantity_hint"))</p></div>
              <div class="field field-short"><label for="budget-unit-price">\(t("budget_unit_price"))</label><input id="budget-unit-price" name="unit_price" inputmode="decimal" required></div>
              <div><button type="submit" class="button button-primary">\(t("budget_add"))</button></div>
            </form>
          </details>
        </section>

        """
        return html
    }
}
