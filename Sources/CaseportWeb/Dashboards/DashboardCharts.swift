import CaseportCore
import CaseportStore
import Foundation

/// One chart of a dashboard: the same figures drawn as SVG bars (geometry computed here, the template only
/// places it) and listed as a table, so a screen reader and a printout get the numbers either way.
struct DashboardChart: Encodable {
    struct Row: Encodable {
        var label: String
        /// The label as the SVG shows it (cut to fit); the table has it whole.
        var shortLabel: String
        var cells: [String]
        /// The bar (count or median) and, for lead times, the 90th percentile behind it; in viewBox units.
        var barWidth: Double
        var backWidth: Double
        var hasBack: Bool
        var y: Int
        var textY: Int
        var valueX: Double
        var valueText: String
    }

    var id: String
    var title: String
    var description: String
    var columns: [String]
    var rows: [Row]
    var height: Int
    var empty: Bool

    static let labelWidth = 190.0
    static let barStart = 200.0
    static let barSpace = 330.0
    static let rowHeight = 26

    /// Bars for `values` (count, median…) with an optional second, longer value drawn behind (p90).
    init(id: String, title: String, description: String, columns: [String],
         rows input: [(label: String, cells: [String], value: Double, back: Double?, valueText: String)]) {
        self.id = id
        self.title = title
        self.description = description
        self.columns = columns
        let largest = max(input.map { max($0.value, $0.back ?? 0) }.max() ?? 0, 1)
        rows = input.enumerated().map { index, row in
            let width = row.value / largest * Self.barSpace
            let back = (row.back ?? 0) / largest * Self.barSpace
            let y = 8 + index * Self.rowHeight
            return Row(label: row.label, shortLabel: row.label.count > 26 ? String(row.label.prefix(25)) + "…" : row.label,
                       cells: row.cells, barWidth: (width * 10).rounded() / 10, backWidth: (back * 10).rounded() / 10, hasBack: back > 0,
                       y: y, textY: y + 15, valueX: Self.barStart + max(width, back) + 6, valueText: row.valueText)
        }
        height = 16 + max(input.count, 1) * Self.rowHeight
        empty = input.isEmpty
    }
}

/// Builds the charts of one dashboard from the Store's GROUP BY answers (`Dashboards`), in a language.
struct DashboardCharts {
    let dashboards: Dashboards
    let language: Language
    let t: (String) -> String

    func charts(_ kind: DashboardKind, visibility: CaseVisibility?, filter: DashboardFilter) async throws -> [DashboardChart] {
        switch kind {
        case .cases: try await cases(visibility, filter)
        case .leadTimes: try await leadTimes(visibility, filter)
        case .workOrders: try await workOrders(visibility, filter)
        case .articleRows: try await articleRows(visibility, filter)
        }
    }

    var periodText: (DashboardFilter) -> String {
        { filter in "\(language.formatDay(filter.period.firstDay)) – \(language.formatDay(filter.period.lastDay))" }
    }

    func bucketLabel(_ period: DashboardPeriod, _ index: Int) -> String {
        period.monthly ? period.label(ofBucket: index) : language.formatDay(period.label(ofBucket: index))
    }

    func count(_ n: Int) -> String { String(n) }

    /// Days with one decimal, in the language's decimal separator.
    func days(_ seconds: Double?) -> String {
        guard let seconds else { return "–" }
        let text = String(format: "%.1f", seconds / 86_400)
        return language == .en ? text : text.replacingOccurrences(of: ".", with: ",")
    }

    func name(_ row: DashboardRow) -> String { row.label ?? t("dashboard_none") }

    func cases(_ visibility: CaseVisibility?, _ filter: DashboardFilter) async throws -> [DashboardChart] {
        let period = periodText(filter)
        let byTime = try await dashboards.casesByTime(visibility, filter)
        var charts = [DashboardChart(
            id: "cases-time", title: t(filter.period.monthly ? "dashboard_cases_by_month" : "dashboard_cases_by_week"),
            description: t("dashboard_cases_desc").replacingOccurrences(of: "{period}", with: period),
            columns: [t(filter.period.monthly ? "dashboard_month" : "dashboard_week_from"), t("dashboard_cases_count")],
            rows: byTime.enumerated().map { index, n in
                (bucketLabel(filter.period, index), [count(n)], Double(n), nil, count(n))
            })]
        for (dimension, key, column) in [(Dashboards.Dimension.customer, "dashboard_cases_by_customer", "case_customer"),
                                         (.object, "dashboard_cases_by_object", "case_object"),
                                         (.caseType, "dashboard_cases_by_type", "case_type")] {
            let rows = try await dashboards.cases(by: dimension, visibility, filter)
            charts.append(DashboardChart(
                id: "cases-\(dimension.rawValue)", title: t(key),
                description: t("dashboard_cases_desc").replacingOccurrences(of: "{period}", with: period),
                columns: [t(column), t("dashboard_cases_count")],
                rows: rows.map { (name($0), [count($0.count)], Double($0.count), nil, count($0.count)) }))
        }
        return charts
    }

