import CaseportStore
import FluentKit
import XCTest

/// The people saved on a shared account (A8): listed by name, found only through their own account.
final class AccountPeopleTests: StoreTestCase {
    func testPeopleAreListedByNameAndBelongToTheirAccount() async throws {
        let people = AccountPeople(database: db)
        let shared = try await make.customer("1")
        let one = try await make.portalUser("delat", of: shared).id!, two = try await make.portalUser("annat", of: shared).id!
        let sven = try await people.add(userId: one, firstName: "Sven", lastName: "Berg", email: "sven@example.org", phone: nil)
        _ = try await people.add(userId: one, firstName: "Anna", lastName: "Lind", email: nil, phone: "070-1")
        _ = try await people.add(userId: one, firstName: "Anna", lastName: "Ek", email: nil, phone: nil)
        let other = try await people.add(userId: two, firstName: "Erik", lastName: "Holm", email: nil, phone: nil)
        let listed = try await people.list(userId: one)
        XCTAssertEqual(listed.map { "\($0.firstName) \($0.lastName)" }, ["Anna Ek", "Anna Lind", "Sven Berg"])
        let found = try await people.find(id: sven.id!, userId: one)
        XCTAssertEqual(found?.email, "sven@example.org")
        let foreign = try await people.find(id: other.id!, userId: one)
        XCTAssertNil(foreign, "another account's person is not found through this one")
        let none = try await people.list(userId: two + 1)
        XCTAssertTrue(none.isEmpty)
    }
}
