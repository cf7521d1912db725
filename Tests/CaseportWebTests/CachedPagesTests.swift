import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import SQLKit
import Vapor
import XCTVapor
import XCTest

/// The portal keeps what a page view read (signed-in user, case list) with the database's change
/// stamp (M014). These tests change the database behind the server's back, as another server or the
/// back office would, and check that the very next page view shows the change.
final class CachedPagesTests: XCTestCase {
    var harness: WebHarness!
    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws { try await harness.shutdown() }

    var sql: any SQLDatabase { harness.app.db as! any SQLDatabase }

    func testAChangedCaseShowsOnTheNextListView() async throws {
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        _ = try await browser.get("/cases")
        let first = try XCTUnwrap(browser.listedCaseNumbers.first)
        XCTAssertEqual(harness.app.caseport.filterOptions.count, 1, "the list's filter choices are kept")
        let stamp = try await ChangeStamp.current(on: harness.app.db)

        try await sql.raw("UPDATE cases SET subject = 'Ändrad av en annan server' WHERE number = \(bind: first)").run()
        _ = try await browser.get("/cases")
        XCTAssertTrue(browser.lastBody.contains("Ändrad av en annan server"))
        // Issue 17: a case write leaves the stamp, and with it every user's kept values, alone.
        let after = try await ChangeStamp.current(on: harness.app.db)
        XCTAssertEqual(after, stamp)
    }

    func testARenamedCategoryShowsInTheFilterChoicesAtOnce() async throws {
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        _ = try await browser.get("/cases")
        try await sql.raw("UPDATE categories SET name = 'Omdöpt av en annan server' WHERE id = (SELECT MIN(id) FROM categories WHERE is_active = \(bind: true))").run()
        _ = try await browser.get("/cases")
        XCTAssertTrue(browser.lastBody.contains("Omdöpt av en annan server"))
    }

    /// The handlers the back office offers are kept at the stamp (M053): a new, renamed or deactivated account
    /// shows on the next staff page view, as another server or an admin would change it.
    func testHandlerChoicesFollowStaffAccountsAtOnce() async throws {
        let browser = harness.browser()
        _ = try await browser.staffLogin("handler@example.com")
        _ = try await browser.get("/staff/cases")
        XCTAssertEqual(harness.app.caseport.activeStaff.count, 1, "the handlers are kept")
        XCTAssertFalse(browser.lastBody.contains("Ny Handläggare"))

        let added = StaffUserRecord(email: "ny.handlaggare@example.com", name: "Ny Handläggare", role: .handler,
                                    passwordHash: "plain:x")
        try await added.create(on: harness.app.db)
        _ = try await browser.get("/staff/cases")
        XCTAssertTrue(browser.lastBody.contains("Ny Handläggare"), "a new account is offered on the next view")

        try await sql.raw("UPDATE staff_users SET name = 'Omdöpt Handläggare' WHERE id = \(bind: added.id!)").run()
        _ = try await browser.get("/staff/cases")
        XCTAssertTrue(browser.lastBody.contains("Omdöpt Handläggare"))
        XCTAssertFalse(browser.lastBody.contains("Ny Handläggare"))

        try await sql.raw("UPDATE staff_users SET is_active = \(bind: false) WHERE id = \(bind: added.id!)").run()
        _ = try await browser.get("/staff/cases")
        XCTAssertFalse(browser.lastBody.contains("Omdöpt Handläggare"), "an inactive account is not offered")
    }

    func testANewVisibleCaseAndANewLinkShowAtOnce() async throws {
        let browser = harness.browser()
        try await browser.portalLogin("norrsken", "erik")
        _ = try await browser.get("/cases")
        let before = Set(browser.listedCaseNumbers)
        // Linking erik's contact to anna's customer widens what erik sees (A7) on the next view.
        let erik = try await PortalUserRecord.query(on: harness.app.db).filter(\.$usernameKey == "erik").first()!
        let solglantan = try await Demo.customer("1001", on: harness.app.db)
        let annasCases = try await Demo.caseNumbers(ofCustomer: "1001", on: harness.app.db)
        XCTAssertTrue(before.isDisjoint(with: annasCases))
        try await ContactCustomerLink(contactId: erik.contactId!, customerId: solglantan.requireID()).create(on: harness.app.db)
        _ = try await browser.get("/cases")
        XCTAssertFalse(Set(browser.listedCaseNumbers).isDisjoint(with: annasCases))
    }

    func testADeactivatedUserIsOutOnTheNextRequest() async throws {
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        let ok = try await browser.get("/cases")
        XCTAssertEqual(ok.status, .ok)
        try await sql.raw("UPDATE portal_users SET is_active = \(bind: false) WHERE username_key = 'anna'").run()
        let after = try await browser.get("/cases")
        XCTAssertEqual(after.status, .seeOther)
        XCTAssertEqual(after.headers.first(name: .location), "/login")
    }

    func testOneUsersKeptListIsNeverAnothersAndStampsMove() async throws {
        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        _ = try await anna.get("/cases")
        let erik = harness.browser()
        try await erik.portalLogin("norrsken", "erik")
        _ = try await erik.get("/cases")
        let annasCases = try await Demo.caseNumbers(ofCustomer: "1001", on: harness.app.db)
        XCTAssertTrue(Set(erik.listedCaseNumbers).isDisjoint(with: annasCases))

        let stamp = try await ChangeStamp.current(on: harness.app.db)
        try await sql.raw("UPDATE login_attempts SET failures = failures").run()  // not a watched table
        let unchanged = try await ChangeStamp.current(on: harness.app.db)
        XCTAssertEqual(unchanged, stamp)
        try await sql.raw("UPDATE categories SET name = name || '!' WHERE id = (SELECT MIN(id) FROM categories)").run()
        let raised = try await ChangeStamp.current(on: harness.app.db)
        XCTAssertGreaterThan(raised, stamp)
    }
}
