import CaseportCore
import CaseportStore
import Fluent
import LeafKit
import Vapor

/// What the seven selects of a staff case form hold, as posted or stored: ids as text, "" for none.
/// Both staff case forms (the case page, and a case made from an inquiry) read it from the same flat
/// form, in their own `init(from:)`, with `try CaseSelection(from: decoder)`.
struct CaseSelection: Codable, Equatable {
    var category = "", type = "", priority = "", handler = "", supplier = "", customer = "", object = ""

    init() {}

    init(category: Int?, type: Int?, priority: Int?, handler: Int?, supplier: Int?, customer: Int?, object: Int?) {
        func text(_ id: Int?) -> String { id.map(String.init) ?? "" }
        (self.category, self.type, self.priority) = (text(category), text(type), text(priority))
        (self.handler, self.supplier, self.customer, self.object) = (text(handler), text(supplier), text(customer), text(object))
    }

    subscript(_ select: CaseSelects.Name) -> String {
        switch select {
        case .category: return category
        case .type: return type
        case .priority: return priority
        case .handler: return handler
        case .supplier: return supplier
        case .customer: return customer
        case .object: return object
        }
    }
}

/// The seven selects of a staff case form — handler, supplier, category, type, priority, customer,
/// object — built once for both pages that show them (the staff case page and staff/inbox-case) and rendered by
/// one partial, `shared/case-selects`. Each page keeps its own order of rows. Deactivated categories,
/// types and priorities are offered only when they are the value already chosen; objects are the
/// chosen customer's and the one the case or inquiry has now.
struct CaseSelects: Encodable, LeafDataRepresentable {
    /// A select's name, which is also its id and its form field's name.
    enum Name: String, Encodable {
        case handler, supplier, category, type, priority, customer, object
    }

    struct Select: Encodable {
        var name: String
        var label: String
        var options: [SelectOption]
        var error: String?
        /// The id of the error line (`#fieldError`), which the select points to (`#invalid`).
        var errorId: String
    }

    struct Row: Encodable {
        var selects: [Select]
    }

    var rows: [Row]

    /// Leaf gets the selects as HTML only (`html`, below); the rows stay in Swift. Leaf's encoder takes
    /// `leafData` (as it does for `Layout`); `encode(to:)` gives the same for any other encoder.
    private enum CodingKeys: String, CodingKey { case html }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(html, forKey: .html)
    }

    var leafData: LeafData { .dictionary(["html": .string(html)]) }

    /// Each select's error links to it from the page's error summary (issue 12).
    var anchors: [ErrorSummary.Anchor] {
        rows.flatMap(\.selects).map { ErrorSummary.Anchor($0.name, $0.name) }
    }

    /// The case page: who handles it first.
    static let caseLayout: [[Name]] = [[.handler, .supplier], [.category, .type, .priority], [.customer, .object]]
    /// A case from an inquiry: what it is first.
    static let inquiryLayout: [[Name]] = [[.type, .category, .priority], [.customer, .object], [.handler, .supplier]]

    /// `catalogue`: the one the page has read already, if it has.
    static func load(_ request: Request, layout: [[Name]], chosen: CaseSelection, currentObjectId: Int?,
                     errors: [String: String], catalogue known: StaffCatalogue? = nil) async throws -> CaseSelects {
        var catalogue: StaffCatalogue
        if let known { catalogue = known } else { catalogue = try await StaffCatalogue.load(on: request.database) }
        // A customer beyond the first 1 000 is offered when it is the one chosen, so saving keeps it.
        try await catalogue.include(customer: Int(chosen.customer), on: request.database)
        // The chosen customer's objects, and the object the record has now.
        let objects = try await StaffCases(database: request.database).formObjects(customerId: Int(chosen.customer), objectId: currentObjectId)
        func options<T>(_ name: Name, _ items: [T], id: (T) -> Int?, active: (T) -> Bool = { _ in true },
                        label: (T) -> String) -> [SelectOption] {
            items.compactMap { item in
                let value = id(item).map(String.init) ?? ""
                let selected = chosen[name] == value
                return active(item) || selected ? SelectOption(value: value, name: label(item), selected: selected) : nil
            }
        }
        func select(_ name: Name) -> Select {
            let label: String, choices: [SelectOption]
            switch name {
            case .handler: (label, choices) = (request.t("staff_field_handler"), options(name, catalogue.staff, id: { $0.id }, label: \.name))
            case .supplier:
                (label, choices) = (request.t("staff_field_supplier"), options(name, catalogue.suppliers, id: { $0.id }, label: \.name))
            case .category:
                (label, choices) = (request.t("case_category"),
                                    options(name, catalogue.categories, id: { $0.id }, active: \.isActive, label: \.name))
            case .type:
                (label, choices) = (request.t("case_type"), options(name, catalogue.types, id: { $0.id }, active: \.isActive, label: \.name))
            case .priority:
                (label, choices) = (request.t("case_priority"),
                                    options(name, catalogue.priorities, id: { $0.id }, active: \.isActive, label: \.name))
            case .customer: (label, choices) = (request.t("case_customer"), options(name, catalogue.customers, id: { $0.id }, label: \.name))
            case .object:
                (label, choices) = (request.t("case_object"), options(name, objects, id: { $0.id }, label: { "\($0.name) – \($0.address)" }))
            }
            return Select(name: name.rawValue, label: label, options: choices, error: errors[name.rawValue],
                          errorId: name.rawValue + "-error")
        }
        return CaseSelects(rows: layout.map { Row(selects: $0.map(select)) })
    }
}

extension CaseSelects {
    /// Issue 17 (session 13): the selects as `shared/case-selects` wrote them — a row of fields per layout row,
    /// each a label, a `<select>` with an empty first option and the options (`#options`), `aria-invalid` and
    /// the error line when the select has a problem (`#invalid`, `#fieldError`) — written in Swift, which the
    /// partial prints with `#unsafeHTML(selects.html)`. The staff case page offers up to 1 000 customers, and
    /// handing each option to Leaf as a dictionary and looping over them was a twentieth of the page's CPU
    /// (perf). Every value is escaped as the tags and `#(…)` escape it (`escapedHTML`); `CaseSelectsHTMLTests`
    /// renders the former partial with Leaf and requires the same bytes.
    var html: String {
        var html = ""
        html.reserveCapacity(256 + rows.reduce(0) { $0 + $1.selects.reduce(0) { $0 + 200 + $1.options.count * 48 } })
        for row in rows {
            html += "\n  <div class=\"field-row\">\n    "
            for select in row.selects {
                let name = select.name.escapedHTML, errorId = select.errorId.escapedHTML
                let message = select.error.flatMap { $0.isEmpty ? nil : $0 }
                html += "<div class=\"field\"><label for=\"" + name + "\">" + select.label.escapedHTML + "</label>\n      <select id=\""
                html += name + "\" name=\"" + name + "\""
                if message != nil { html += " aria-invalid=\"true\" aria-describedby=\"" + errorId + "\" autofocus" }
                html += "><option value=\"\">–</option>"
                for option in select.options {
                    html += "<option value=\"" + option.value.escapedHTML + (option.selected ? "\" selected>" : "\">")
                    html += option.name.escapedHTML + "</option>"
                }
                html += "</select>\n      "
                if let message { html += "<p class=\"field-error\" id=\"" + errorId + "\">" + message.escapedHTML + "</p>" }
                html += "</div>\n    "
            }
            html += "\n  </div>\n"
        }
        return html
    }
}
