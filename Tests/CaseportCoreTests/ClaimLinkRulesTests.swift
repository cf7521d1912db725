import CaseportCore
import Foundation
import XCTest

/// Issue 13: the personal link's rules as values — the token, the code, who receives it, expiry.
final class ClaimLinkRulesTests: XCTestCase {
    func testTokensAreLongRandomAndURLSafe() {
        let tokens = (0..<200).map { _ in ClaimLinkRules.newToken() }
        XCTAssertEqual(Set(tokens).count, 200)
        XCTAssertTrue(tokens.allSatisfy(ClaimLinkRules.isWellFormed), "43 base64url characters = 256 bits")
        XCTAssertFalse(ClaimLinkRules.isWellFormed("short"))
        XCTAssertFalse(ClaimLinkRules.isWellFormed(String(repeating: "a", count: 42) + "/"))
        XCTAssertFalse(ClaimLinkRules.isWellFormed(String(repeating: "a", count: 44)))
        let code = ClaimLinkRules.newCode()
        XCTAssertEqual(code.count, 6)
        XCTAssertTrue(code.allSatisfy(\.isNumber))
    }

    func testWhoReceivesTheLinkByRoleAndCustomerType() {
        let table: [(ClaimLinkRecipients, String?, Bool)] = [
            (.customer, "policyholder", true), (.customer, "contact_person", false), (.customer, nil, false),
            (.contactPerson, "contact_person", true), (.contactPerson, "policyholder", false),
            (.both, "policyholder", true), (.both, "contact_person", true), (.both, nil, false),
            (.allContacts, nil, true), (.allContacts, "policyholder", true),
        ]
        for (recipients, role, expected) in table {
            XCTAssertEqual(ClaimLinkRules.receives(role: role, under: recipients), expected, "\(recipients) \(role ?? "nil")")
        }
        XCTAssertTrue(ClaimLinkRules.allows(.business, under: .all))
        XCTAssertTrue(ClaimLinkRules.allows(.privateCustomer, under: .privateOnly))
        XCTAssertFalse(ClaimLinkRules.allows(.business, under: .privateOnly))
        XCTAssertFalse(ClaimLinkRules.allows(nil, under: .businessOnly))
    }

    func testAccessEndsTheSetNumberOfDaysAfterClosing() {
        let closed = Date(timeIntervalSince1970: 1_800_000_000)
        XCTAssertFalse(ClaimLinkRules.isExpired(closedAt: nil, days: 0, now: closed.addingTimeInterval(1e9)), "open cases never expire")
        XCTAssertFalse(ClaimLinkRules.isExpired(closedAt: closed, days: 30, now: closed.addingTimeInterval(30 * 86_400)))
        XCTAssertTrue(ClaimLinkRules.isExpired(closedAt: closed, days: 30, now: closed.addingTimeInterval(30 * 86_400 + 1)))
        XCTAssertTrue(ClaimLinkRules.isExpired(closedAt: closed, days: 0, now: closed.addingTimeInterval(1)))
    }
}
