import CaseportCore
import CaseportStore
import CaseportTestSupport
import FluentKit
import XCTest

final class DemoDataTests: StoreTestCase {
    func testLoadingTwiceChangesNothing() async throws {
        let db = harness.database
        let value11 = try await DemoData.load(on: db, hasher: PlainTestHasher())
        XCTAssertTrue(value11)
        let cases = try await CaseRecord.query(on: db).count()
        let users = try await PortalUserRecord.query(on: db).count()
        XCTAssertGreaterThanOrEqual(cases, 60)
        XCTAssertEqual(users, 5)
        let value12 = try await StaffUserRecord.query(on: db).count()
        XCTAssertEqual(value12, 2)
        let value13 = try await CaseRecord.query(on: db).filter(\.$status == .closed).count()
        XCTAssertGreaterThan(value13, 0)

        let value14 = try await DemoData.load(on: db, hasher: PlainTestHasher())
        XCTAssertFalse(value14)
        let value15 = try await CaseRecord.query(on: db).count()
        XCTAssertEqual(value15, cases)
        let value16 = try await PortalUserRecord.query(on: db).count()
        XCTAssertEqual(value16, users)
    }

    func testDemoLoginsResolveToTheAccountsTheyDescribe() async throws {
        let db = harness.database
        try await DemoData.load(on: db, hasher: PlainTestHasher())
        for login in DemoData.portalLogins {
            let user = try await PortalAccounts.find(organisation: login.organisation, username: login.username,
                                                     field: .any, on: db)
            XCTAssertNotNil(user, "\(login.organisation)/\(login.username)")
        }
        let erik = try await PortalAccounts.find(organisation: "NORRSKEN", username: "Erik", field: .any, on: db)!
        let viewer = try await PortalViewers.viewer(for: erik, on: db)
        guard case .contactUser(let links?) = viewer else { return XCTFail("erik is a contact user") }
        XCTAssertEqual(links.objectIds.count, 1)
        XCTAssertTrue(links.customerIds.isEmpty)
        let value17 = try await PortalAccounts.find(organisation: "solglantan", username: "erik", field: .any, on: db)
        XCTAssertNil(value17,
                     "usernames belong to their organisation")
        let value18 = try await PortalAccounts.find(organisation: "solglantan", username: "anna", field: .customerNumber, on: db)
        XCTAssertNil(value18,
                     "with the customer-number setting the short code does not match")
        let value19 = try await PortalAccounts.find(organisation: "brf solgläntan", username: "anna", field: .name, on: db)
        XCTAssertNotNil(value19)
        let value20 = try await PortalAccounts.find(organisation: "BRF SOLGLÄNTAN", username: "anna", field: .name, on: db)
        XCTAssertNotNil(value20)
    }
}
