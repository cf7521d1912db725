import Foundation

/// Fixed-point numbers as text, for `Money`, `Quantity` and `VATRate`: an Int holding the value
/// × 10^decimals. Reading and writing both go digit by digit — no Double, no locale formatter.
enum DecimalText {
    /// "1 234,5" with decimals 2 → 123450. Accepts "," or "." as the decimal mark, spaces (also
    /// no-break) as group separators, a leading "-" or "−". Refuses more decimals than allowed,
    /// a second mark, anything else, and values beyond 15 integer digits.
    static func parse(_ text: String, decimals: Int) -> Int? {
        var negative = false
        var integerDigits: [Int] = [], fractionDigits: [Int] = []
        var seenMark = false
        var characters = Array(text.trimmingCharacters(in: .whitespacesAndNewlines))
        if let first = characters.first, first == "-" || first == "\u{2212}" {
            negative = true
            characters.removeFirst()
        }
        for character in characters {
            switch character {
            case " ", "\u{00A0}", "\u{202F}":
                if seenMark { return nil }
            case ",", ".":
                if seenMark { return nil }
                seenMark = true
            default:
                guard let digit = character.wholeNumberValue, character.isASCII else { return nil }
                if seenMark { fractionDigits.append(digit) } else { integerDigits.append(digit) }
            }
        }
        guard !integerDigits.isEmpty || !fractionDigits.isEmpty else { return nil }
        guard fractionDigits.count <= decimals, integerDigits.count <= 15 else { return nil }
        var value = 0
        for digit in integerDigits { value = value * 10 + digit }
        for index in 0..<decimals { value = value * 10 + (index < fractionDigits.count ? fractionDigits[index] : 0) }
        return negative ? -value : value
    }

    /// 123450 with decimals 2 → "1 234,50" (sv/da/nb; no-break space groups) or "1,234.50" (en).
    /// Trailing zero decimals are dropped down to `minimumDecimals`.
    static func format(_ value: Int, decimals: Int, language: Language, minimumDecimals: Int) -> String {
        let (group, mark): (String, String) = language == .en ? (",", ".") : ("\u{00A0}", ",")
        let (integer, fraction) = split(value, decimals: decimals, minimumDecimals: minimumDecimals)
        var grouped = ""
        for (index, character) in integer.enumerated() {
            if index > 0, (integer.count - index) % 3 == 0 { grouped += group }
            grouped.append(character)
        }
        return (value < 0 ? "−" : "") + grouped + (fraction.isEmpty ? "" : mark + fraction)
    }

    /// "1234.50" (or trimmed "1234.5"): for form fields, CSV and tests.
    static func plain(_ value: Int, decimals: Int, trimmed: Bool = false) -> String {
        let (integer, fraction) = split(value, decimals: decimals, minimumDecimals: trimmed ? 0 : decimals)
        return (value < 0 ? "-" : "") + integer + (fraction.isEmpty ? "" : "." + fraction)
    }

    private static func split(_ value: Int, decimals: Int, minimumDecimals: Int) -> (String, String) {
        var scale = 1
        for _ in 0..<decimals { scale *= 10 }
        let magnitude = value.magnitude
        let integer = String(magnitude / UInt(scale))
        var fraction = String(magnitude % UInt(scale))
        fraction = String(repeating: "0", count: decimals - fraction.count) + fraction
        while fraction.count > minimumDecimals, fraction.hasSuffix("0") { fraction.removeLast() }
        return (integer, fraction)
    }
}
