import CaseportCore
import XCTest

/// Issue 14's money rule (B8): exact integer amounts, one rounding per row (half away from zero),
/// totals that are the plain sums of the rounded rows.
final class MoneyTests: XCTestCase {
    /// A seeded generator (SplitMix64), so a failure can be replayed with the same rows.
    struct SeededRandom: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// The oracle: n / d rounded half away from zero, written differently from `MoneyRounding`
    /// (floor of (2|n| + d) / 2d in 128 bits), so the two must agree rather than share a mistake.
    static func oracle(_ n: Int128, _ d: Int128) -> Int128 {
        let magnitude = n < 0 ? -n : n
        let rounded = (2 * magnitude + d) / (2 * d)
        return n < 0 ? -rounded : rounded
    }

    func testTenThousandRandomRowsTotalExactlyTheSumOfTheirRoundedRows() {
        var random = SeededRandom(state: 20_261_204)
        let rates = [0, 600, 1200, 2500]
        var rows: [RowAmounts] = []
        var net: Int128 = 0, vat: Int128 = 0
        for index in 0..<10_000 {
            // Mostly everyday rows, some at the typed limits, some credits (negative quantities).
            let big = index % 50 == 0
            var milli = Int.random(in: 1...(big ? Quantity.largestTyped : 200_000), using: &random)
            if index % 17 == 0 { milli = -milli }
            let price = Int.random(in: 0...(big ? 1_000_000_000 : 5_000_000), using: &random)
            let rate = index % 7 == 0 ? Int.random(in: 0...10_000, using: &random) : rates[index % rates.count]
            let quantity = Quantity(milli: milli), unitPrice = Money(minor: price), vatRate = VATRate(basisPoints: rate)
            guard let row = RowAmounts.of(quantity: quantity, unitPrice: unitPrice, vatRate: vatRate) else {
                return XCTFail("row \(index) overflowed: \(milli) × \(price)")
            }
            let expectedNet = Self.oracle(Int128(milli) * Int128(price), 1000)
            let expectedVat = Self.oracle(expectedNet * Int128(rate), 10_000)
            XCTAssertEqual(Int128(row.net.minor), expectedNet, "row \(index): \(milli) milli × \(price)")
            XCTAssertEqual(Int128(row.vat.minor), expectedVat, "row \(index): VAT \(rate) bp of \(row.net.minor)")
            XCTAssertEqual(row.gross.minor, row.net.minor + row.vat.minor)
            // What a form shows and sends back reads as the same value.
            XCTAssertEqual(Quantity.parse(quantity.plain), quantity)
            XCTAssertEqual(Money.parse(row.net.plain), abs(row.net.minor) <= Money.largestTyped ? row.net : nil)
            rows.append(row)
            net += expectedNet
            vat += expectedVat
        }
        let totals = MoneyTotals(rows: rows)
        XCTAssertEqual(Int128(totals.net.minor), net)
        XCTAssertEqual(Int128(totals.vat.minor), vat)
        XCTAssertEqual(Int128(totals.gross.minor), net + vat, "gross total = the sum of the rows' gross amounts")
        XCTAssertEqual(totals.gross.minor, rows.reduce(0) { $0 + $1.gross.minor })
    }

    func testRoundingIsHalfAwayFromZero() {
        XCTAssertEqual(MoneyRounding.divide(5, by: 10), 1)
        XCTAssertEqual(MoneyRounding.divide(4, by: 10), 0)
        XCTAssertEqual(MoneyRounding.divide(-5, by: 10), -1)
        XCTAssertEqual(MoneyRounding.divide(-15, by: 10), -2)
        XCTAssertEqual(MoneyRounding.divide(-14, by: 10), -1)
        // 1,5 h at 449,99 kr = 674,985 kr → 674,99; 25 % VAT of that = 168,7475 → 168,75.
        let row = RowAmounts.of(quantity: Quantity(milli: 1_500), unitPrice: Money(minor: 44_999), vatRate: .standard)
        XCTAssertEqual(row?.net.minor, 67_499)
        XCTAssertEqual(row?.vat.minor, 16_875)
        XCTAssertEqual(row?.gross.minor, 84_374)
    }

