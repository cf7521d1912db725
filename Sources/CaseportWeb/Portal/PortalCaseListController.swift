import CaseportCore
import CaseportStore
import Fluent
import LeafKit
import Vapor

/// The case list with search and filters (B1, B2, B3). The query lives in the URL, so a search can be
/// bookmarked, shared and paged. Filter choices offer only customers and objects the viewer may see.
struct PortalCaseListController: RouteCollection {
    static let pageSize = 25

    func boot(routes: any RoutesBuilder) throws {
        routes.on(PortalRoute.cases, use: list).confirmsPortalSession()
    }

    struct Query: Decodable {
        var q: String?
        var state: String?
        var status: String?
        var category: String?
        var type: String?
        var customer: String?
        var object: String?
        var from: String?
        var to: String?
        var page: String?
        /// The order (`CaseSort`): validated, anything unknown is the default (last activity).
        var sort: String?
        var dir: String?
    }

    struct Column: Encodable {
        var key: String
        var label: String
    }

    struct Cell: Encodable {
        var value: String
        var label: String
    }

    /// One row of the list, written to HTML by `rowsHTML` (the template only sees `caseCount`).
    struct CaseRow: Encodable {
        var number: Int
        var subject: String
        var summary: String
        var preview: String
        var status: String
        var closed: Bool
        /// The status badge's colour class (`StatusTone`).
        var tone: String
        var createdAt: String
        /// "Last updated": the last public message or status change.
        var updatedAt: String
        var createdBy: String
        var fromPortal: Bool
        var hasNews: Bool
        var extra: [Cell]
        /// B8: the case has booked rows, so the row links its "Actions" (issue 14).
        var hasRows = false

    }

    typealias Option = SelectOption

    struct ListPage: Encodable {
        var layout: Layout
        /// How many rows this page has (the rows themselves are in `rowsHTML`).
        var caseCount: Int
        var columns: [Column]
        var paging: Paging
        /// The sortable column headers and the current sort (kept by the search form).
        var sort: SortHeaders
        var q: String
        var from: String
        var to: String
        /// How the page's language writes a day (A3), beside the date filters.
        var datePattern: String
        var states: [Option]
        var statuses: [Option]
        var categories: [Option]
        var types: [Option]
        var customers: [Option]
        var objects: [Option]
        var filtered: Bool
        var errors: [String: String]
        /// The table's rows, written by `rowsHTML` (every value escaped there).
        var rowsHTML: String
    }

    /// The list page, written in Swift from frame to rows (`PortalCaseListHTML.swift`, `PageHTML.swift`:
    /// no Leaf render). The list is rendered for every view: issue 17 measured that keeping it per user,
    /// language, query and change stamp almost never paid in real use (different users and pages are
    /// different entries, and every write emptied them). What is kept is what the list reads from master
    /// data: the filter choices (`filterOptions`), the settings and the catalogue names, all at the change stamp.
    func list(request: Request) async throws -> Response {
        let principal = try request.requirePortal()
        let (layout, body) = try await renderList(request: request, principal: principal)
        let response = request.htmlPage(layout.pageHTML(body: body))
        // "Back" on the case pages returns here with this search and page (issue 11 point 8).
        ListReturn.cases.remember(request, on: response)
        return response
    }

