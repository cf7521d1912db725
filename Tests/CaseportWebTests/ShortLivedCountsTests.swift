@testable import CaseportWeb
import CaseportCore
import CaseportStore
import Fluent
import XCTest

/// Issue 17: a portal user's case counts kept a few seconds (`ShortLivedCounts`): handed out only at the
/// stamp they were read at and within their lifetime, forgotten by the user's own write, never kept
/// when a write ended while they were read.
final class ShortLivedCountsTests: XCTestCase {
    func testACountIsKeptForItsLifetimeAtItsStampOnly() {
        let counts = ShortLivedCounts(lifetime: 5)
        let t = Date(timeIntervalSince1970: 1_800_000_000)
        counts.store(12, user: 1, key: "needs-action", stamp: 7, readBegan: counts.readBegins, now: t)
        XCTAssertEqual(counts.value(user: 1, key: "needs-action", stamp: 7, now: t.addingTimeInterval(4.9)), 12)
        XCTAssertNil(counts.value(user: 1, key: "needs-action", stamp: 7, now: t.addingTimeInterval(5)), "too old")
        XCTAssertNil(counts.value(user: 1, key: "needs-action", stamp: 8, now: t), "another stamp: master data changed")
        XCTAssertNil(counts.value(user: 2, key: "needs-action", stamp: 7, now: t), "another user")
        XCTAssertNil(counts.value(user: 1, key: "list", stamp: 7, now: t), "another count")
        XCTAssertNil(counts.value(user: 1, key: "needs-action", stamp: 7, now: t.addingTimeInterval(-1)), "a clock set back")
    }

    /// CASEPORT_COUNT_SECONDS=0: every view counts afresh.
    func testALifetimeOfZeroKeepsNothing() {
        let counts = ShortLivedCounts(lifetime: 0)
        let t = Date(timeIntervalSince1970: 1_800_000_000)
        counts.store(12, user: 1, key: "needs-action", stamp: 7, readBegan: counts.readBegins, now: t)
        XCTAssertNil(counts.value(user: 1, key: "needs-action", stamp: 7, now: t))
    }

    func testTheUsersOwnWriteForgetsTheirCountsAndACountReadDuringAWriteIsNotKept() {
        let counts = ShortLivedCounts(lifetime: 5)
        let t = Date()
        counts.store(3, user: 1, key: "a", stamp: 1, readBegan: counts.readBegins, now: t)
        counts.store(4, user: 2, key: "a", stamp: 1, readBegan: counts.readBegins, now: t)
        let began = counts.readBegins
        counts.forget(user: 1)
        XCTAssertNil(counts.value(user: 1, key: "a", stamp: 1, now: t))
        XCTAssertEqual(counts.value(user: 2, key: "a", stamp: 1, now: t), 4, "other users keep theirs")
        counts.store(9, user: 1, key: "a", stamp: 1, readBegan: began, now: t)
        XCTAssertNil(counts.value(user: 1, key: "a", stamp: 1, now: t), "read before the write ended: may predate it")
    }

    func testTheKeyTellsEveryFilterApartButNotTheOrder() {
        var a = CaseFilter(), b = CaseFilter()
        XCTAssertEqual(ShortLivedCounts.key(a), ShortLivedCounts.key(b))
        b.sort = CaseSort(key: .subject, direction: .ascending)
        XCTAssertEqual(ShortLivedCounts.key(a), ShortLivedCounts.key(b), "the order counts the same cases")
        let changes: [(inout CaseFilter) -> Void] = [
            { $0.text = "läck" }, { $0.statusGroup = .closed }, { $0.status = .open }, { $0.categoryId = 1 },
            { $0.caseTypeId = 1 }, { $0.customerId = 1 }, { $0.objectId = 1 },
            { $0.createdFrom = Date(timeIntervalSince1970: 0) }, { $0.createdBefore = Date(timeIntervalSince1970: 0) },
        ]
        var keys: Set<String> = [ShortLivedCounts.key(a)]
        for change in changes {
            var changed = CaseFilter()
            change(&changed)
            keys.insert(ShortLivedCounts.key(changed))
        }
        XCTAssertEqual(keys.count, changes.count + 1)
        a.categoryId = 12
        b = CaseFilter()
        b.caseTypeId = 12
        XCTAssertNotEqual(ShortLivedCounts.key(a), ShortLivedCounts.key(b))
    }

    /// Through the pages: the customer's answer to a case waiting for them lowers the menu's count on
    /// their very next page, though the count was kept a moment before.
    func testTheMenuCountFollowsTheUsersOwnAnswerAtOnce() async throws {
        let harness = try await WebHarness()
        do {
            let browser = harness.browser()
            _ = try await browser.portalLogin("solglantan", "anna")
            _ = try await browser.get("/cases")
            let before = try XCTUnwrap(browser.menuCount, "the demo has cases waiting for Anna")
            _ = try await browser.get("/cases?state=action")
            let waiting = browser.lastBody.components(separatedBy: "data-case-number=\"").dropFirst()
                .compactMap { Int($0.prefix { $0.isNumber }) }
            var target: Int?
            for number in waiting {
                if try await CaseRecord.query(on: harness.app.db).filter(\.$number == number).first()?.status == .waitingForCustomer {
                    target = number
                    break
                }
            }
            let number = try XCTUnwrap(target)
            let answer = try await browser.post("/cases/\(number)/messages", ["body": "Här är svaret"])
            XCTAssertEqual(answer.status, .seeOther)
            _ = try await browser.get("/cases")
            XCTAssertEqual(browser.menuCount ?? 0, before - 1)
        } catch {
            try await harness.shutdown()
            throw error
        }
        try await harness.shutdown()
    }
}
