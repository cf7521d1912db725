/// The one rounding rule for money (see `Money`): exact integer arithmetic, half away from zero.
public enum MoneyRounding {
    /// `numerator / denominator` rounded to the nearest integer, halves away from zero.
    /// `denominator` must be positive. Exact: no floating point anywhere.
    public static func divide(_ numerator: Int, by denominator: Int) -> Int {
        precondition(denominator > 0, "MoneyRounding.divide needs a positive denominator")
        let magnitude = numerator.magnitude
        let d = UInt(denominator)
        let quotient = magnitude / d, remainder = magnitude % d
        // Round up when the remainder is at least half: 2·r ≥ d (no overflow: r < d ≤ Int.max).
        let rounded = remainder * 2 >= d ? quotient + 1 : quotient
        return numerator < 0 ? -Int(rounded) : Int(rounded)
    }

    /// a × b, or nil when it would not fit in an Int.
    public static func multiply(_ a: Int, _ b: Int) -> Int? {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : product
    }
}

/// One booked row's amounts, rounded by the rule in `Money`.
public struct RowAmounts: Sendable, Hashable, Codable {
    public var net: Money
    public var vat: Money
    public var gross: Money { net + vat }

    public init(net: Money, vat: Money) {
        self.net = net
        self.vat = vat
    }

    /// quantity × unit price → net (rounded to a minor unit), net × rate → VAT (rounded). Nil only
    /// when the product does not fit in 64 bits, which the typed limits rule out.
    public static func of(quantity: Quantity, unitPrice: Money, vatRate: VATRate) -> RowAmounts? {
        guard let product = MoneyRounding.multiply(quantity.milli, unitPrice.minor) else { return nil }
        let net = MoneyRounding.divide(product, by: 1000)
        guard let vatProduct = MoneyRounding.multiply(net, vatRate.basisPoints) else { return nil }
        let vat = MoneyRounding.divide(vatProduct, by: 10_000)
        return RowAmounts(net: Money(minor: net), vat: Money(minor: vat))
    }
}

/// The totals of some rows: the plain sums of their rounded amounts (never rounded again).
public struct MoneyTotals: Sendable, Hashable, Codable {
    public var net: Money
    public var vat: Money
    public var gross: Money { net + vat }

    public init(net: Money = .zero, vat: Money = .zero) {
        self.net = net
        self.vat = vat
    }

    public init<S: Sequence>(rows: S) where S.Element == RowAmounts {
        var totals = MoneyTotals()
        for row in rows { totals.add(row) }
        self = totals
    }

    public mutating func add(_ row: RowAmounts) {
        net = net + row.net
        vat = vat + row.vat
    }
}
