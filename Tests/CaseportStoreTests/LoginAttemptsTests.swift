import CaseportCore
import CaseportStore
import CaseportTestSupport
import FluentKit
import SQLKit
import XCTest

/// Login throttling counters (A2): counted before the password is checked, atomically, per key.
final class LoginAttemptsTests: StoreTestCase {
    func testFiveFailuresLockTheKeyForTwentyMinutesThenItOpens() async throws {
        let attempts = LoginAttempts(database: harness.database)
        let key = LoginThrottle.key(realm: "portal", organisation: "solglantan", username: "finns-inte")
        let now = Date()
        for _ in 1...4 {
            let locked = try await attempts.recordFailure(key: key, now: now)
            XCTAssertFalse(locked)
        }
        let value1 = try await attempts.isLocked(key: key, now: now)
        XCTAssertFalse(value1)
        let value2 = try await attempts.recordFailure(key: key, now: now)
        XCTAssertTrue(value2)
        let value3 = try await attempts.isLocked(key: key, now: now.addingTimeInterval(60))
        XCTAssertTrue(value3)
        let value4 = try await attempts.isLocked(key: key, now: now.addingTimeInterval(20 * 60 + 1))
        XCTAssertFalse(value4)
        let other = LoginThrottle.key(realm: "portal", organisation: "solglantan", username: "anna")
        let value5 = try await attempts.isLocked(key: other, now: now)
        XCTAssertFalse(value5, "other accounts are not affected")
        try await attempts.clear(key: key)
        let value6 = try await attempts.isLocked(key: key, now: now)
        XCTAssertFalse(value6)
    }

    func testAHugeUsernameIsStoredAsAFixedSizeKey() async throws {
        let attempts = LoginAttempts(database: harness.database)
        let key = LoginThrottle.key(realm: "portal", organisation: "x", username: String(repeating: "å", count: 10_000))
        try await attempts.recordFailure(key: key)
        let row = try await LoginAttemptRecord.query(on: harness.database).first()
        XCTAssertEqual(row?.id?.count, 64)
    }

    func testAttemptsMadeAtOnceAreNumberedOnceEachAndOnlyTheFirstFiveProceed() async throws {
        let attempts = LoginAttempts(database: db)
        let key = LoginThrottle.key(realm: "staff", organisation: "", username: "berit@example.org")
        let now = Date()
        let numbers = try await withThrowingTaskGroup(of: LoginAttempts.Attempt.self) { group in
            for _ in 0..<12 { group.addTask { try await attempts.count(key: key, now: now) } }
            return try await group.reduce(into: [LoginAttempts.Attempt]()) { $0.append($1) }
        }
        XCTAssertEqual(numbers.map(\.number).sorted(), Array(1...12), "no two attempts read the same count")
        XCTAssertEqual(numbers.filter(\.mayProceed).count, 5)
        XCTAssertEqual(numbers.filter(\.isLast).count, 1)
        let locked = try await attempts.isLocked(key: key, now: now)
        XCTAssertTrue(locked)
        let afterLock = try await attempts.count(key: key, now: now.addingTimeInterval(20 * 60 + 1))
        XCTAssertEqual(afterLock.number, 1, "a lock that has run out starts a new run")
    }
}
