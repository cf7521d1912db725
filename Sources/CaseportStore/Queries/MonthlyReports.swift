import CaseportCore
import FluentKit
import Foundation
import SQLKit

/// One stored monthly report (B12, M025).
public struct MonthlyReportRow: Codable, Sendable, Equatable {
    public var id: Int
    public var customerId: Int
    public var customerName: String
    public var month: String
    public var storageKey: String
    public var byteSize: Int
    public var caseCount: Int
    public var createdAt: Double
}

/// A case as the monthly report lists it.
public struct MonthlyReportCase: Codable, Sendable, Equatable {
    public var number: Int
    public var subject: String
    public var status: CaseStatus
    public var createdAt: Date
    public var objectName: String?
    /// Seconds from creation to closing, for cases closed in the month.
    public var leadTime: Double?
}

/// Which customers get monthly reports, the reports kept, and what a month held for a customer.
public struct MonthlyReports: Sendable {
    let database: any Database
    public init(database: any Database) { self.database = database }

    private var sql: any SQLDatabase { get throws { try database.requireSQL() } }

    // MARK: switched on per customer

    /// nil when reports are off for the customer; else whether an empty month is still mailed.
    public func subscription(customerId: Int) async throws -> Bool? {
        struct Row: Decodable { var mail_when_empty: Bool }
        return try await sql.raw("SELECT mail_when_empty FROM monthly_report_customers WHERE customer_id = \(bind: customerId)")
            .first(decoding: Row.self)?.mail_when_empty
    }

    /// Switches reports on (with the empty-month choice) or off; returns whether anything changed.
    @discardableResult
    public func set(customerId: Int, on: Bool, mailWhenEmpty: Bool, at now: Date, on db: any Database) async throws -> Bool {
        let sql = try db.requireSQL()
        struct Row: Decodable { var customer_id: Int }
        let current = try await MonthlyReports(database: db).subscription(customerId: customerId)
        if !on {
            guard current != nil else { return false }
            try await sql.raw("DELETE FROM monthly_report_customers WHERE customer_id = \(bind: customerId)").run()
            return true
        }
        if let current {
            guard current != mailWhenEmpty else { return false }
            try await sql.raw("UPDATE monthly_report_customers SET mail_when_empty = \(bind: mailWhenEmpty) WHERE customer_id = \(bind: customerId)").run()
            return true
        }
        try await sql.raw("""
            INSERT INTO monthly_report_customers (customer_id, switched_on_at, mail_when_empty)
            VALUES (\(bind: customerId), \(bind: now.timeIntervalSince1970), \(bind: mailWhenEmpty))
            """).run()
        return true
    }

    /// The active customers with reports on, by id (after `after`, at most `limit`: the job pages through them).
    public func customersOn(after: Int = 0, limit: Int = 500) async throws -> [(id: Int, name: String, mailWhenEmpty: Bool)] {
        struct Row: Decodable { var id: Int; var name: String; var mail_when_empty: Bool }
        return try await sql.raw("""
            SELECT cu.id, cu.name, m.mail_when_empty FROM monthly_report_customers m JOIN customers cu ON cu.id = m.customer_id
            WHERE cu.is_active = \(true) AND cu.id > \(bind: after) ORDER BY cu.id LIMIT \(literal: limit)
            """).all(decoding: Row.self).map { ($0.id, $0.name, $0.mail_when_empty) }
    }

    // MARK: the reports

    static let columns: SQLQueryString = """
        r.id, r.customer_id, cu.name AS customer_name, r.month, r.storage_key, r.byte_size, r.case_count, r.created_at
        FROM monthly_reports r JOIN customers cu ON cu.id = r.customer_id
        """

    public func find(customerId: Int, month: String) async throws -> MonthlyReportRow? {
        try await sql.raw("SELECT " + Self.columns + " WHERE r.customer_id = \(bind: customerId) AND r.month = \(bind: month)")
            .first(decoding: MonthlyReportRow.self, with: .init(keyDecodingStrategy: .convertFromSnakeCase))
    }

    /// A report among those of `customerIds` (the portal's access rule, `MonthlyReportAccess`); nil otherwise.
    public func find(id: Int, customerIds: Set<Int>?) async throws -> MonthlyReportRow? {
        if let customerIds, customerIds.isEmpty { return nil }
        var query: SQLQueryString = "SELECT " + Self.columns + " WHERE r.id = \(bind: id)"
        if let customerIds { query = query + " AND r.customer_id IN (\(binds: customerIds.sorted()))" }
        return try await sql.raw(query).first(decoding: MonthlyReportRow.self, with: .init(keyDecodingStrategy: .convertFromSnakeCase))
    }

    /// The newest reports of these customers first (the portal's "Reports" page; staff: one customer).
    public func list(customerIds: Set<Int>, limit: Int = 120) async throws -> [MonthlyReportRow] {
        guard !customerIds.isEmpty else { return [] }
        return try await sql.raw("""
            SELECT \(Self.columns) WHERE r.customer_id IN (\(binds: customerIds.sorted()))
            ORDER BY r.month DESC, cu.name, r.id LIMIT \(literal: limit)
            """).all(decoding: MonthlyReportRow.self, with: .init(keyDecodingStrategy: .convertFromSnakeCase))
    }

