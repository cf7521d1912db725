import Foundation

/// Amounts of money in integer minor units (öre, øre, cents): never floating point (issue 14, B8).
///
/// The rounding rule, in one place (`MoneyRounding`): a row's net amount is quantity × unit price,
/// rounded once to a whole minor unit, half away from zero; its VAT is that rounded net × the row's
/// rate, rounded the same way; its gross is net + VAT. Totals are the sums of the rounded rows, never
/// rounded again, so a total always equals the sum of the rows a reader sees.
public struct Money: Sendable, Hashable, Comparable, Codable {
    public var minor: Int

    public init(minor: Int) { self.minor = minor }

    public static let zero = Money(minor: 0)
    /// The largest price or amount accepted from a form: 100 million in major units. Keeps every
    /// product below in range of a 64-bit Int (checked again with overflow reporting).
    public static let largestTyped = 10_000_000_000

    public static func + (lhs: Money, rhs: Money) -> Money { Money(minor: lhs.minor + rhs.minor) }
    public static func - (lhs: Money, rhs: Money) -> Money { Money(minor: lhs.minor - rhs.minor) }
    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.minor < rhs.minor }

    /// A typed amount: digits with at most two decimals after "," or ".", spaces as thousands
    /// separators, an optional leading minus. "1 234,50" → 123450. Nil for anything else.
    public static func parse(_ text: String) -> Money? {
        guard let minor = DecimalText.parse(text, decimals: 2), abs(minor) <= largestTyped else { return nil }
        return Money(minor: minor)
    }

    /// As the language writes it, two decimals, without a currency: "1 234,50" (sv, da, nb: space
    /// groups and comma; en: comma groups and point).
    public func formatted(_ language: Language) -> String {
        DecimalText.format(minor, decimals: 2, language: language, minimumDecimals: 2)
    }

    /// The amount as plain text for forms and CSV: "1234.50" (point, no grouping).
    public var plain: String { DecimalText.plain(minor, decimals: 2) }
}

/// A quantity with at most three decimals, kept as thousandths (issue 14: "quantity, three decimals").
public struct Quantity: Sendable, Hashable, Comparable, Codable {
    public var milli: Int

    public init(milli: Int) { self.milli = milli }

    public static let one = Quantity(milli: 1000)
    /// At most a million units on one row.
    public static let largestTyped = 1_000_000_000

    public static func < (lhs: Quantity, rhs: Quantity) -> Bool { lhs.milli < rhs.milli }

    public static func parse(_ text: String) -> Quantity? {
        guard let milli = DecimalText.parse(text, decimals: 3), abs(milli) <= largestTyped else { return nil }
        return Quantity(milli: milli)
    }

    /// "1,5" / "2" / "0,125": as many decimals as it has, at most three.
    public func formatted(_ language: Language) -> String {
        DecimalText.format(milli, decimals: 3, language: language, minimumDecimals: 0)
    }

    public var plain: String { DecimalText.plain(milli, decimals: 3, trimmed: true) }
}

/// A VAT rate in basis points: 2500 = 25 %, 1200 = 12 %, 0 = exempt.
public struct VATRate: Sendable, Hashable, Codable {
    public var basisPoints: Int

    public init(basisPoints: Int) { self.basisPoints = basisPoints }

    public static let standard = VATRate(basisPoints: 2500)

    /// "25", "12,5", "6": a percentage with at most two decimals, 0–100.
    public static func parse(_ text: String) -> VATRate? {
        var cleaned = text.trimmingCharacters(in: .whitespaces)
        if cleaned.hasSuffix("%") { cleaned = String(cleaned.dropLast()) }
        guard let points = DecimalText.parse(cleaned, decimals: 2), (0...10_000).contains(points) else { return nil }
        return VATRate(basisPoints: points)
    }

    /// "25 %", "12,5 %".
    public func formatted(_ language: Language) -> String {
        DecimalText.format(basisPoints, decimals: 2, language: language, minimumDecimals: 0) + " %"
    }

    public var plain: String { DecimalText.plain(basisPoints, decimals: 2, trimmed: true) }
}
