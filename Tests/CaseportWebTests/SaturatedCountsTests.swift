@testable import CaseportWeb
import XCTest

/// Issue 17, session 18: the back-office list's filters whose count passed the cap (`SaturatedCounts`):
/// remembered for their lifetime only, forgotten when a count comes back under the cap, bounded.
final class SaturatedCountsTests: XCTestCase {
    func testAPassedCountIsRememberedForItsLifetime() {
        let counts = SaturatedCounts(lifetime: 60)
        let t = Date(timeIntervalSince1970: 1_800_000_000)
        XCTAssertFalse(counts.hasPassed("list|open", now: t), "nothing noted yet")
        counts.note("list|open", passed: true, now: t)
        XCTAssertTrue(counts.hasPassed("list|open", now: t.addingTimeInterval(59.9)))
        XCTAssertFalse(counts.hasPassed("list|open", now: t.addingTimeInterval(60)), "too old: counted again")
        XCTAssertFalse(counts.hasPassed("list|open", now: t.addingTimeInterval(-1)), "a clock set back")
        XCTAssertFalse(counts.hasPassed("list|new", now: t), "another filter")
    }

    func testACountUnderTheCapForgetsThatItPassed() {
        let counts = SaturatedCounts(lifetime: 60)
        let t = Date(timeIntervalSince1970: 1_800_000_000)
        counts.note("list", passed: true, now: t)
        counts.note("list", passed: false, now: t.addingTimeInterval(1))
        XCTAssertFalse(counts.hasPassed("list", now: t.addingTimeInterval(2)))
    }

    func testItIsEmptiedWhenFull() {
        let counts = SaturatedCounts(lifetime: 60, capacity: 3)
        let t = Date(timeIntervalSince1970: 1_800_000_000)
        for key in ["a", "b", "c"] { counts.note(key, passed: true, now: t) }
        XCTAssertTrue(counts.hasPassed("a", now: t))
        counts.note("a", passed: true, now: t)
        XCTAssertTrue(counts.hasPassed("c", now: t), "noting a kept filter again empties nothing")
        counts.note("d", passed: true, now: t)
        XCTAssertFalse(counts.hasPassed("a", now: t), "a fourth filter emptied it")
        XCTAssertTrue(counts.hasPassed("d", now: t))
    }
}
