import Foundation

/// The four dashboards of the LF seed (B11). Work orders and article rows read the money tables of
/// issue 14 points 1–2 (M024).
public enum DashboardKind: String, CaseIterable, Sendable, Codable {
    case cases
    case workOrders = "work-orders"
    case leadTimes = "lead-times"
    case articleRows = "article-rows"

    /// The dashboards this build can draw.
    public static let available: [DashboardKind] = [.cases, .workOrders, .leadTimes, .articleRows]
}

/// The three scopes of the LF seed for a contact user: "all cases the user's contact is linked to", "all
/// cases on objects the contact is linked to, whatever the customer", "all cases of customers the contact
/// is linked to, whatever the object". Each is a part of the contact's A7 visibility, so a scope never
/// shows a case the case list would not.
public enum DashboardScope: String, CaseIterable, Sendable, Codable {
    case mine, objects, customers

    public func visibility(_ links: ContactLinks) -> CaseVisibility {
        switch self {
        case .mine: CaseVisibility(contactId: links.contactId)
        case .objects: CaseVisibility(objectIds: links.objectIds)
        // The contact's A7 customer branch: the customers' cases and every case on their objects.
        case .customers: CaseVisibility(customerIds: links.customerIds, objectOwnerIds: links.customerIds)
        }
    }

    /// The scopes worth offering: "objects" only with object links, "customers" only with customer links.
    public static func offered(_ links: ContactLinks) -> [DashboardScope] {
        var scopes: [DashboardScope] = [.mine]
        if !links.objectIds.isEmpty { scopes.append(.objects) }
        if !links.customerIds.isEmpty { scopes.append(.customers) }
        return scopes
    }

    /// The default: the widest scope the contact has.
    public static func preferred(_ links: ContactLinks) -> DashboardScope { offered(links).last ?? .mine }
}

/// The period a dashboard covers, [from, to), cut into time buckets: whole weeks (Monday first) for
/// periods up to 100 days, else calendar months; days in the server's time zone, like `CalendarDay`.
public struct DashboardPeriod: Sendable, Equatable {
    public var from: Date
    public var to: Date
    /// Bucket starts; bucket i is [starts[i], starts[i+1]) and the last ends at `to`.
    public var starts: [Date]
    public var monthly: Bool

    /// At most two years, so a period is always a bounded scan.
    public static let longest: TimeInterval = 731 * 86_400

    public static var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        calendar.firstWeekday = 2
        calendar.minimumDaysInFirstWeek = 4
        return calendar
    }

    /// The default period: the three months up to and including today.
    public static func lastThreeMonths(now: Date) -> DashboardPeriod {
        let calendar = Self.calendar
        let tomorrow = calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: now))!
        let from = calendar.date(byAdding: .month, value: -3, to: tomorrow)!
        return DashboardPeriod(from: from, to: tomorrow)
    }

    /// From the first day to the last day, both included (yyyy-mm-dd); nil when either is not a day,
    /// the order is wrong or the period is longer than `longest`.
    public static func days(from first: String, to last: String) -> DashboardPeriod? {
        guard let from = CalendarDay.parse(first), let lastDay = CalendarDay.parse(last), from <= lastDay else { return nil }
        let to = calendar.date(byAdding: .day, value: 1, to: lastDay)!
        guard to.timeIntervalSince(from) <= longest else { return nil }
        return DashboardPeriod(from: from, to: to)
    }

    public init(from: Date, to: Date) {
        self.from = from
        self.to = to
        let calendar = Self.calendar
        monthly = to.timeIntervalSince(from) > 100 * 86_400
        var starts = [from]
        var next: Date
        if monthly {
            next = calendar.date(from: calendar.dateComponents([.year, .month], from: from))!
        } else {
            next = calendar.date(from: calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: from))!
        }
        while true {
            next = calendar.date(byAdding: monthly ? .month : .weekOfYear, value: 1, to: next)!
            guard next < to else { break }
            if next > from { starts.append(next) }
        }
        self.starts = starts
    }

    /// The first and last day, yyyy-mm-dd (for the form).
    public var firstDay: String { Self.iso(from) }
    public var lastDay: String { Self.iso(Self.calendar.date(byAdding: .day, value: -1, to: to)!) }

    static func iso(_ date: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    /// The bucket's first day, yyyy-mm-dd, or yyyy-mm for monthly buckets.
    public func label(ofBucket index: Int) -> String {
        monthly ? String(Self.iso(starts[index]).prefix(7)) : Self.iso(starts[index])
    }
}

/// Percentiles by the nearest-rank method: the p-th percentile of n sorted values is the value at rank
/// ⌈p·n/100⌉ (1-based). The median is the 50th percentile, so of an even count it is the lower middle
/// value — always a lead time that happened, never an average of two. The SQL computes the same ranks.
public enum NearestRank {
    public static func rank(percent: Int, of count: Int) -> Int { (percent * count + 99) / 100 }

    public static func percentile(_ percent: Int, of values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        return values.sorted()[rank(percent: percent, of: values.count) - 1]
    }
}

/// Whose monthly reports (B12) a portal viewer may read: a report covers every case of one customer, so
/// only viewers who see all of that customer's cases — a contact linked to the customer (the LF seed's
/// customer scope) and the customer's invoice-customer login. Object logins and object-linked contacts see
/// only part of a customer's cases, so none of its reports.
public enum MonthlyReportAccess {
    public static func customerIds(for viewer: PortalViewer) -> Set<Int> {
        switch viewer {
        case .contactUser(contact: let links?): links.customerIds
        case .invoiceCustomer(let customerId): [customerId]
        case .contactUser(contact: nil), .object, .disabled: []
        }
    }
}

/// A report month, "yyyy-mm", and its bounds in the server's time zone.
public struct ReportMonth: Sendable, Hashable, Comparable {
    public var year: Int
    public var month: Int

    public init?(year: Int, month: Int) {
        guard (2000...9999).contains(year), (1...12).contains(month) else { return nil }
        self.year = year
        self.month = month
    }

    public init?(_ text: String) {
        let parts = text.split(separator: "-")
        guard text.count == 7, parts.count == 2, let year = Int(parts[0]), let month = Int(parts[1]) else { return nil }
        self.init(year: year, month: month)
    }

    /// The month before the one `now` falls in: what the job reports on.
    public static func previous(to now: Date) -> ReportMonth {
        let calendar = DashboardPeriod.calendar
        let c = calendar.dateComponents([.year, .month], from: calendar.date(byAdding: .month, value: -1, to: now)!)
        return ReportMonth(year: c.year!, month: c.month!)!
    }

    public var text: String { String(format: "%04d-%02d", year, month) }
    public var start: Date { DashboardPeriod.calendar.date(from: DateComponents(year: year, month: month, day: 1))! }
    public var end: Date { DashboardPeriod.calendar.date(byAdding: .month, value: 1, to: start)! }
    public var period: DashboardPeriod { DashboardPeriod(from: start, to: end) }

    public static func < (a: ReportMonth, b: ReportMonth) -> Bool { (a.year, a.month) < (b.year, b.month) }
}
