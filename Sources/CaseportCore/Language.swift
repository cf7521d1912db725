import Foundation

/// The portal's languages (SPEC A3). The raw value is the BCP 47 code used in URLs, cookies and files.
public enum Language: String, Codable, Sendable, CaseIterable {
    case sv, da, nb, en

    public static let fallback: Language = .sv

    /// The language's own name, shown in the switch beside its flag (`flag`): the name says the language.
    public var nativeName: String {
        switch self {
        case .sv: return "Svenska"
        case .da: return "Dansk"
        case .nb: return "Norsk"
        case .en: return "English"
        }
    }

    public var locale: Locale {
        switch self {
        case .sv: return Locale(identifier: "sv_SE")
        case .da: return Locale(identifier: "da_DK")
        case .nb: return Locale(identifier: "nb_NO")
        case .en: return Locale(identifier: "en_GB")
        }
    }

    /// Picks the best supported language from an `Accept-Language` header, honouring q-values.
    /// Norwegian "no" and "nn" are served in Bokmål.
    public static func best(fromAcceptLanguage header: String?) -> Language? {
        guard let header, !header.isEmpty else { return nil }
        var ranked: [(Language, Double, Int)] = []
        for (index, part) in header.split(separator: ",").prefix(20).enumerated() {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first?.lowercased() else { continue }
            var quality = 1.0
            for parameter in pieces.dropFirst() where parameter.hasPrefix("q=") {
                quality = Double(parameter.dropFirst(2)) ?? 0
            }
            let primary = tag.split(separator: "-").first.map(String.init) ?? tag
            let language: Language?
            switch primary {
            case "no", "nn", "nb": language = .nb
            default: language = Language(rawValue: primary)
            }
            if let language, quality > 0 { ranked.append((language, quality, index)) }
        }
        return ranked.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.2 < $1.2 }.first?.0
    }

    /// Date and time as people of this language write them (e.g. 2026-11-23 14:05 in Swedish,
    /// 23.11.2026 14.05 in Danish), in the deployment's time zone.
    public func formatDateTime(_ date: Date, timeZone: TimeZone = .current) -> String {
        // Written out by hand from calendar fields: a DateFormatter per call cost a fifth of a case
        // list's time, and these four patterns need nothing a formatter adds.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        let (year, month, day) = (parts.year ?? 0, parts.month ?? 1, parts.day ?? 1)
        let (hour, minute) = (parts.hour ?? 0, parts.minute ?? 0)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        switch self {
        case .sv: return "\(year)-\(two(month))-\(two(day)) \(two(hour)):\(two(minute))"
        case .da: return "\(two(day)).\(two(month)).\(year) \(two(hour)).\(two(minute))"
        case .nb: return "\(two(day)).\(two(month)).\(year) \(two(hour)):\(two(minute))"
        case .en:
            let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
            return "\(day) \(months[max(0, min(11, month - 1))]) \(year) \(two(hour)):\(two(minute))"
        }
    }
}
