import CaseportCore

/// The sortable column headers of a case list (issue 12 point 4): each a link to the same list,
/// filters kept, sorted by that column (the other direction when it is the current one), first page.
struct SortHeaders: Encodable {
    struct Header: Encodable {
        var href: String
        /// `aria-sort` of the column the list is sorted by ("ascending"/"descending"); nil elsewhere.
        var ariaSort: String?
        /// The arrow beside the current column's label (hidden from screen readers, which read aria-sort).
        var arrow: String?
    }

    var activity: Header
    var created: Header
    var number: Header
    var subject: Header
    /// The current sort for the search form's hidden fields; nil for the default order.
    var key: String?
    var dir: String?

    /// `link` makes the list's URL for a sort (first page, the list's filters kept).
    init(current: CaseSort, link: (CaseSort) -> String) {
        func header(_ key: CaseSort.Key) -> Header {
            let active = current.key == key
            return Header(href: link(current.toggled(to: key)),
                          ariaSort: active ? (current.direction == .ascending ? "ascending" : "descending") : nil,
                          arrow: active ? (current.direction == .ascending ? "▲" : "▼") : nil)
        }
        activity = header(.activity)
        created = header(.created)
        number = header(.number)
        subject = header(.subject)
        key = current.isDefault ? nil : current.key.rawValue
        dir = current.isDefault ? nil : current.direction.rawValue
    }
}

extension SortHeaders.Header {
    /// The column's `<th>` in a case list written in Swift (issue 17), as the templates wrote it: `label`
    /// is the page language's, already escaped; the arrow and `aria-sort` only on the current column.
    func cellHTML(label: String, indent: String) -> String {
        var html = indent + "<th scope=\"col\""
        if let ariaSort { html += " aria-sort=\"" + ariaSort.escapedHTML + "\"" }
        html += "><a class=\"sort-link\" href=\"" + href.escapedHTML + "\">" + label
        if let arrow { html += " <span aria-hidden=\"true\">" + arrow.escapedHTML + "</span>" }
        return html + "</a></th>\n"
    }
}
