import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// What one customer's month held, for the report's PDF (B12): the cases created, the cases closed with
/// their lead times (median and 90th percentile by nearest rank, computed in SQL like the dashboard) and
/// the costs: the article rows booked in the month (M024), per article type.
public struct MonthlyReportContent: Sendable {
    public var customerName: String
    public var month: ReportMonth
    public var created: [MonthlyReportCase]
    public var createdTotal: Int
    public var closed: [MonthlyReportCase]
    public var closedTotal: Int
    public var medianLeadTime: Double?
    public var p90LeadTime: Double?
    /// The article rows booked in the month on the customer's cases, per article type (count, net, gross).
    public var costs: [DashboardRow]
    public var isEmpty: Bool { createdTotal == 0 && closedTotal == 0 && costs.isEmpty }
}

/// Turns a month's content into PDF bytes in a language (the web supplies the project's PDF writer).
public typealias MonthlyReportRenderer = @Sendable (MonthlyReportContent, Language) async throws -> [UInt8]

/// B12: one PDF per customer and month for the customers staff switched reports on for. The job runs on
/// one server at a time (`JobLock`, like the approval round) and reports on the month before the clock's;
/// a report that exists is never made again — the unique (customer, month) in `monthly_reports` is the
/// last word, so two runs (or two servers) make one report. A new report is mailed through the outbox to
/// each user who may read it (`MonthlyReports.recipients`) with a link to the portal's "Reports" page,
/// unless the month was empty and the customer's setting says not to mail empty months.
public enum MonthlyReportRound {
    /// Reports made in this round; nil when another server held the round.
    @discardableResult
    public static func run(render: @escaping MonthlyReportRenderer, storage: any FileStorage,
                           in context: OperationContext) async throws -> Int? {
        let month = ReportMonth.previous(to: context.now)
        let made = MadeCount()
        let ran = try await JobLock.run("monthly_reports", on: context.database) { db in
            let reports = MonthlyReports(database: db)
            var after = 0
            while true {
                let customers = try await reports.customersOn(after: after)
                guard let last = customers.last else { break }
                after = last.id
                for customer in customers where try await reports.find(customerId: customer.id, month: month.text) == nil {
                    if try await make(customerId: customer.id, customerName: customer.name, month: month,
                                      mailWhenEmpty: customer.mailWhenEmpty, render: render, storage: storage,
                                      db: db, context: context) {
                        made.add()
                    }
                }
            }
        }
        return ran ? made.value : nil
    }

    /// Reads what the customer's month held.
    public static func content(customerId: Int, customerName: String, month: ReportMonth, on db: any Database) async throws -> MonthlyReportContent {
        let reports = MonthlyReports(database: db)
        let created = try await reports.casesCreated(customerId: customerId, month: month)
        let closed = try await reports.casesClosed(customerId: customerId, month: month)
        let dashboards = Dashboards(database: db)
        let scope = MonthlyReports.visibility(customerId: customerId)
        let lead = try await dashboards.leadTimes(by: .all, scope, DashboardFilter(period: month.period)).first
        let costs = try await dashboards.money(workOrders: false, by: .articleType, scope, DashboardFilter(period: month.period))
        return MonthlyReportContent(customerName: customerName, month: month, created: created.cases, createdTotal: created.total,
                                    closed: closed.cases, closedTotal: closed.total, medianLeadTime: lead?.median, p90LeadTime: lead?.p90,
                                    costs: costs)
    }

    /// The report's language: its first recipient's, else the fallback.
    static func language(customerId: Int, on db: any Database) async throws -> Language {
        try await MonthlyReports(database: db).recipients(customerId: customerId).first?.language
            .flatMap(Language.init(rawValue:)) ?? .fallback
    }

