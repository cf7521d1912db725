import CaseportCore
import FluentKit
import Foundation
import SQLKit

/// The staff start page's rows from seed 002 ("Sager med påmindelser til sagsbehandleren…"): which
/// cases want the back office's attention, and why. Each row is counted with an index behind it and
/// lists at most `limit` cases (newest first):
/// - the reminders on the handler's own cases and on cases nobody handles, today (or overdue), tomorrow,
///   later (`claim_details_reminder`);
/// - tasks waiting for a supplier's answer (`claim_tasks_awaiting`);
/// - documents suppliers sent that nobody has reviewed (`files_supplier_review`);
/// - invoice specifications waiting for the customer's approval (`invoice_specifications_state`);
/// - customer activity (D4), split into "customer contact" (unread messages) and "documents" (unread
///   uploads), read from the cases marked unread (`has_unread_activity`) and their messages and files
///   after `staff_read_at` (`case_messages_case`, `files_case`).
public struct ClaimAttention: Sendable {
    public enum Row: String, Sendable, CaseIterable {
        case remindersToday = "reminders_today", remindersTomorrow = "reminders_tomorrow", remindersLater = "reminders_later"
        case awaitingSupplier = "awaiting_supplier", supplierUploads = "supplier_uploads", invoicesWaiting = "invoices_waiting"
        case customerContact = "customer_contact", customerDocuments = "customer_documents"
    }

    let database: any Database
    /// The start of today in the deployment's time zone, and the two days after it.
    let today: Date, tomorrow: Date, dayAfter: Date

    public init(database: any Database, now: Date, timeZone: TimeZone = .current) {
        self.database = database
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        today = calendar.startOfDay(for: now)
        tomorrow = calendar.date(byAdding: .day, value: 1, to: today)!
        dayAfter = calendar.date(byAdding: .day, value: 2, to: today)!
    }

    /// How many cases each row has (the reminders: `staffId`'s cases and unassigned ones), each count stopping at `cap` + 1.
    public func counts(staffId: Int, cap: Int = 999) async throws -> [Row: Int] {
        var counts: [Row: Int] = [:]
        for row in Row.allCases { counts[row] = try await caseIds(row, staffId: staffId, limit: cap + 1).count }
        return counts
    }

    /// The case ids of one row, at most `limit`.
    public func caseIds(_ row: Row, staffId: Int, limit: Int = 200) async throws -> [Int] {
        let sql = try database.requireSQL()
        switch row {
        case .remindersToday, .remindersTomorrow, .remindersLater:
            let query = sql.select().column(SQLColumn("case_id", table: "d")).from(SQLAlias(SQLIdentifier("claim_details"), as: SQLIdentifier("d")))
                .join(SQLAlias(SQLIdentifier("cases"), as: SQLIdentifier("c")), on: SQLColumn("id", table: "c"), .equal, SQLColumn("case_id", table: "d"))
                .where { group in
                    group.where(SQLColumn("handler_id", table: "c"), .equal, SQLBind(staffId))
                        .orWhere(SQLColumn("handler_id", table: "c"), .is, SQLLiteral.null)
                }
                .where(SQLColumn("reminder_on", table: "d"), .isNot, SQLLiteral.null)
            switch row {
            case .remindersToday: query.where(SQLColumn("reminder_on", table: "d"), .lessThan, SQLBind(tomorrow))
            case .remindersTomorrow:
                query.where(SQLColumn("reminder_on", table: "d"), .greaterThanOrEqual, SQLBind(tomorrow))
                    .where(SQLColumn("reminder_on", table: "d"), .lessThan, SQLBind(dayAfter))
            default: query.where(SQLColumn("reminder_on", table: "d"), .greaterThanOrEqual, SQLBind(dayAfter))
            }
            return try await query.orderBy(SQLColumn("reminder_on", table: "d")).limit(limit).all()
                .map { try $0.decode(column: "case_id", as: Int.self) }
        case .awaitingSupplier:
            return try await distinctCases(sql.select().distinct().column("case_id").from("claim_tasks")
                .where("awaiting_supplier", .equal, SQLBind(true))
                .where("state", .notEqual, SQLBind(ClaimTaskState.finished.rawValue)), limit: limit)
        case .supplierUploads:
            return try await distinctCases(sql.select().distinct().column("case_id").from("files")
                .where("supplier_id", .isNot, SQLLiteral.null).where("reviewed_at", .is, SQLLiteral.null)
                .where("removed_at", .is, SQLLiteral.null).where("case_id", .isNot, SQLLiteral.null), limit: limit)
        case .invoicesWaiting:
            return try await distinctCases(sql.select().distinct().column(SQLColumn("case_id", table: "r"))
                .from(SQLAlias(SQLIdentifier("specification_rows"), as: SQLIdentifier("r")))
                .join(SQLAlias(SQLIdentifier("invoice_specifications"), as: SQLIdentifier("s")),
                      on: SQLColumn("id", table: "s"), .equal, SQLColumn("specification_id", table: "r"))
                .where(SQLColumn("state", table: "s"), .equal, SQLBind(SpecificationState.waiting.rawValue)), limit: limit)
        case .customerContact, .customerDocuments:
            return try await unread(row == .customerContact, limit: limit)
        }
    }