    func leadTimes(_ visibility: CaseVisibility?, _ filter: DashboardFilter) async throws -> [DashboardChart] {
        let period = periodText(filter)
        let columns = [t("dashboard_closed_count"), t("dashboard_median_days"), t("dashboard_p90_days")]
        func row(_ label: String, _ r: DashboardRow) -> (label: String, cells: [String], value: Double, back: Double?, valueText: String) {
            (label, [count(r.count), days(r.median), days(r.p90)], (r.median ?? 0) / 86_400, (r.p90 ?? 0) / 86_400,
             "\(days(r.median)) / \(days(r.p90))")
        }
        let byTime = try await dashboards.leadTimes(by: .time, visibility, filter)
        let timeRows = byTime.compactMap { r -> (Int, DashboardRow)? in r.key.map { ($0, r) } }.sorted { $0.0 < $1.0 }
        let byObject = try await dashboards.leadTimes(by: .object, visibility, filter)
        return [
            DashboardChart(id: "lead-object", title: t("dashboard_lead_by_object"),
                           description: t("dashboard_lead_desc").replacingOccurrences(of: "{period}", with: period),
                           columns: [t("case_object")] + columns, rows: byObject.map { row(name($0), $0) }),
            DashboardChart(id: "lead-time", title: t(filter.period.monthly ? "dashboard_lead_by_month" : "dashboard_lead_by_week"),
                           description: t("dashboard_lead_desc").replacingOccurrences(of: "{period}", with: period),
                           columns: [t(filter.period.monthly ? "dashboard_month" : "dashboard_week_from")] + columns,
                           rows: timeRows.map { row(bucketLabel(filter.period, $0.0), $0.1) }),
        ]
    }

    /// A stored kind's shown name (work-order type, article type), else the text itself (an action code).
    func kindName(_ row: DashboardRow, prefix: String?) -> String {
        guard let text = row.textKey else { return t("dashboard_none") }
        guard let prefix else { return text }
        let key = prefix + text
        let shown = t(key)
        return shown == key ? text : shown
    }

    func workOrders(_ visibility: CaseVisibility?, _ filter: DashboardFilter) async throws -> [DashboardChart] {
        let period = periodText(filter)
        let description = t("dashboard_work_orders_desc").replacingOccurrences(of: "{period}", with: period)
        let byTime = try await dashboards.moneyByTime(workOrders: true, visibility, filter)
        var charts = [DashboardChart(
            id: "work-orders-time", title: t(filter.period.monthly ? "dashboard_work_orders_by_month" : "dashboard_work_orders_by_week"),
            description: description,
            columns: [t(filter.period.monthly ? "dashboard_month" : "dashboard_week_from"), t("dashboard_work_orders_count")],
            rows: byTime.enumerated().map { index, row in
                (bucketLabel(filter.period, index), [count(row.count)], Double(row.count), nil, count(row.count))
            })]
        for (dimension, key, column) in [(Dashboards.MoneyDimension.workOrderType, "dashboard_work_orders_by_type", "dashboard_work_order_type"),
                                         (.customer, "dashboard_work_orders_by_customer", "case_customer"),
                                         (.object, "dashboard_work_orders_by_object", "case_object")] {
            let rows = try await dashboards.money(workOrders: true, by: dimension, visibility, filter)
            charts.append(DashboardChart(
                id: "work-orders-\(dimension.rawValue)", title: t(key), description: description,
                columns: [t(column), t("dashboard_work_orders_count")],
                rows: rows.map { row in
                    let label = dimension.isText ? kindName(row, prefix: "dashboard_work_order_type_") : name(row)
                    return (label, [count(row.count)], Double(row.count), nil, count(row.count))
                }))
        }
        return charts
    }

    func amount(_ minor: Int?) -> String { Money(minor: minor ?? 0).formatted(language) }

    func articleRows(_ visibility: CaseVisibility?, _ filter: DashboardFilter) async throws -> [DashboardChart] {
        let period = periodText(filter)
        let description = t("dashboard_article_rows_desc").replacingOccurrences(of: "{period}", with: period)
        let columns = [t("dashboard_rows_count"), t("dashboard_net_amount"), t("dashboard_gross_amount")]
        func row(_ label: String, _ r: DashboardRow) -> (label: String, cells: [String], value: Double, back: Double?, valueText: String) {
            (label, [count(r.count), amount(r.netMinor), amount(r.grossMinor)], Double(r.netMinor ?? 0), nil, amount(r.netMinor))
        }
        let byTime = try await dashboards.moneyByTime(workOrders: false, visibility, filter)
        var charts = [DashboardChart(
            id: "rows-time", title: t(filter.period.monthly ? "dashboard_rows_by_month" : "dashboard_rows_by_week"), description: description,
            columns: [t(filter.period.monthly ? "dashboard_month" : "dashboard_week_from")] + columns,
            rows: byTime.enumerated().map { index, r in row(bucketLabel(filter.period, index), r) })]
        for (dimension, key, column) in [(Dashboards.MoneyDimension.actionCode, "dashboard_rows_by_action_code", "dashboard_action_code"),
                                         (.customer, "dashboard_rows_by_customer", "case_customer"),
                                         (.object, "dashboard_rows_by_object", "case_object"),
                                         (.articleType, "dashboard_rows_by_article_type", "dashboard_article_type")] {
            let rows = try await dashboards.money(workOrders: false, by: dimension, visibility, filter)
            charts.append(DashboardChart(
                id: "rows-\(dimension.rawValue)", title: t(key), description: description, columns: [t(column)] + columns,
                rows: rows.map { r in
                    let label = switch dimension {
                    case .articleType: kindName(r, prefix: "dashboard_article_type_")
                    case .actionCode: kindName(r, prefix: nil)
                    default: name(r)
                    }
                    return row(label, r)
                }))
        }
        return charts
    }
}