    /// The page's frame and body. The frame is made after the rows are read: on a session taken on trust the
    /// menu's count comes with them (`TrustedPortalSession`).
    func renderList(request: Request, principal: PortalPrincipal) async throws -> (layout: Layout, body: String) {
        let query = (try? request.query.decode(Query.self)) ?? Query()
        let data = try await Self.data(for: principal, query: query, request: request)
        let layout = Layout(request, title: request.t("cases_title"), wide: true)
        var errors: [String: String] = [:]
        let options = data.options
        let filter = Self.filter(from: query, options: options, language: request.language, errors: &errors)
        errors = errors.mapValues { request.t($0) }
        let settings = data.settings
        let language = request.language
        // Issue 12: category, type and priority in the reader's language (the default name when none is set),
        // from the names kept at the change stamp: the rows are read without them (`catalogueNamesInRows`).
        let names = try await request.catalogueNames()
        let rows = data.rows.map { row in
            var row = row
            row.categoryName = names.name(.category, row.categoryId, in: language)
            row.caseTypeName = names.name(.caseType, row.caseTypeId, in: language)
            row.priorityName = names.name(.priority, row.priorityId, in: language)
            return row
        }

        let caseRows = rows.map { row in
                CaseRow(number: row.number, subject: row.subject,
                        summary: Self.shorten(row.description, to: 90), preview: Self.shorten(row.description, to: 500),
                        status: request.t(row.status.labelKey), closed: row.status.isClosed, tone: row.status.tone.rawValue,
                        createdAt: language.formatDateTime(row.createdAt), updatedAt: language.formatDateTime(row.lastActivityAt),
                        createdBy: row.createdByName,
                        fromPortal: row.origin == .portal, hasNews: row.hasNews == 1,
                        extra: settings.extraListColumns.map { column in
                            Cell(value: Self.value(of: column, in: row) ?? "–", label: request.t("column_\(column.rawValue)"))
                        }, hasRows: row.hasArticleRows)
            }
        let context = ListPage(
            layout: layout,
            caseCount: caseRows.count,
            columns: settings.extraListColumns.map { Column(key: $0.rawValue, label: request.t("column_\($0.rawValue)")) },
            paging: data.paging,
            sort: SortHeaders(current: filter.sort) { Self.link(query, sort: $0, page: nil) },
            q: String((query.q ?? "").prefix(200)),
            from: Self.shownDay(query.from, language), to: Self.shownDay(query.to, language),
            datePattern: request.t(language.dayPatternKey),
            states: CaseFilter.StatusGroup.allCases.map {
                Option(value: $0.rawValue, name: request.t("filter_state_\($0.rawValue)"), selected: filter.statusGroup == $0)
            },
            statuses: CaseStatus.allCases.map {
                Option(value: $0.rawValue, name: request.t($0.labelKey), selected: filter.status == $0)
            },
            categories: options.categories.map {
                Option(value: String($0.id), name: names.name(.category, $0.id, $0.name, in: language), selected: filter.categoryId == $0.id)
            },
            types: options.types.map {
                Option(value: String($0.id), name: names.name(.caseType, $0.id, $0.name, in: language), selected: filter.caseTypeId == $0.id)
            },
            customers: options.customers.map { Option(value: String($0.id), name: $0.name, selected: filter.customerId == $0.id) },
            objects: options.objects.map { Option(value: String($0.id), name: $0.name, selected: filter.objectId == $0.id) },
            filtered: !filter.isEmpty, errors: errors, rowsHTML: Self.rowsHTML(caseRows, strings: layout.t.table))
        return (layout, context.bodyHTML())
    }

    /// What the list reads from the database.
    static func data(for principal: PortalPrincipal, query: Query, request: Request) async throws -> CaseListData {
        let userId = try principal.user.requireID()
        let options = try await Self.filterOptions(for: principal, request: request)
        var ignored: [String: String] = [:]
        let filter = Self.filter(from: query, options: options, language: request.language, errors: &ignored)
        let cases = VisibleCases(database: request.database, catalogueNamesInRows: false)
        let requested = Int(query.page ?? "")
        let reader = CaseReader(userId: userId, since: principal.user.createdAt ?? .distantPast)
        func pagingFor(_ total: Int) -> Paging {
            Paging(requested: requested, total: total, pageSize: Self.pageSize, withEnds: true) { Self.link(query, page: $0) }
        }
        // A search reads its page and its number of hits in one go (the full-text match runs once, not
        // once for the count and again for the page); a page asked for past the last hit, and every
        // other list, counts first. A session taken on trust is confirmed with the rows (`TrustedPortalSession`;
        // an empty page confirms nothing, and the middleware asks again the usual way).
        let asked = max(1, requested ?? 1)
        let session = request.portalSessionToConfirm
        if asked <= 1_000_000, let found = try await cases.searchPageAndCount(for: principal.visibility, filter: filter, reader: reader,
                                                          offset: (asked - 1) * Self.pageSize, limit: Self.pageSize,
                                                          confirming: session) {
            try await request.acceptPortalSession(found.session)
            let settings = try await request.frameSettings()
            return CaseListData(options: options, settings: settings, paging: pagingFor(found.total), rows: found.rows)
        }
        let total = try await request.shortLivedCount(principal, key: ShortLivedCounts.key(filter)) {
            try await cases.count(for: principal.visibility, filter: filter)
        }
        let paging = pagingFor(total)
        let (rows, confirmed) = try await cases.page(for: principal.visibility, filter: filter, reader: reader,
                                                     offset: paging.offset, limit: Self.pageSize, total: total, confirming: session)
        try await request.acceptPortalSession(confirmed)
        let settings = try await request.frameSettings()
        return CaseListData(options: options, settings: settings, paging: paging, rows: rows)
    }