    private func distinctCases(_ query: SQLSelectBuilder, limit: Int) async throws -> [Int] {
        try await query.orderBy("case_id", .descending).limit(limit).all().map { try $0.decode(column: "case_id", as: Int.self) }
    }

    /// Cases marked unread whose newest customer message (`messages`) or upload came after the case
    /// was last marked read. A customer's upload also writes a line as the customer with a text key;
    /// those lines are documents, not contact.
    private func unread(_ messages: Bool, limit: Int) async throws -> [Int] {
        let cases = try await CaseRecord.query(on: database).filter(\.$hasUnreadActivity == true)
            .sort(\.$lastActivityAt, .descending).limit(max(limit, 1_000)).all()
        guard !cases.isEmpty else { return [] }
        let readAt = Dictionary(cases.map { ($0.id!, $0.staffReadAt) }, uniquingKeysWith: { first, _ in first })
        let sql = try database.requireSQL()
        let ids = cases.map { SQLBind($0.id!) }
        let latest: [Int: Date]
        if messages {
            latest = try await newest(sql.select().column("case_id").column(SQLFunction("MAX", args: SQLColumn("created_at")), as: "latest")
                .from("case_messages").where("case_id", .in, SQLGroupExpression(ids))
                .where("author_kind", .equal, SQLBind(MessageAuthorKind.customer.rawValue))
                .where("is_internal", .equal, SQLBind(false)).where("text_key", .is, SQLLiteral.null).groupBy("case_id"))
        } else {
            latest = try await newest(sql.select().column("case_id").column(SQLFunction("MAX", args: SQLColumn("created_at")), as: "latest")
                .from("files").where("case_id", .in, SQLGroupExpression(ids))
                .where("uploaded_by_staff_id", .is, SQLLiteral.null).where("removed_at", .is, SQLLiteral.null).groupBy("case_id"))
        }
        return cases.compactMap { record -> Int? in
            guard let id = record.id, let newest = latest[id] else { return nil }
            if let read = readAt[id] ?? nil, newest.timeIntervalSince1970 <= read { return nil }
            return id
        }.prefix(limit).map { $0 }
    }

    private func newest(_ query: SQLSelectBuilder) async throws -> [Int: Date] {
        var result: [Int: Date] = [:]
        for row in try await query.all() {
            let id = try row.decode(column: "case_id", as: Int.self)
            if let date = try? row.decode(column: "latest", as: Date.self) {
                result[id] = date
            } else if let seconds = try? row.decode(column: "latest", as: Double.self) {
                result[id] = Date(timeIntervalSince1970: seconds)
            }
        }
        return result
    }
}
