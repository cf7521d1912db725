import CaseportCore
import FluentKit
import Foundation
import SQLKit

/// What a dashboard shows beside the period: the filters of the LF seed.
public struct DashboardFilter: Sendable, Equatable {
    public var period: DashboardPeriod
    public var customerId: Int?
    public var objectId: Int?
    public var caseTypeId: Int?
    /// Work-order and article-row dashboards (M024's tables).
    public var workOrderType: String?
    public var actionCode: String?
    public var articleType: String?

    public init(period: DashboardPeriod, customerId: Int? = nil, objectId: Int? = nil, caseTypeId: Int? = nil) {
        self.period = period
        self.customerId = customerId
        self.objectId = objectId
        self.caseTypeId = caseTypeId
    }
}

/// One bar of a dashboard: a group (a customer, object, case type — `key` nil for "none") and its figures.
public struct DashboardRow: Sendable, Equatable {
    public var key: Int?
    public var label: String?
    public var count: Int
    /// Groups named by a stored text (a work-order type, an action code, an article type): that text.
    public var textKey: String? = nil
    /// Article rows: the sum of the rows' net amounts (ex VAT) and gross amounts, in minor units.
    public var netMinor: Int? = nil
    public var grossMinor: Int? = nil
    /// Lead-time dashboards: the median and the 90th percentile in seconds (nearest rank, `NearestRank`).
    public var median: Double?
    public var p90: Double?
}

/// The B11 dashboards' figures, every one a GROUP BY in the database over the cases the viewer may see
/// (`CaseVisibilitySQL`, the same predicate as the case list; staff pass nil and see every case), inside
/// the period — a bounded range on an indexed time column (`cases_created`, `cases_closed_at`). Nothing
/// here reads case rows into Swift; each answer is at most `groupLimit` rows.
public struct Dashboards: Sendable {
    let database: any Database
    public init(database: any Database) { self.database = database }

    public enum Dimension: String, Sendable, CaseIterable {
        case customer, object, caseType
        var column: String {
            switch self {
            case .customer: "c.customer_id"
            case .object: "c.object_id"
            case .caseType: "c.case_type_id"
            }
        }
        var nameJoin: String {
            switch self {
            case .customer: "customers"
            case .object: "objects"
            case .caseType: "case_types"
            }
        }
    }

    /// The most groups a breakdown lists (largest first); the rest are summed by the page as "others".
    public static let groupLimit = 200

    /// Unix seconds of a `created_at` (a `.datetime`: a float on SQLite, timestamptz on PostgreSQL).
    static func epoch(_ column: String, dialect: String) -> SQLQueryString {
        dialect == "postgresql" ? "CAST(EXTRACT(EPOCH FROM \(unsafeRaw: column)) AS DOUBLE PRECISION)" : "\(unsafeRaw: column)"
    }

    func conditions(_ visibility: CaseVisibility?, _ filter: DashboardFilter, dialect: String,
                    closed: Bool) -> SQLQueryString {
        var parts: [SQLQueryString] = []
        if let visibility { parts.append(CaseVisibilitySQL.predicate(visibility, dialect: dialect)) }
        if closed {
            parts.append("c.closed_at >= \(bind: filter.period.from.timeIntervalSince1970)")
            parts.append("c.closed_at < \(bind: filter.period.to.timeIntervalSince1970)")
            parts.append("c.status = \(bind: CaseStatus.closed.rawValue)")
        } else {
            parts.append("c.created_at >= \(bind: filter.period.from)")
            parts.append("c.created_at < \(bind: filter.period.to)")
        }
        if let id = filter.customerId { parts.append("c.customer_id = \(bind: id)") }
        if let id = filter.objectId { parts.append("c.object_id = \(bind: id)") }
        if let id = filter.caseTypeId { parts.append("c.case_type_id = \(bind: id)") }
        return parts.joined(separator: " AND ")
    }

    /// `CASE WHEN t < start1 THEN 0 WHEN t < start2 THEN 1 … ELSE n-1 END`: the bucket of a time that is
    /// already inside the period, computed from the bucket starts Swift chose (same on both databases).
    func bucket(_ time: SQLQueryString, _ period: DashboardPeriod, seconds: Bool) -> SQLQueryString {
        guard period.starts.count > 1 else { return "0" }
        var parts: [SQLQueryString] = ["CASE"]
        for (index, start) in period.starts.dropFirst().enumerated() {
            parts.append(seconds ? " WHEN " + time + " < \(bind: start.timeIntervalSince1970) THEN \(unsafeRaw: String(index))"
                                 : " WHEN " + time + " < \(bind: start) THEN \(unsafeRaw: String(index))")
        }
        parts.append(" ELSE \(unsafeRaw: String(period.starts.count - 1)) END")
        return parts.joined()
    }

    struct CountRow: Decodable { var k: Int?; var n: Int }
    struct NameRow: Decodable { var id: Int; var name: String }