    /// The filter choices, kept per user at the change stamp: they are read from categories, case
    /// types, customers, objects and the user's access links, all tables the stamp watches.
    static func filterOptions(for principal: PortalPrincipal, request: Request) async throws -> FilterOptions {
        let key = "\(try principal.user.requireID())"
        if let stamp = request.changeStamp, let kept = request.caseport.filterOptions.value(for: key, at: stamp) { return kept }
        let options = try await FilterOptions.load(for: principal.visibility, on: request.database)
        if let stamp = request.changeStamp { request.caseport.filterOptions.store(options, for: key, at: stamp) }
        return options
    }

    /// Reads the filter from the URL. Unknown or foreign ids are dropped (a customer the viewer may
    /// not see is simply not a filter), and a malformed date is reported next to its field.
    static func filter(from query: Query, options: FilterOptions, language: Language, errors: inout [String: String]) -> CaseFilter {
        var filter = CaseFilter()
        filter.text = String((query.q ?? "").prefix(200))
        filter.statusGroup = query.state.flatMap(CaseFilter.StatusGroup.init(rawValue:)) ?? .all
        filter.status = query.status.flatMap(CaseStatus.init(rawValue:))
        func pick(_ raw: String?, from allowed: [FilterOptions.Item]) -> Int? {
            guard let id = raw.flatMap(Int.init), allowed.contains(where: { $0.id == id }) else { return nil }
            return id
        }
        filter.categoryId = pick(query.category, from: options.categories)
        filter.caseTypeId = pick(query.type, from: options.types)
        filter.customerId = pick(query.customer, from: options.customers)
        filter.objectId = pick(query.object, from: options.objects)
        filter.sort = CaseSort(key: query.sort, direction: query.dir)
        if let raw = query.from, !raw.isEmpty {
            if let date = parseDay(raw, language) { filter.createdFrom = date } else { errors["from"] = "filter_error_date" }
        }
        if let raw = query.to, !raw.isEmpty {
            if let date = parseDay(raw, language) { filter.createdBefore = date.addingTimeInterval(86_400) } else { errors["to"] = "filter_error_date" }
        }
        return filter
    }

    /// A day typed as the language writes it (A3) or as YYYY-MM-DD (a link from another language),
    /// taken in the server's time zone.
    static func parseDay(_ text: String, _ language: Language) -> Date? { language.parseDay(text).flatMap(CalendarDay.parse) }

    /// A typed day as the page's language writes it; anything unreadable as typed, to be corrected.
    static func shownDay(_ text: String?, _ language: Language) -> String {
        guard let text else { return "" }
        return language.parseDay(text).map { language.formatDay($0) } ?? text
    }

    /// A page of the list with the same search and order.
    static func link(_ query: Query, page: Int) -> String {
        link(query, sort: CaseSort(key: query.sort, direction: query.dir), page: page)
    }

    /// The list with the same search in `sort`'s order (the validated sort, never the raw URL values).
    static func link(_ query: Query, sort: CaseSort, page: Int?) -> String {
        let search: [(String, String?)] = [("q", query.q), ("state", query.state), ("status", query.status),
                                           ("category", query.category), ("type", query.type), ("customer", query.customer),
                                           ("object", query.object), ("from", query.from), ("to", query.to)]
        let pageItem: [(String, String?)] = [("page", page.map { String($0) })]
        return PortalRoute.cases.path([], query: search + sort.queryItems + pageItem)
    }

    static func value(of column: PortalSettings.ListColumn, in row: CaseListRow) -> String? {
        switch column {
        case .category: return row.categoryName
        case .caseType: return row.caseTypeName
        case .priority: return row.priorityName
        case .object: return row.objectName
        case .customer: return row.customerName
        }
    }

