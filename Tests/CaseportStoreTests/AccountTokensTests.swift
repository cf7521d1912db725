import CaseportCore
import CaseportStore
import FluentKit
import XCTest

/// One-time links for portal accounts: valid once, for their purpose, until they expire; using one
/// voids the account's other links of that purpose; two simultaneous uses cannot both succeed.
final class AccountTokensTests: StoreTestCase {
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    /// Two portal accounts' ids.
    func accounts() async throws -> (Int, Int) {
        let customer = try await make.customer("1")
        return (try await make.portalUser("anna", of: customer).id!, try await make.portalUser("erik", of: customer).id!)
    }

    func testATokenWorksOnceForItsPurposeUntilItExpires() async throws {
        let tokens = AccountTokens(database: db)
        let (anna, _) = try await accounts()
        let token = try await tokens.issue(userId: anna, purpose: "reset", lifetime: 3_600, email: "anna@example.org", now: now)
        let stored = try await AccountTokenRecord.query(on: db).first()
        XCTAssertNotEqual(stored?.id, token, "only a hash is stored")
        var valid = try await tokens.isValid(token: token, purpose: "activate", now: now)
        XCTAssertFalse(valid, "a reset link does not activate")
        valid = try await tokens.isValid(token: token, purpose: "reset", now: now.addingTimeInterval(3_601))
        XCTAssertFalse(valid, "expired")
        valid = try await tokens.isValid(token: token, purpose: "reset", now: now)
        XCTAssertTrue(valid)
        let wrongPurpose = try await tokens.use(token: token, purpose: "activate", now: now)
        XCTAssertNil(wrongPurpose)
        let used = try await tokens.use(token: token, purpose: "reset", now: now)
        XCTAssertEqual(used?.userId, anna)
        XCTAssertEqual(used?.email, "anna@example.org")
        let again = try await tokens.redeem(token: token, purpose: "reset", now: now)
        XCTAssertNil(again, "used up")
        let tooLong = try await tokens.redeem(token: String(repeating: "x", count: 101), purpose: "reset", now: now)
        XCTAssertNil(tooLong)
    }

    func testUsingOneLinkVoidsTheOthersOfThatAccountAndPurposeOnly() async throws {
        let tokens = AccountTokens(database: db)
        let (anna, erik) = try await accounts()
        let older = try await tokens.issue(userId: anna, purpose: "reset", lifetime: 3_600, now: now)
        let newer = try await tokens.issue(userId: anna, purpose: "reset", lifetime: 3_600, now: now)
        let activation = try await tokens.issue(userId: anna, purpose: "activate", lifetime: 3_600, now: now)
        let someoneElse = try await tokens.issue(userId: erik, purpose: "reset", lifetime: 3_600, now: now)
        let user = try await tokens.redeem(token: newer, purpose: "reset", now: now)
        XCTAssertEqual(user, anna)
        var valid = try await tokens.isValid(token: older, purpose: "reset", now: now)
        XCTAssertFalse(valid, "an older link found later in the mailbox is dead")
        valid = try await tokens.isValid(token: activation, purpose: "activate", now: now)
        XCTAssertTrue(valid)
        valid = try await tokens.isValid(token: someoneElse, purpose: "reset", now: now)
        XCTAssertTrue(valid)
        try await tokens.voidAll(userId: anna, purpose: "activate", now: now)
        valid = try await tokens.isValid(token: activation, purpose: "activate", now: now)
        XCTAssertFalse(valid)
    }

    func testTwoSimultaneousUsesOfOneTokenSucceedOnce() async throws {
        let tokens = AccountTokens(database: db)
        let (anna, _) = try await accounts()
        let token = try await tokens.issue(userId: anna, purpose: "reset", lifetime: 3_600, now: now)
        let now = self.now
        let results = try await withThrowingTaskGroup(of: Int?.self) { group in
            for _ in 0..<8 { group.addTask { try await tokens.redeem(token: token, purpose: "reset", now: now) } }
            return try await group.reduce(into: [Int?]()) { $0.append($1) }
        }
        XCTAssertEqual(results.compactMap { $0 }, [anna])
    }
}