    func testTypedAmountsQuantitiesAndRates() {
        XCTAssertEqual(Money.parse("1 234,50"), Money(minor: 123_450))
        XCTAssertEqual(Money.parse("1234.5"), Money(minor: 123_450))
        XCTAssertEqual(Money.parse("495"), Money(minor: 49_500))
        XCTAssertEqual(Money.parse("-12,05"), Money(minor: -1_205))
        XCTAssertNil(Money.parse("12,345"), "three decimals are not an amount")
        XCTAssertNil(Money.parse("1,234.50"), "two decimal marks")
        XCTAssertNil(Money.parse("12 kr"))
        XCTAssertNil(Money.parse(""))
        XCTAssertNil(Money.parse("-"))
        XCTAssertNil(Money.parse("1e5"))
        XCTAssertNil(Money.parse("١٢"), "only ASCII digits")
        XCTAssertNil(Money.parse("100000001"), "over the typed limit")
        XCTAssertEqual(Quantity.parse("1,5"), Quantity(milli: 1_500))
        XCTAssertEqual(Quantity.parse("0.125"), Quantity(milli: 125))
        XCTAssertNil(Quantity.parse("1,2345"))
        XCTAssertEqual(VATRate.parse("25"), VATRate(basisPoints: 2_500))
        XCTAssertEqual(VATRate.parse("12,5 %"), VATRate(basisPoints: 1_250))
        XCTAssertNil(VATRate.parse("101"))
        XCTAssertNil(VATRate.parse("-1"))
    }

    func testAmountsAreWrittenAsEachLanguageWritesThem() {
        let amount = Money(minor: 123_450)
        XCTAssertEqual(amount.formatted(.sv), "1\u{00A0}234,50")
        XCTAssertEqual(amount.formatted(.da), "1\u{00A0}234,50")
        XCTAssertEqual(amount.formatted(.en), "1,234.50")
        XCTAssertEqual(Money(minor: -500).formatted(.sv), "−5,00")
        XCTAssertEqual(Money(minor: 5).formatted(.en), "0.05")
        XCTAssertEqual(Money(minor: 123_456_789_00).formatted(.en), "123,456,789.00")
        XCTAssertEqual(Quantity(milli: 1_500).formatted(.sv), "1,5")
        XCTAssertEqual(Quantity(milli: 2_000).formatted(.en), "2")
        XCTAssertEqual(VATRate(basisPoints: 1_250).formatted(.sv), "12,5 %")
        XCTAssertEqual(amount.plain, "1234.50")
    }

    func testWorkOrdersMoveOneStepForwardOnly() {
        XCTAssertTrue(WorkOrderState.draft.canMove(to: .sent))
        XCTAssertTrue(WorkOrderState.sent.canMove(to: .accepted))
        XCTAssertTrue(WorkOrderState.accepted.canMove(to: .done))
        for from in WorkOrderState.allCases {
            for to in WorkOrderState.allCases where to != from.next {
                XCTAssertFalse(from.canMove(to: to), "\(from) → \(to)")
            }
        }
        XCTAssertNil(WorkOrderState.done.next)
    }

    /// LF seed: only users whose contact is linked to customers see (and approve) specifications.
    func testOnlyContactsLinkedToCustomersSeeSpecifications() {
        XCTAssertEqual(SpecificationAccess.customerIds(for: .contactUser(contact: ContactLinks(contactId: 1, customerIds: [7], objectIds: [3]))), [7])
        XCTAssertEqual(SpecificationAccess.customerIds(for: .contactUser(contact: ContactLinks(contactId: 1, objectIds: [3]))), [])
        XCTAssertEqual(SpecificationAccess.customerIds(for: .contactUser(contact: nil)), [])
        XCTAssertEqual(SpecificationAccess.customerIds(for: .invoiceCustomer(customerId: 7)), [])
        XCTAssertEqual(SpecificationAccess.customerIds(for: .object(objectId: 3, customerId: 7)), [])
        XCTAssertEqual(SpecificationAccess.customerIds(for: .disabled), [])
    }

    func testOlderSettingsReadTheStandardActionColumns() throws {
        let settings = try JSONDecoder().decode(PortalSettings.self, from: Data("{}".utf8))
        XCTAssertEqual(settings.actionColumns, ActionColumn.standard)
    }
}
