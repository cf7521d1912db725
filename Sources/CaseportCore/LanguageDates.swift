import Foundation

/// A3: "the choice of language also sets the date format". A day is stored and sent in URLs as
/// yyyy-mm-dd (`CalendarDay`); people read and type it as their language writes it. Parsing accepts
/// the language's own form and yyyy-mm-dd (what a bookmark or another language's link carries).
extension Language {
    /// How the language writes a day, as the hint beside a date input says it.
    public var dayPatternKey: String { "date_pattern_\(rawValue)" }

    /// "2026-12-04" (sv), "04.12.2026" (da, nb), "04/12/2026" (en) for the ISO day `iso`; a value that is
    /// not an ISO day is returned as it is (an old free-text value stays readable).
    public func formatDay(_ iso: String) -> String {
        guard let (year, month, day) = Self.isoParts(iso) else { return iso }
        return formatDay(year: year, month: month, day: day)
    }

    func formatDay(year: Int, month: Int, day: Int) -> String {
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let y = String(year)
        switch self {
        case .sv: return "\(y)-\(two(month))-\(two(day))"
        case .da, .nb: return "\(two(day)).\(two(month)).\(y)"
        case .en: return "\(two(day))/\(two(month))/\(y)"
        }
    }

    /// The ISO day (yyyy-mm-dd) of a day typed in this language's form or as yyyy-mm-dd; nil when it is
    /// neither or not a real day (31.02.2026).
    public func parseDay(_ typed: String) -> String? {
        let text = typed.trimmingCharacters(in: .whitespaces)
        if let (year, month, day) = Self.isoParts(text) { return Self.iso(year, month, day) }
        let separator: Character
        switch self {
        case .sv: return nil
        case .da, .nb: separator = "."
        case .en: separator = "/"
        }
        let parts = text.split(separator: separator, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count <= 2, parts[1].count <= 2, parts[2].count == 4,
              let day = Int(parts[0]), let month = Int(parts[1]), let year = Int(parts[2]) else { return nil }
        return Self.iso(year, month, day)
    }

    static func isoParts(_ text: String) -> (Int, Int, Int)? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              iso(year, month, day) != nil else { return nil }
        return (year, month, day)
    }

    /// yyyy-mm-dd of a real day of the Gregorian calendar, or nil.
    static func iso(_ year: Int, _ month: Int, _ day: Int) -> String? {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1 else { return nil }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard day <= days else { return nil }
        func pad(_ n: Int, _ width: Int) -> String { String(repeating: "0", count: max(0, width - String(n).count)) + String(n) }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// The flag the seeds show beside each language in the switch (BS: "klicka på flagg-ikonen"); always
    /// next to the language's name, which is what screen readers announce (the flag is hidden from them).
    public var flag: String {
        switch self {
        case .sv: return "\u{1F1F8}\u{1F1EA}"
        case .da: return "\u{1F1E9}\u{1F1F0}"
        case .nb: return "\u{1F1F3}\u{1F1F4}"
        case .en: return "\u{1F1EC}\u{1F1E7}"
        }
    }
}