    /// Adds the month's report; false (nothing written) when the customer already has one for that month.
    public func insert(customerId: Int, month: String, storageKey: String, byteSize: Int, caseCount: Int, at now: Date,
                       on db: any Database) async throws -> Int? {
        struct Row: Decodable { var id: Int }
        return try await db.requireSQL().raw("""
            INSERT INTO monthly_reports (customer_id, month, storage_key, byte_size, case_count, created_at)
            VALUES (\(bind: customerId), \(bind: month), \(bind: storageKey), \(bind: byteSize), \(bind: caseCount), \(bind: now.timeIntervalSince1970))
            ON CONFLICT (customer_id, month) DO NOTHING RETURNING id
            """).first(decoding: Row.self)?.id
    }

    /// Points an existing report at new bytes (staff regenerated the month); returns the old storage key.
    public func replace(id: Int, storageKey: String, byteSize: Int, caseCount: Int, at now: Date, on db: any Database) async throws -> String? {
        struct Row: Decodable { var storage_key: String }
        let old = try await db.requireSQL().raw("SELECT storage_key FROM monthly_reports WHERE id = \(bind: id)").first(decoding: Row.self)
        try await db.requireSQL().raw("""
            UPDATE monthly_reports SET storage_key = \(bind: storageKey), byte_size = \(bind: byteSize), case_count = \(bind: caseCount),
                   created_at = \(bind: now.timeIntervalSince1970) WHERE id = \(bind: id)
            """).run()
        return old?.storage_key
    }

    // MARK: what a month held

    /// The customer's cases: its own and those on its objects (the LF seed's customer scope).
    public static func visibility(customerId: Int) -> CaseVisibility {
        CaseVisibility(customerIds: [customerId], objectOwnerIds: [customerId])
    }

    /// The most cases a report lists one by one (a larger month is counted in full, listed up to this).
    public static let listLimit = 2_000

    /// Cases created in the month, oldest first (at most `listLimit`), and their number.
    public func casesCreated(customerId: Int, month: ReportMonth) async throws -> (cases: [MonthlyReportCase], total: Int) {
        try await cases(customerId: customerId, month: month, closed: false)
    }

    /// Cases closed in the month with their lead times, oldest closing first.
    public func casesClosed(customerId: Int, month: ReportMonth) async throws -> (cases: [MonthlyReportCase], total: Int) {
        try await cases(customerId: customerId, month: month, closed: true)
    }

    func cases(customerId: Int, month: ReportMonth, closed: Bool) async throws -> (cases: [MonthlyReportCase], total: Int) {
        let sql = try self.sql
        let filter = DashboardFilter(period: month.period)
        let dashboards = Dashboards(database: database)
        let condition = dashboards.conditions(Self.visibility(customerId: customerId), filter, dialect: sql.dialect.name, closed: closed)
        struct Count: Decodable { var n: Int }
        let total = try await sql.raw("SELECT COUNT(*) AS n FROM cases c WHERE " + condition).first(decoding: Count.self)?.n ?? 0
        let lead: SQLQueryString = closed ? "c.closed_at - " + Dashboards.epoch("c.created_at", dialect: sql.dialect.name) : "NULL"
        let order: SQLQueryString = closed ? "c.closed_at, c.id" : "c.created_at, c.id"
        let rows = try await sql.raw("""
            SELECT c.number, c.subject, c.status, c.created_at, o.name AS object_name, \(lead) AS lead_time
            FROM cases c LEFT JOIN objects o ON o.id = c.object_id
            WHERE \(condition) ORDER BY \(order) LIMIT \(literal: Self.listLimit)
            """).all(decoding: MonthlyReportCase.self, with: .init(keyDecodingStrategy: .convertFromSnakeCase))
        return (rows, total)
    }

    /// Who is mailed a customer's report: active, not removed portal users with an address who may read it
    /// (`MonthlyReportAccess`): users whose contact is linked to the customer, and its invoice-customer logins.
    public func recipients(customerId: Int) async throws -> [(email: String, language: String?)] {
        struct Row: Decodable { var email: String; var language: String? }
        return try await sql.raw("""
            SELECT u.email, u.language FROM portal_users u
            WHERE u.is_active = \(true) AND u.removed_at IS NULL AND u.email IS NOT NULL AND u.email <> ''
              AND ((u.login_kind = \(bind: PortalLoginKind.contact.rawValue)
                    AND u.contact_id IN (SELECT l.contact_id FROM contact_customers l WHERE l.customer_id = \(bind: customerId)))
                OR (u.login_kind = \(bind: PortalLoginKind.invoiceCustomer.rawValue) AND u.organisation_id = \(bind: customerId)))
            ORDER BY u.id
            """).all(decoding: Row.self).map { ($0.email, $0.language) }
    }
}
