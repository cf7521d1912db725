import Foundation

/// A time typed on a claim's back-office forms (incident, meeting with the customer, a task's start
/// and end): the day as the staff member's language writes it (`Language.parseDay`), a space and the
/// time as hh:mm (or hh.mm, as Danish writes it). Nothing typed is `.none`; anything else that is not
/// a real time is `.invalid`, which the operation turns into a problem beside the field.
public enum TypedTime: Sendable, Equatable {
    case none
    case at(Date)
    case invalid

    public init(_ typed: String?, language: Language, timeZone: TimeZone = .current) {
        let text = (typed ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { self = .none; return }
        self = ClaimTimeText.parse(text, language: language, timeZone: timeZone).map(TypedTime.at) ?? .invalid
    }

    public var date: Date? {
        if case .at(let date) = self { return date }
        return nil
    }
}

public enum ClaimTimeText {
    /// "04.12.2026 13:44" (da, nb), "2026-12-04 13:44" (sv), "04/12/2026 13:44" (en); also what a
    /// `datetime-local` input sends (yyyy-mm-ddThh:mm). A day without a time is midnight.
    public static func parse(_ text: String, language: Language, timeZone: TimeZone = .current) -> Date? {
        let normalized = text.replacingOccurrences(of: "T", with: " ")
        let parts = normalized.split(separator: " ", omittingEmptySubsequences: true)
        guard (1...2).contains(parts.count), let iso = language.parseDay(String(parts[0])),
              let (year, month, day) = Language.isoParts(iso) else { return nil }
        var hour = 0, minute = 0
        if parts.count == 2 {
            let clock = parts[1].split(omittingEmptySubsequences: false, whereSeparator: { $0 == ":" || $0 == "." })
            guard clock.count == 2, (1...2).contains(clock[0].count), clock[1].count == 2,
                  let h = Int(clock[0]), let m = Int(clock[1]), (0...23).contains(h), (0...59).contains(m) else { return nil }
            (hour, minute) = (h, m)
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute))
    }

    /// The value a form shows for a stored time, in the form `parse` reads back.
    public static func format(_ date: Date?, language: Language, timeZone: TimeZone = .current) -> String {
        guard let date else { return "" }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let day = language.formatDay(year: parts.year ?? 0, month: parts.month ?? 1, day: parts.day ?? 1)
        let separator = language == .da ? "." : ":"
        return "\(day) \(two(parts.hour ?? 0))\(separator)\(two(parts.minute ?? 0))"
    }

    /// The day only (the handler's reminder).
    public static func formatDay(_ date: Date?, language: Language, timeZone: TimeZone = .current) -> String {
        guard let date else { return "" }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return language.formatDay(year: parts.year ?? 0, month: parts.month ?? 1, day: parts.day ?? 1)
    }
}