    /// Cases created in the period, per time bucket: one count per bucket (zero where none).
    public func casesByTime(_ visibility: CaseVisibility?, _ filter: DashboardFilter) async throws -> [Int] {
        let sql = try database.requireSQL()
        let rows = try await sql.raw("""
            SELECT \(bucket("c.created_at", filter.period, seconds: false)) AS k, COUNT(*) AS n FROM cases c
            WHERE \(conditions(visibility, filter, dialect: sql.dialect.name, closed: false))
            GROUP BY 1
            """).all(decoding: CountRow.self)
        var counts = Array(repeating: 0, count: filter.period.starts.count)
        for row in rows { if let k = row.k, counts.indices.contains(k) { counts[k] += row.n } }
        return counts
    }

    /// Cases created in the period per customer, object or case type, the largest first.
    public func cases(by dimension: Dimension, _ visibility: CaseVisibility?, _ filter: DashboardFilter) async throws -> [DashboardRow] {
        let sql = try database.requireSQL()
        let rows = try await sql.raw("""
            SELECT \(unsafeRaw: dimension.column) AS k, COUNT(*) AS n FROM cases c
            WHERE \(conditions(visibility, filter, dialect: sql.dialect.name, closed: false))
            GROUP BY \(unsafeRaw: dimension.column) ORDER BY n DESC, k LIMIT \(literal: Self.groupLimit)
            """).all(decoding: CountRow.self)
        let names = try await self.names(dimension, ids: rows.compactMap(\.k))
        return rows.map { DashboardRow(key: $0.k, label: $0.k.flatMap { names[$0] }, count: $0.n) }
    }

    struct LeadRow: Decodable { var k: Int?; var n: Int; var median: Double?; var p90: Double? }

    /// Lead times (closed − created) of cases closed in the period, per object, per time bucket of the
    /// closing or over all of them: count, median and 90th percentile by nearest rank, ranked in SQL with window functions.
    public enum LeadGrouping: Sendable { case object, time, all }

    public func leadTimes(by grouping: LeadGrouping, _ visibility: CaseVisibility?, _ filter: DashboardFilter) async throws -> [DashboardRow] {
        let sql = try database.requireSQL()
        let byObject = grouping == .object
        let key: SQLQueryString = switch grouping {
        case .object: "c.object_id"
        case .time: bucket("c.closed_at", filter.period, seconds: true)
        case .all: "0"
        }
        let lead: SQLQueryString = "c.closed_at - " + Self.epoch("c.created_at", dialect: sql.dialect.name)
        let rows = try await sql.raw("""
            SELECT k, MAX(n) AS n,
                   MAX(CASE WHEN rn = (50 * n + 99) / 100 THEN lead END) AS median,
                   MAX(CASE WHEN rn = (90 * n + 99) / 100 THEN lead END) AS p90
            FROM (
                SELECT k, lead, ROW_NUMBER() OVER (PARTITION BY k ORDER BY lead) AS rn, COUNT(*) OVER (PARTITION BY k) AS n
                FROM (SELECT \(key) AS k, \(lead) AS lead FROM cases c
                      WHERE \(conditions(visibility, filter, dialect: sql.dialect.name, closed: true))) closed
            ) ranked
            GROUP BY k ORDER BY n DESC, k LIMIT \(literal: Self.groupLimit)
            """).all(decoding: LeadRow.self)
        let names = byObject ? try await self.names(.object, ids: rows.compactMap(\.k)) : [:]
        return rows.map { DashboardRow(key: $0.k, label: $0.k.flatMap { names[$0] }, count: $0.n, median: $0.median, p90: $0.p90) }
    }

    /// The names of the groups shown (at most `groupLimit` ids, by primary key).
    func names(_ dimension: Dimension, ids: [Int]) async throws -> [Int: String] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await database.requireSQL().raw("""
            SELECT id, name FROM \(unsafeRaw: dimension.nameJoin) WHERE id IN (\(binds: ids))
            """).all(decoding: NameRow.self)
        return Dictionary(rows.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
    }

    // MARK: work orders and article rows (M024)

    /// What the work-order and article-row dashboards group by.
    public enum MoneyDimension: String, Sendable, CaseIterable {
        case customer, object, workOrderType, actionCode, articleType
        var column: String {
            switch self {
            case .customer: "c.customer_id"
            case .object: "c.object_id"
            case .workOrderType: "w.work_order_type"
            case .actionCode: "r.action_code"
            case .articleType: "r.article_type"
            }
        }
        public var isText: Bool { ![.customer, .object].contains(self) }
    }

