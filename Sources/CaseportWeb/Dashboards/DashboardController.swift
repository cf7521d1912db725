import CaseportCore
import CaseportStore
import Foundation
import Vapor

/// The B11 dashboards. Portal: contact users with a contact only (the LF seed), in one of the three
/// scopes (`DashboardScope`), each a part of their A7 visibility; any other login gets 404, as for a page
/// that is not theirs. Staff: the same dashboards over every customer. A GET form chooses the period
/// (last three months by default) and the filters; "CSV" downloads the figures shown.
struct DashboardController: RouteCollection {
    enum Realm { case portal, staff }
    let realm: Realm

    func boot(routes: any RoutesBuilder) throws {
        switch realm {
        case .portal:
            routes.on(PortalRoute.dashboard, use: page)
            routes.on(PortalRoute.dashboardCSV, use: csv)
        case .staff:
            routes.on(StaffRoute.dashboard, use: page)
            routes.on(StaffRoute.dashboardCSV, use: csv)
        }
    }

    struct Tab: Encodable { var label: String; var href: String; var current: Bool }
    struct Filter: Encodable { var name: String; var label: String; var options: [SelectOption] }

    struct DashboardPage: Encodable {
        var layout: Layout
        var fromLabel: String
        var toLabel: String
        var heading: String
        var definition: String
        var tabs: [Tab]
        var scopes: [SelectOption]
        var showScopes: Bool
        var from: String
        var to: String
        var datePattern: String
        var periodText: String
        var scopeText: String?
        var periodError: String?
        var filters: [Filter]
        var charts: [DashboardChart]
        var csvHref: String
        var formAction: String
    }

    /// What the request asks for, checked.
    struct Query {
        var kind: DashboardKind
        var scope: DashboardScope?
        var visibility: CaseVisibility?
        var filter: DashboardFilter
        var periodError: Bool
        var scopes: [DashboardScope]
    }

    func read(_ request: Request) throws -> Query {
        guard let kind = request.parameters.get("kind").flatMap(DashboardKind.init(rawValue:)),
              DashboardKind.available.contains(kind) else { throw Abort(.notFound) }
        var scope: DashboardScope?
        var visibility: CaseVisibility?
        var scopes: [DashboardScope] = []
        switch realm {
        case .portal:
            guard case .contactUser(contact: let links?) = try request.requirePortal().viewer else { throw Abort(.notFound) }
            scopes = DashboardScope.offered(links)
            let asked = (try? request.query.get(String.self, at: "scope")).flatMap(DashboardScope.init(rawValue:))
            let chosen = asked.flatMap { scopes.contains($0) ? $0 : nil } ?? DashboardScope.preferred(links)
            scope = chosen
            visibility = chosen.visibility(links)
        case .staff:
            _ = try request.requireStaff()
        }
        let fromText = (try? request.query.get(String.self, at: "from")) ?? ""
        let toText = (try? request.query.get(String.self, at: "to")) ?? ""
        var periodError = false
        var period = DashboardPeriod.lastThreeMonths(now: Date())
        if !fromText.isEmpty || !toText.isEmpty {
            let language = request.language
            if let first = language.parseDay(String(fromText.prefix(12))), let last = language.parseDay(String(toText.prefix(12))),
               let typed = DashboardPeriod.days(from: first, to: last) {
                period = typed
            } else {
                periodError = true
            }
        }
        func id(_ name: String) -> Int? {
            (try? request.query.get(String.self, at: name)).flatMap { $0.count <= 12 ? Int($0) : nil }
        }
        func text(_ name: String) -> String? {
            (try? request.query.get(String.self, at: name)).flatMap { $0.isEmpty || $0.count > 50 ? nil : $0 }
        }
        var filter = DashboardFilter(period: period, objectId: id("object"))
        switch kind {
        case .cases:
            filter.customerId = id("customer")
            filter.caseTypeId = id("type")
        case .workOrders:
            filter.customerId = id("customer")
            filter.workOrderType = text("type").flatMap { WorkOrderType(rawValue: $0)?.rawValue }
        case .articleRows:
            filter.customerId = id("customer")
            filter.actionCode = text("action")
            filter.articleType = text("article_type").flatMap { ArticleType(rawValue: $0)?.rawValue }
        case .leadTimes:
            break
        }
        return Query(kind: kind, scope: scope, visibility: visibility, filter: filter, periodError: periodError, scopes: scopes)
    }