    /// The table's rows as HTML, exactly as the template's `#for(row in cases)` loop wrote them
    /// (issue 17: that loop was the largest part of a cold list page in perf, Leaf resolving each of a
    /// row's two dozen values through the context). Every value is escaped as `#(…)` escapes it
    /// (`escapedHTML`, Leaf's own escaping); `CaseListRowsHTMLTests` renders the loop with Leaf and compares.
    static func rowsHTML(_ rows: [CaseRow], strings: [String: String]) -> String {
        func t(_ key: String) -> String { (strings[key] ?? "").escapedHTML }
        let (numberLabel, news, subjectLabel, actions) = (t("case_number"), t("marker_news"), t("case_subject"), t("actions_link"))
        let (descriptionLabel, createdLabel, updatedLabel, statusLabel) = (t("case_description"), t("case_created"),
                                                                             t("list_last_updated"), t("case_status"))
        let (fromPortal, fromCompany) = (t("origin_portal"), t("origin_company"))
        var html = ""
        html.reserveCapacity(rows.count * 2_000)
        for row in rows {
            let number = String(row.number)
            let link = (AppRoutes.path(named: "portal.case", [number]) ?? "").escapedHTML
            html += "\n    <tr data-case-number=\"\(number)\"\(row.hasNews ? " class=\"has-news\"" : "")>\n"
            html += "      <td class=\"nowrap cell-number\" data-label=\"\(numberLabel)\"><a href=\"\(link)\">\(number)</a>"
            if row.hasNews {
                html += " <span class=\"marker marker-news\" title=\"\(news)\"><span aria-hidden=\"true\">➜</span><span class=\"visually-hidden\">\(news)</span></span>"
            }
            html += "</td>\n      <td class=\"subject\" data-label=\"\(subjectLabel)\"><a href=\"\(link)\">\(row.subject.escapedHTML)</a>"
            if row.hasRows {
                let actionsLink = (AppRoutes.path(named: "portal.caseActions", [number]) ?? "").escapedHTML
                html += " <a class=\"actions-link\" href=\"\(actionsLink)\">\(actions)</a>"
            }
            html += "</td>\n      <td class=\"description\" data-label=\"\(descriptionLabel)\"><span class=\"preview\" tabindex=\"0\">"
            html += "\(row.summary.escapedHTML)<span class=\"preview-full\" role=\"tooltip\">\(row.preview.escapedHTML)</span></span></td>\n"
            html += "      <td class=\"cell-created\" data-label=\"\(createdLabel)\"><span class=\"nowrap\">\(row.createdAt.escapedHTML)</span><br>"
            html += "<span class=\"muted\">\(row.createdBy.escapedHTML)</span>\n"
            html += "        <span class=\"tag\(row.fromPortal ? " tag-portal" : "")\">\(row.fromPortal ? fromPortal : fromCompany)</span></td>\n"
            html += "      <td class=\"nowrap cell-updated\" data-label=\"\(updatedLabel)\">\(row.updatedAt.escapedHTML)</td>\n"
            html += "      <td class=\"cell-status\" data-label=\"\(statusLabel)\">" + SharedPartialsHTML.statusBadge(tone: row.tone, status: row.status)
            html += "</td>\n      "
            for cell in row.extra { html += "<td data-label=\"\(cell.label.escapedHTML)\">\(cell.value.escapedHTML)</td>" }
            html += "\n    </tr>\n  "
        }
        return html
    }

    /// The first `limit` characters, cut at a word where possible, with an ellipsis when cut.
    static func shorten(_ text: String, to limit: Int) -> String {
        // Byte checks first (issue 17: twice per list row, the character-by-character split showed in
        // perf). Every line break (U+000A–U+000D, U+0085, U+2028, U+2029) has a UTF-8 byte 0x0A–0x0D
        // or starts with 0xC2 or 0xE2; without those the text is already flat. A text of no more bytes
        // than `limit` has no more characters either.
        let mayBreak = text.utf8.contains { (0x0A...0x0D).contains($0) || $0 == 0xC2 || $0 == 0xE2 }
        let flat = mayBreak ? text.split(whereSeparator: \.isNewline).joined(separator: " ") : text
        guard flat.utf8.count > limit, flat.count > limit else { return flat }
        let cut = flat.prefix(limit)
        let atWord = cut.lastIndex(of: " ").map { cut[..<$0] } ?? cut
        return atWord.trimmingCharacters(in: .whitespaces) + "…"
    }
}

/// What one case list page read from the database.
struct CaseListData: Sendable {
    var options: FilterOptions
    var settings: PortalSettings
    var paging: Paging
    var rows: [CaseListRow]
}