    /// Rows of `table` (aliased `alias`, with `case_id` and `created_unix`) whose case the viewer may see,
    /// created in the period, with the filters that apply to it.
    func moneyConditions(_ visibility: CaseVisibility?, _ filter: DashboardFilter, alias: String, dialect: String) -> SQLQueryString {
        var parts: [SQLQueryString] = []
        if let visibility { parts.append(CaseVisibilitySQL.predicate(visibility, dialect: dialect)) }
        parts.append("\(unsafeRaw: alias).created_unix >= \(bind: Int(filter.period.from.timeIntervalSince1970))")
        parts.append("\(unsafeRaw: alias).created_unix < \(bind: Int(filter.period.to.timeIntervalSince1970))")
        if let id = filter.customerId { parts.append("c.customer_id = \(bind: id)") }
        if let id = filter.objectId { parts.append("c.object_id = \(bind: id)") }
        if alias == "w", let type = filter.workOrderType { parts.append("w.work_order_type = \(bind: type)") }
        if alias == "r", let code = filter.actionCode { parts.append("r.action_code = \(bind: code)") }
        if alias == "r", let type = filter.articleType { parts.append("r.article_type = \(bind: type)") }
        return parts.joined(separator: " AND ")
    }

    struct MoneyRow: Decodable { var k: Int?; var n: Int; var net: Int?; var gross: Int? }
    struct MoneyTextRow: Decodable { var k: String?; var n: Int; var net: Int?; var gross: Int? }

    /// Work orders (`alias` w) or article rows (r) per time bucket: count, and for rows the net and gross sums.
    public func moneyByTime(workOrders: Bool, _ visibility: CaseVisibility?, _ filter: DashboardFilter) async throws -> [DashboardRow] {
        let sql = try database.requireSQL()
        let alias = workOrders ? "w" : "r"
        let sums: SQLQueryString = workOrders ? "NULL AS net, NULL AS gross" : "CAST(SUM(r.net_minor) AS BIGINT) AS net, CAST(SUM(r.gross_minor) AS BIGINT) AS gross"
        let rows = try await sql.raw("""
            SELECT \(bucket("\(unsafeRaw: alias).created_unix", filter.period, seconds: true)) AS k, COUNT(*) AS n, \(sums)
            FROM \(unsafeRaw: workOrders ? "work_orders w" : "article_rows r") JOIN cases c ON c.id = \(unsafeRaw: alias).case_id
            WHERE \(moneyConditions(visibility, filter, alias: alias, dialect: sql.dialect.name))
            GROUP BY 1
            """).all(decoding: MoneyRow.self)
        var byBucket = Array(repeating: DashboardRow(key: nil, label: nil, count: 0, netMinor: workOrders ? nil : 0, grossMinor: workOrders ? nil : 0),
                             count: filter.period.starts.count)
        for (index, _) in byBucket.enumerated() { byBucket[index].key = index }
        for row in rows {
            guard let k = row.k, byBucket.indices.contains(k) else { continue }
            byBucket[k].count += row.n
            if !workOrders {
                byBucket[k].netMinor = (byBucket[k].netMinor ?? 0) + (row.net ?? 0)
                byBucket[k].grossMinor = (byBucket[k].grossMinor ?? 0) + (row.gross ?? 0)
            }
        }
        return byBucket
    }

    /// Work orders or article rows per group, the largest first (rows: by net amount).
    public func money(workOrders: Bool, by dimension: MoneyDimension, _ visibility: CaseVisibility?,
                      _ filter: DashboardFilter) async throws -> [DashboardRow] {
        let sql = try database.requireSQL()
        let alias = workOrders ? "w" : "r"
        let sums: SQLQueryString = workOrders ? "NULL AS net, NULL AS gross" : "CAST(SUM(r.net_minor) AS BIGINT) AS net, CAST(SUM(r.gross_minor) AS BIGINT) AS gross"
        let order: SQLQueryString = workOrders ? "n DESC" : "net DESC, n DESC"
        let query: SQLQueryString = """
            SELECT \(unsafeRaw: dimension.column) AS k, COUNT(*) AS n, \(sums)
            FROM \(unsafeRaw: workOrders ? "work_orders w" : "article_rows r") JOIN cases c ON c.id = \(unsafeRaw: alias).case_id
            WHERE \(moneyConditions(visibility, filter, alias: alias, dialect: sql.dialect.name))
            GROUP BY \(unsafeRaw: dimension.column) ORDER BY \(order), k LIMIT \(literal: Self.groupLimit)
            """
        if dimension.isText {
            return try await sql.raw(query).all(decoding: MoneyTextRow.self).map {
                DashboardRow(key: nil, label: $0.k, count: $0.n, textKey: $0.k, netMinor: $0.net, grossMinor: $0.gross)
            }
        }
        let rows = try await sql.raw(query).all(decoding: MoneyRow.self)
        let names = try await self.names(dimension == .customer ? .customer : .object, ids: rows.compactMap(\.k))
        return rows.map { DashboardRow(key: $0.k, label: $0.k.flatMap { names[$0] }, count: $0.n, netMinor: $0.net, grossMinor: $0.gross) }
    }
}