    /// The query string that keeps the choices (for tabs, the CSV link).
    func keptQuery(_ query: Query, kind: DashboardKind? = nil) -> [(String, String?)] {
        var items: [(String, String?)] = [("scope", query.scope?.rawValue),
                                          ("from", query.filter.period.firstDay), ("to", query.filter.period.lastDay)]
        if kind == nil || kind == query.kind {
            items += [("customer", query.filter.customerId.map(String.init)), ("object", query.filter.objectId.map(String.init)),
                      ("type", query.filter.caseTypeId.map(String.init) ?? query.filter.workOrderType),
                      ("action", query.filter.actionCode), ("article_type", query.filter.articleType)]
        }
        return items
    }

    func path(_ kind: DashboardKind, csv: Bool, query: [(String, String?)]) -> String {
        switch realm {
        case .portal: (csv ? PortalRoute.dashboardCSV : PortalRoute.dashboard).path([kind.rawValue], query: query)
        case .staff: (csv ? StaffRoute.dashboardCSV : StaffRoute.dashboard).path([kind.rawValue], query: query)
        }
    }

    func charts(_ request: Request, _ query: Query) async throws -> [DashboardChart] {
        try await DashboardCharts(dashboards: Dashboards(database: request.database), language: request.language, t: request.t)
            .charts(query.kind, visibility: query.visibility, filter: query.filter)
    }