    /// Makes, stores and records one report, and queues its mails; false when it already existed.
    static func make(customerId: Int, customerName: String, month: ReportMonth, mailWhenEmpty: Bool,
                     render: MonthlyReportRenderer, storage: any FileStorage, db: any Database,
                     context: OperationContext) async throws -> Bool {
        let content = try await content(customerId: customerId, customerName: customerName, month: month, on: db)
        let bytes = try await render(content, try await language(customerId: customerId, on: db))
        let key = storage.newKey()
        try await storage.put(key: key, bytes: bytes)
        let inserted = try await db.transaction { tx -> Bool in
            guard try await MonthlyReports(database: tx).insert(customerId: customerId, month: month.text, storageKey: key,
                                                                byteSize: bytes.count, caseCount: content.createdTotal,
                                                                at: context.now, on: tx) != nil
            else { return false }
            if !content.isEmpty || mailWhenEmpty {
                for recipient in try await MonthlyReports(database: tx).recipients(customerId: customerId) {
                    let language = recipient.language.flatMap(Language.init(rawValue:)) ?? .fallback
                    try await Notifications.monthlyReport(context.notifications, to: recipient.email, language: language,
                                                          customerName: customerName, month: month).create(on: tx)
                }
            }
            return true
        }
        // Someone else's report for the month won: ours is not kept.
        if !inserted { try? await storage.delete(key: key) }
        return inserted
    }
}

/// Counts inside the locked round's closure.
final class MadeCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

/// Staff act on a customer's monthly reports (B12): switch them on or off (with the empty-month choice),
/// and make a month's report now — new, or again over the one kept (regenerate), without mailing again.
public enum MonthlyReportSettings {
    public struct Input: Sendable {
        public var customerId: Int
        public var on: Bool
        public var mailWhenEmpty: Bool
        public init(customerId: Int, on: Bool, mailWhenEmpty: Bool) {
            self.customerId = customerId
            self.on = on
            self.mailWhenEmpty = mailWhenEmpty
        }
    }

    public enum Field: String, Sendable, Hashable { case on }

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Outcome<Bool, Field> {
        guard let customer = try await CustomerRecord.find(input.customerId, on: context.database) else { throw OperationError.notFound }
        let changed = try await context.database.transaction { tx -> Bool in
            let changed = try await MonthlyReports(database: tx).set(customerId: input.customerId, on: input.on,
                                                                      mailWhenEmpty: input.mailWhenEmpty, at: context.now, on: tx)
            if changed {
                try await context.audit(.masterDataChanged, by: actor.auditActor, subject: "customer \(customer.customerNumber)",
                                        details: input.on ? "monthly reports: on, mail empty months: \(input.mailWhenEmpty ? "yes" : "no")"
                                                          : "monthly reports: off", on: tx)
            }
            return changed
        }
        return .done(changed)
    }
}

public enum RegenerateMonthlyReport {
    public enum Field: String, Sendable, Hashable { case month }

    /// Makes (or makes again) the report of `month` for the customer; the month must be over.
    public static func run(customerId: Int, month text: String, render: @escaping MonthlyReportRenderer, storage: any FileStorage,
                           by actor: StaffActor, in context: OperationContext) async throws -> Outcome<Int, Field> {
        guard let customer = try await CustomerRecord.find(customerId, on: context.database) else { throw OperationError.notFound }
        var problems = Problems<Field>()
        guard let month = ReportMonth(text), month.end <= context.now else {
            problems.add(.month, "monthly_report_month_invalid")
            return .problems(problems)
        }
        let db = context.database
        let content = try await MonthlyReportRound.content(customerId: customerId, customerName: customer.name, month: month, on: db)
        let bytes = try await render(content, try await MonthlyReportRound.language(customerId: customerId, on: db))
        let key = storage.newKey()
        try await storage.put(key: key, bytes: bytes)
        let (id, oldKey) = try await db.transaction { tx -> (Int, String?) in
            let reports = MonthlyReports(database: tx)
            var result: (Int, String?)
            if let existing = try await reports.find(customerId: customerId, month: month.text) {
                let old = try await reports.replace(id: existing.id, storageKey: key, byteSize: bytes.count,
                                                    caseCount: content.createdTotal, at: context.now, on: tx)
                result = (existing.id, old)
            } else {
                guard let new = try await reports.insert(customerId: customerId, month: month.text, storageKey: key,
                                                         byteSize: bytes.count, caseCount: content.createdTotal,
                                                         at: context.now, on: tx)
                else { throw OperationError.alreadyDone }
                result = (new, nil)
            }
            try await context.audit(.masterDataChanged, by: actor.auditActor, subject: "customer \(customer.customerNumber)",
                                    details: "monthly report \(month.text) made", on: tx)
            return result
        }
        if let oldKey { try? await storage.delete(key: oldKey) }
        return .done(id)
    }
}
