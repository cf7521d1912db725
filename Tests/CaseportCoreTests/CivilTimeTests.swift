@testable import CaseportCore
import Foundation
import XCTest

/// `CivilTime.fields` (the dates every page shows) against Foundation's Gregorian calendar: instants from
/// 1906 to 2223, with fractions of seconds, in zones with summer time, a half-hour offset and none, and the
/// hours around this year's summer-time changes in Stockholm.
final class CivilTimeTests: XCTestCase {
    func testTheFieldsAreTheCalendarsInEveryZone() throws {
        let zones = try ["Europe/Stockholm", "UTC", "America/St_Johns", "Asia/Kolkata", "Pacific/Auckland"].map {
            try XCTUnwrap(TimeZone(identifier: $0))
        }
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        var instants: [Double] = []
        for _ in 0..<20_000 {
            seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17
            instants.append(Double(seed % 8_000_000_000) - 2_000_000_000 + Double(seed % 1_000) / 1_000)
        }
        // 2026-03-29 and 2026-10-25, a minute at a time over the hours around each change in Stockholm.
        for start in [1_774_740_000.0, 1_792_886_400.0] { instants += (0..<400).map { start + Double($0) * 60 } }
        instants += [0, -0.5, -86_400, 951_782_400, 4_107_542_400]  // 1970, just before it, 2000-02-29, 2100-03-01
        for zone in zones {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            for instant in instants {
                let date = Date(timeIntervalSince1970: instant)
                let expected = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
                let fields = CivilTime.fields(of: date, in: zone)
                guard fields.year == expected.year, fields.month == expected.month, fields.day == expected.day,
                      fields.hour == expected.hour, fields.minute == expected.minute else {
                    return XCTFail("\(instant) in \(zone.identifier): \(fields) against \(expected)")
                }
            }
        }
        XCTAssertEqual(Language.sv.formatDateTime(Date(timeIntervalSince1970: 1_774_746_000), timeZone: zones[0]), "2026-03-29 03:00")
    }
}