    func page(request: Request) async throws -> View {
        let query = try read(request)
        let charts = try await charts(request, query)
        let heading = request.t("dashboard_\(query.kind.rawValue.replacingOccurrences(of: "-", with: "_"))_title")
        // The filters offer the groups the dashboard found, plus the one chosen.
        func options(_ chartId: String, chosen: Int?, keys: [Int?]) -> [SelectOption] {
            let chart = charts.first { $0.id == chartId }
            var list = [SelectOption(value: "", name: request.t("dashboard_all"), selected: chosen == nil)]
            for (row, key) in zip(chart?.rows ?? [], keys) {
                guard let key else { continue }
                list.append(SelectOption(value: String(key), name: row.label, selected: key == chosen))
            }
            return list
        }
        func textOptions(_ chartId: String, chosen: String?, keys: [String?]) -> [SelectOption] {
            let chart = charts.first { $0.id == chartId }
            var list = [SelectOption(value: "", name: request.t("dashboard_all"), selected: chosen == nil)]
            for (row, key) in zip(chart?.rows ?? [], keys) {
                guard let key else { continue }
                list.append(SelectOption(value: key, name: row.label, selected: key == chosen))
            }
            return list
        }
        let dashboards = Dashboards(database: request.database)
        var filters: [Filter] = []
        switch query.kind {
        case .cases:
            let customers = try await dashboards.cases(by: .customer, query.visibility, query.filter).map(\.key)
            let objects = try await dashboards.cases(by: .object, query.visibility, query.filter).map(\.key)
            let types = try await dashboards.cases(by: .caseType, query.visibility, query.filter).map(\.key)
            filters = [
                Filter(name: "customer", label: request.t("case_customer"), options: options("cases-customer", chosen: query.filter.customerId, keys: customers)),
                Filter(name: "object", label: request.t("case_object"), options: options("cases-object", chosen: query.filter.objectId, keys: objects)),
                Filter(name: "type", label: request.t("case_type"), options: options("cases-caseType", chosen: query.filter.caseTypeId, keys: types)),
            ]
        case .leadTimes:
            let objects = try await dashboards.leadTimes(by: .object, query.visibility, query.filter).map(\.key)
            filters = [Filter(name: "object", label: request.t("case_object"), options: options("lead-object", chosen: query.filter.objectId, keys: objects))]
        case .workOrders:
            let types = try await dashboards.money(workOrders: true, by: .workOrderType, query.visibility, query.filter).map(\.textKey)
            let customers = try await dashboards.money(workOrders: true, by: .customer, query.visibility, query.filter).map(\.key)
            let objects = try await dashboards.money(workOrders: true, by: .object, query.visibility, query.filter).map(\.key)
            filters = [
                Filter(name: "type", label: request.t("dashboard_work_order_type"), options: textOptions("work-orders-workOrderType", chosen: query.filter.workOrderType, keys: types)),
                Filter(name: "customer", label: request.t("case_customer"), options: options("work-orders-customer", chosen: query.filter.customerId, keys: customers)),
                Filter(name: "object", label: request.t("case_object"), options: options("work-orders-object", chosen: query.filter.objectId, keys: objects)),
            ]
        case .articleRows:
            let codes = try await dashboards.money(workOrders: false, by: .actionCode, query.visibility, query.filter).map(\.textKey)
            let customers = try await dashboards.money(workOrders: false, by: .customer, query.visibility, query.filter).map(\.key)
            let objects = try await dashboards.money(workOrders: false, by: .object, query.visibility, query.filter).map(\.key)
            let types = try await dashboards.money(workOrders: false, by: .articleType, query.visibility, query.filter).map(\.textKey)
            filters = [
                Filter(name: "action", label: request.t("dashboard_action_code"), options: textOptions("rows-actionCode", chosen: query.filter.actionCode, keys: codes)),
                Filter(name: "customer", label: request.t("case_customer"), options: options("rows-customer", chosen: query.filter.customerId, keys: customers)),
                Filter(name: "object", label: request.t("case_object"), options: options("rows-object", chosen: query.filter.objectId, keys: objects)),
                Filter(name: "article_type", label: request.t("dashboard_article_type"), options: textOptions("rows-articleType", chosen: query.filter.articleType, keys: types)),
            ]
        }
        let language = request.language
        let page = DashboardPage(
            layout: Layout(request, title: heading, area: realm == .staff ? "staff" : "portal"),
            fromLabel: request.t("dashboard_from"), toLabel: request.t("dashboard_to"),
            heading: heading,
            definition: request.t("dashboard_\(query.kind.rawValue.replacingOccurrences(of: "-", with: "_"))_definition"),
            tabs: DashboardKind.available.map { kind in
                Tab(label: request.t("dashboard_\(kind.rawValue.replacingOccurrences(of: "-", with: "_"))_title"),
                    href: path(kind, csv: false, query: keptQuery(query, kind: kind)), current: kind == query.kind)
            },
            scopes: query.scopes.map { SelectOption(value: $0.rawValue, name: request.t("dashboard_scope_\($0.rawValue)"), selected: $0 == query.scope) },
            showScopes: realm == .portal,
            from: language.formatDay(query.filter.period.firstDay), to: language.formatDay(query.filter.period.lastDay),
            datePattern: request.t(language.dayPatternKey),
            periodText: "\(language.formatDay(query.filter.period.firstDay)) – \(language.formatDay(query.filter.period.lastDay))",
            scopeText: query.scope.map { request.t("dashboard_scope_\($0.rawValue)") },
            periodError: query.periodError ? request.t("dashboard_period_invalid") : nil,
            filters: filters, charts: charts,
            csvHref: path(query.kind, csv: true, query: keptQuery(query)),
            formAction: path(query.kind, csv: false, query: []))
        return try await request.view.render("shared/dashboard", page)
    }

    /// The figures of the page as CSV (`CSVWriter`: BOM, semicolons, formula cells neutralised): one line
    /// per row of each chart, the chart's title first.
    func csv(request: Request) async throws -> Response {
        let query = try read(request)
        let charts = try await charts(request, query)
        var text = CSVWriter.byteOrderMark
        for chart in charts {
            text += CSVWriter.line([request.t("dashboard_csv_chart")] + chart.columns)
            for row in chart.rows { text += CSVWriter.line([chart.title, row.label] + row.cells) }
        }
        let response = Response(status: .ok, body: .init(string: text))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        let name = "\(query.kind.rawValue)-\(query.filter.period.firstDay)-\(query.filter.period.lastDay).csv"
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(name)\"")
        return response
    }
}
