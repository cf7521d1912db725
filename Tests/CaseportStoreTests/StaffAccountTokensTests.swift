import CaseportStore
import FluentKit
import XCTest

/// "Set your password" links for staff: seven days, once, and redeeming one voids the others.
final class StaffAccountTokensTests: StoreTestCase {
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    func testALinkWorksOnceForSevenDaysAndVoidsTheAccountsOtherLinks() async throws {
        let berit = try await make.staff("Berit"), sven = try await make.staff("Sven")
        let tokens = StaffAccountTokens(database: db)
        let first = try await tokens.issue(staffUserId: berit.id!, now: now)
        let second = try await tokens.issue(staffUserId: berit.id!, now: now)
        let svens = try await tokens.issue(staffUserId: sven.id!, now: now)
        var valid = try await tokens.isValid(token: first, now: now.addingTimeInterval(StaffAccountTokens.lifetime - 1))
        XCTAssertTrue(valid)
        valid = try await tokens.isValid(token: first, now: now.addingTimeInterval(StaffAccountTokens.lifetime + 1))
        XCTAssertFalse(valid, "expired after seven days")
        let expired = try await tokens.redeem(token: first, now: now.addingTimeInterval(StaffAccountTokens.lifetime + 1))
        XCTAssertNil(expired)

        let redeemed = try await tokens.redeem(token: second, now: now)
        XCTAssertEqual(redeemed, berit.id)
        let twice = try await tokens.redeem(token: second, now: now)
        XCTAssertNil(twice)
        valid = try await tokens.isValid(token: first, now: now)
        XCTAssertFalse(valid, "the account's other link died with it")
        valid = try await tokens.isValid(token: svens, now: now)
        XCTAssertTrue(valid, "another account's link is untouched")
        try await tokens.voidAll(staffUserId: sven.id!, now: now)
        let voided = try await tokens.redeem(token: svens, now: now)
        XCTAssertNil(voided)
    }
}
