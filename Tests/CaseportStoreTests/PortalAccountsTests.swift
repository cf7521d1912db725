import CaseportCore
import CaseportStore
import FluentKit
import XCTest

/// Login resolution (A1): organisation by name, short code or number as configured, username
/// without case; one throttle key per account however the organisation was typed.
final class PortalAccountsTests: StoreTestCase {
    func testTheOrganisationFieldDecidesWhatMatchesAndTheThrottleKeyIsShared() async throws {
        let customer = try await make.customer("1001", name: "Brf Solgläntan")
        let anna = try await make.portalUser("Anna", of: customer)
        var resolved = try await PortalAccounts.resolve(organisation: "BRF SOLGLÄNTAN", username: "anna", field: .name, on: db)
        XCTAssertEqual(resolved.user?.id, anna.id)
        let byName = resolved.throttleKey
        resolved = try await PortalAccounts.resolve(organisation: "k1001", username: "ANNA", field: .shortCode, on: db)
        XCTAssertEqual(resolved.user?.id, anna.id)
        XCTAssertEqual(resolved.throttleKey, byName, "one counter however the organisation is typed")
        XCTAssertEqual(byName, PortalAccounts.accountKey(organisationId: customer.id!, username: "anna"))
        resolved = try await PortalAccounts.resolve(organisation: "1001", username: "anna", field: .customerNumber, on: db)
        XCTAssertEqual(resolved.user?.id, anna.id)
        resolved = try await PortalAccounts.resolve(organisation: "k1001", username: "anna", field: .name, on: db)
        XCTAssertNil(resolved.user, "the short code is not the name")
        resolved = try await PortalAccounts.resolve(organisation: "Brf Solgläntan", username: "nobody", field: .any, on: db)
        XCTAssertNil(resolved.user)
        XCTAssertEqual(resolved.throttleKey, PortalAccounts.accountKey(organisationId: customer.id!, username: "nobody"),
                       "an unknown username in a real organisation is counted like a real one")
        resolved = try await PortalAccounts.resolve(organisation: "Finns inte", username: "anna", field: .any, on: db)
        XCTAssertNil(resolved.user)
        XCTAssertEqual(resolved.throttleKey, LoginThrottle.key(realm: "portal", organisation: "Finns inte", username: "anna"))
    }

    func testActiveUsersWithAnAddressIgnoreCaseAndInactiveAccounts() async throws {
        let c1 = try await make.customer("1"), c2 = try await make.customer("2")
        let first = try await make.portalUser("anna", of: c1, email: "Anna@Example.org")
        let second = try await make.portalUser("anna2", of: c2, email: "anna@example.org")
        try await make.portalUser("gammal", of: c2, email: "anna@example.org", isActive: false)
        try await make.portalUser("erik", of: c2, email: "erik@example.org")
        let users = try await PortalAccounts.activeUsers(withEmail: "ANNA@example.org", on: db)
        XCTAssertEqual(users.map(\.id), [first.id, second.id], "oldest first")
        let none = try await PortalAccounts.activeUsers(withEmail: "okand@example.org", on: db)
        XCTAssertTrue(none.isEmpty)
    }
}
