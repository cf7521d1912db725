import Foundation

/// A day typed as yyyy-mm-dd (filters, date fields of a case type), read in the server's time zone.
public enum CalendarDay {
    public static func parse(_ text: String) -> Date? {
        guard text.count == 10 else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = .current
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.date(from: text)
    }
}
