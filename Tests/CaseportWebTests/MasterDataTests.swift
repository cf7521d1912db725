import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Vapor
import XCTVapor
import XCTest

/// D6 master data in the back office and A2 unlock: lists search and page, forms keep input and show
/// errors beside fields, deactivation has effect, links change access, every change is audited.
final class MasterDataTests: XCTestCase {
    var harness: WebHarness!
    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws { try await harness.shutdown() }
    var db: any Database { harness.app.db }

    func handler() async throws -> Browser {
        let browser = harness.browser()
        try await browser.staffLogin("handler@example.com")
        return browser
    }

    func audit(_ action: AuditAction) async throws -> [AuditEventRecord] {
        try await AuditEventRecord.query(on: db).filter(\.$action == action.rawValue).sort(\.$id).all()
    }

    func testCustomersAreCreatedEditedAndDeactivatedWhichStopsTheirLogins() async throws {
        let staff = try await handler()
        try await staff.get("/staff/customers")
        XCTAssertTrue(staff.lastBody.contains("Brf Solgläntan"))
        try await staff.get("/staff/customers/new")
        let bad = try await staff.post("/staff/customers/new", ["name": "Brf Ny <b>", "short_code": "SOLGLANTAN", "customer_number": "1002"])
        XCTAssertEqual(bad.status, .unprocessableEntity)
        XCTAssertTrue(staff.lastBody.contains("value=\"Brf Ny &lt;b&gt;\""), "kept and escaped")
        XCTAssertTrue(staff.lastBody.contains("id=\"short_code-error\""))
        XCTAssertTrue(staff.lastBody.contains("id=\"customer_number-error\""))
        let created = try await staff.post("/staff/customers/new", ["name": "Brf Ny", "short_code": "ny", "customer_number": "3001"])
        XCTAssertEqual(created.status, .seeOther)
        let ny = try await Demo.customer("3001", on: db)
        XCTAssertTrue(ny.isActive)

        // Deactivating Solgläntan ends anna's session and refuses her login.
        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        let sol = try await Demo.customer("1001", on: db)
        try await staff.get("/staff/customers/\(sol.id!)")
        XCTAssertTrue(staff.lastBody.contains("/staff/objects?customer=\(sol.id!)"))
        let off = try await staff.post("/staff/customers/\(sol.id!)", ["name": sol.name, "short_code": sol.shortCode, "customer_number": sol.customerNumber])
        XCTAssertEqual(off.status, .seeOther)
        let gone = try await anna.get("/cases")
        XCTAssertEqual(gone.headers.first(name: .location), "/login")
        try await harness.browser().portalLogin("solglantan", "anna")
        let again = harness.browser()
        try await again.portalLogin("solglantan", "anna")
        XCTAssertNil(again.cookies["caseport_portal"])

        let lines = try await audit(.accessChanged)
        XCTAssertEqual(lines.last?.subject, "customer 1001 Brf Solgläntan")
        XCTAssertEqual(lines.last?.details, "deactivated")
        let created2 = try await audit(.masterDataChanged)
        XCTAssertEqual(created2.first?.details, "created")
        XCTAssertEqual(created2.first?.actorName, "Henrik Handläggare")
    }

    func testListsSearchAndPageWithoutLoadingEverything() async throws {
        for index in 0..<120 {
            try await ContactRecord(firstName: "Test\(index)", lastName: "Sökbar", email: "t\(index)@example.com").create(on: db)
        }
        let staff = try await handler()
        try await staff.get("/staff/contacts?q=s%C3%B6kbar")
        XCTAssertTrue(staff.lastBody.contains("Totalt: 120"))
        XCTAssertEqual(staff.lastBody.components(separatedBy: "<tr data-id=").count - 1, 50)
        XCTAssertTrue(staff.lastBody.contains("page=2"))
        XCTAssertTrue(staff.lastBody.contains("q=s%C3%B6kbar"), "the search stays in the page links")
        try await staff.get("/staff/contacts?q=s%C3%B6kbar&page=3")
        XCTAssertEqual(staff.lastBody.contains("Sida 3 / 3") || staff.lastBody.contains("3 / 3"), true)
        XCTAssertEqual(staff.lastBody.components(separatedBy: "<tr data-id=").count - 1, 20)
        try await staff.get("/staff/contacts?q=Anna%20Lindqvist")
        XCTAssertTrue(staff.lastBody.contains("Lindqvist, Anna"), "first and last name together")
        try await staff.get("/staff/customers?q=1002")
        XCTAssertTrue(staff.lastBody.contains("Fastighets AB Norrsken"))
        XCTAssertFalse(staff.lastBody.contains("Brf Solgläntan"))
        let sol = try await Demo.customer("1001", on: db)
        try await staff.get("/staff/objects?customer=\(sol.id!)")
        XCTAssertTrue(staff.lastBody.contains("Solgläntan hus A"))
        XCTAssertFalse(staff.lastBody.contains("Nordstjärnan 4"))
        try await staff.get("/staff/portal-users?q=erik")
        XCTAssertTrue(staff.lastBody.contains("Bergström"))
    }

    func testObjectsNeedAKnownCustomer() async throws {
        let staff = try await handler()
        try await staff.get("/staff/objects/new")
        let bad = try await staff.post("/staff/objects/new", ["customer_number": "9999", "name": "Hus C", "address": ""])
        XCTAssertEqual(bad.status, .unprocessableEntity)
        XCTAssertTrue(staff.lastBody.contains("Ingen kund har detta nummer."))
        XCTAssertTrue(staff.lastBody.contains("value=\"Hus C\""))
        XCTAssertTrue(staff.lastBody.contains("id=\"address-error\""))
        let ok = try await staff.post("/staff/objects/new", ["customer_number": "1001", "name": "Hus C", "address": "Gläntvägen 6"])
        XCTAssertEqual(ok.status, .seeOther)
        let object = try await ObjectRecord.query(on: db).filter(\.$name == "Hus C").first()
        let sol = try await Demo.customer("1001", on: db)
        XCTAssertEqual(object?.customerId, sol.id)

        // A deactivated object is no longer offered when a customer creates a case.
        let type = try await CaseTypeRecord.query(on: db).filter(\.$isActive == true).first()!
        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        try await anna.get("/cases/new?type=\(type.id!)")
        XCTAssertTrue(anna.lastBody.contains("Hus C"))
        try await staff.get("/staff/objects/\(object!.id!)")
        let off = try await staff.post("/staff/objects/\(object!.id!)", ["customer_number": "1001", "name": "Hus C", "address": "Gläntvägen 6"])
        XCTAssertEqual(off.status, .seeOther)
        let inactive = try await ObjectRecord.find(object!.id, on: db)
        XCTAssertEqual(inactive?.isActive, false)
        try await anna.get("/cases/new?type=\(type.id!)")
        XCTAssertFalse(anna.lastBody.contains("Hus C"))
        XCTAssertTrue(anna.lastBody.contains("Solgläntan hus A"))
        // …nor accepted when its id is sent anyway.
        let forged = try await anna.post("/cases/new/confirm", ["type": String(type.id!), "subject": "Läckage i Hus C",
                                                                "description": "Vatten på golvet.", "object": String(object!.id!)])
        XCTAssertNotEqual(forged.status, .seeOther)
        XCTAssertTrue(anna.lastBody.contains("id=\"object-error\""))
        let saved = try await CaseRecord.query(on: db).filter(\.$subject == "Läckage i Hus C").count()
        XCTAssertEqual(saved, 0)
    }

    /// Search documents name their object's owner (access tokens); moving an object to another
    /// customer re-indexes its cases, so the new owner's users find them by text at once.
    func testAnObjectMovedToAnotherCustomerIsFoundByTheNewOwnersSearch() async throws {
        let husA = try await ObjectRecord.query(on: db).filter(\.$name == "Solgläntan hus A").first()!
        let someCase = try await CaseRecord.query(on: db).filter(\.$objectId == husA.id!).first()!
        let word = someCase.subject.split { !$0.isLetter }.map(String.init).max { $0.count < $1.count }!
        // Erik's contact linked to customer 1002 sees the cases of 1002's objects (A7).
        let erik = try await ContactRecord.query(on: db).filter(\.$firstName == "Erik").first()!
        let norrsken = try await Demo.customer("1002", on: db)
        try await ContactCustomerLink(contactId: erik.requireID(), customerId: norrsken.requireID()).create(on: db)
        let portal = harness.browser()
        try await portal.portalLogin("norrsken", "erik")
        try await portal.get("/cases?q=\(Browser.formEncode(word))")
        XCTAssertFalse(portal.listedCaseNumbers.contains(someCase.number), "1002 does not own hus A yet")

        let staff = try await handler()
        try await staff.get("/staff/objects/\(husA.id!)")
        let moved = try await staff.post("/staff/objects/\(husA.id!)",
                                         ["customer_number": "1002", "name": husA.name, "address": husA.address, "is_active": "1"])
        XCTAssertEqual(moved.status, .seeOther)
        try await portal.get("/cases?q=\(Browser.formEncode(word))")
        XCTAssertTrue(portal.listedCaseNumbers.contains(someCase.number), "searching \(word)")
    }

    func testContactLinksChangeWhatTheirUserSeesAndAreAudited() async throws {
        let staff = try await handler()
        let erik = try await ContactRecord.query(on: db).filter(\.$firstName == "Erik").first()!
        let portal = harness.browser()
        try await portal.portalLogin("norrsken", "erik")
        let solCases = try await Demo.caseNumbers(ofCustomer: "1001", on: db)
        let someSolCase = solCases.sorted().last!
        let before = try await portal.get("/cases/\(someSolCase)").status
        XCTAssertEqual(before, .notFound)

        try await staff.get("/staff/contacts/\(erik.id!)")
        let unknown = try await staff.post("/staff/contacts/\(erik.id!)/customers", ["customer_number": "9999"])
        XCTAssertEqual(unknown.status, .unprocessableEntity)
        XCTAssertTrue(staff.lastBody.contains("id=\"link-customer-error\""))
        XCTAssertTrue(staff.lastBody.contains("value=\"9999\""))
        let linked = try await staff.post("/staff/contacts/\(erik.id!)/customers", ["customer_number": "1001"])
        XCTAssertEqual(linked.status, .seeOther)
        let during = try await portal.get("/cases/\(someSolCase)").status
        XCTAssertEqual(during, .ok, "the link lets erik see customer 1001's cases")
        let sol = try await Demo.customer("1001", on: db)
        try await staff.get("/staff/contacts/\(erik.id!)")
        // Issue 12 point 7: removing the link asks first, naming both ends; the question changes nothing.
        let asked = try await staff.post("/staff/contacts/\(erik.id!)/customers/\(sol.id!)/remove", [:])
        XCTAssertEqual(asked.status, .ok)
        XCTAssertTrue(staff.lastBody.contains(sol.name))
        let stillLinked = try await portal.get("/cases/\(someSolCase)").status
        XCTAssertEqual(stillLinked, .ok)
        try await staff.post("/staff/contacts/\(erik.id!)/customers/\(sol.id!)/remove", ["confirm": "1"])
        let after = try await portal.get("/cases/\(someSolCase)").status
        XCTAssertEqual(after, .notFound)
        let lines = try await audit(.accessChanged).compactMap(\.details)
        XCTAssertEqual(lines, ["linked to customer 1001", "unlinked from customer 1001"])

        let husA = try await ObjectRecord.query(on: db).filter(\.$name == "Solgläntan hus A").first()!
        try await staff.post("/staff/contacts/\(erik.id!)/objects", ["object_id": String(husA.id!)])
        let objectLinks = try await ContactObjectLink.query(on: db).filter(\.$contactId == erik.id!).count()
        XCTAssertEqual(objectLinks, 2)

        // Editing the contact: bad e-mail is shown and kept.
        let bad = try await staff.post("/staff/contacts/\(erik.id!)", ["first_name": "Erik", "last_name": "", "email": "nope", "is_active": "1"])
        XCTAssertEqual(bad.status, .unprocessableEntity)
        XCTAssertTrue(staff.lastBody.contains("value=\"nope\""))
        XCTAssertTrue(staff.lastBody.contains("id=\"last_name-error\""))
    }

    func testAStaffMemberUnlocksALockedPortalAccount() async throws {
        // Five failures typed with the short code lock the account …
        for _ in 0..<5 { try await harness.browser().portalLogin("Solglantan", "anna", password: "wrong") }
        let locked = harness.browser()
        try await locked.portalLogin("solglantan", "anna")
        XCTAssertNil(locked.cookies["caseport_portal"])
        let anna = try await PortalUserRecord.query(on: db).filter(\.$usernameKey == "anna").first()!
        let staff = try await handler()
        try await staff.get("/staff/portal-users/\(anna.id!)")
        XCTAssertTrue(staff.lastBody.contains("/staff/portal-users/\(anna.id!)/unlock"), "the page shows the lock")
        let unlocked = try await staff.post("/staff/portal-users/\(anna.id!)/unlock", [:])
        XCTAssertEqual(unlocked.status, .seeOther)
        try await staff.get("/staff/portal-users/\(anna.id!)?notice=unlocked")
        XCTAssertFalse(staff.lastBody.contains("/unlock\""))
        // … and the right password works again, typed with the customer number too.
        let again = harness.browser()
        try await again.portalLogin("solglantan", "anna")
        XCTAssertNotNil(again.cookies["caseport_portal"])
        let line = try await audit(.accountUnlocked).first
        XCTAssertEqual(line?.subject, "portal user \(anna.id!) 1001/anna")
        XCTAssertEqual(line?.actorName, "Henrik Handläggare")
    }

    func testPortalUsersAreCreatedEditedAndDeactivated() async throws {
        let staff = try await handler()
        try await staff.get("/staff/portal-users/new")
        let bad = try await staff.post("/staff/portal-users/new", [
            "organisation": "1001", "username": "ANNA", "first_name": "Ny", "last_name": "Person",
            "login_kind": "object", "object_id": "", "password": "kort", "password_confirm": "kort",
        ])
        XCTAssertEqual(bad.status, .unprocessableEntity)
        for id in ["username-error", "object_id-error", "password-error"] { XCTAssertTrue(staff.lastBody.contains("id=\"\(id)\""), id) }
        XCTAssertTrue(staff.lastBody.contains("value=\"ANNA\""))
        XCTAssertTrue(staff.lastBody.contains("<option value=\"object\" selected>"))

        let created = try await staff.post("/staff/portal-users/new", [
            "organisation": "1001", "username": "nyperson", "first_name": "Ny", "last_name": "Person", "email": "ny@example.com",
            "login_kind": "invoice_customer", "is_active": "1", "send_login_details": "1",
        ])
        XCTAssertEqual(created.status, .seeOther)
        let user = try await PortalUserRecord.query(on: db).filter(\.$usernameKey == "nyperson").first()!
        XCTAssertEqual(user.loginKind, .invoiceCustomer)
        let mail = try await OutboxRecord.query(on: db).filter(\.$kind == "login_details").filter(\.$recipient == "ny@example.com").count()
        XCTAssertEqual(mail, 1, "login details queued with a set-password link")

        let erik = harness.browser()
        try await erik.portalLogin("norrsken", "erik")
        let erikUser = try await PortalUserRecord.query(on: db).filter(\.$usernameKey == "erik").first()!
        try await staff.get("/staff/portal-users/\(erikUser.id!)")
        // Issue 12 point 7: switching the login off asks first ("Yes, deactivate"); the question saves nothing.
        let asked = try await staff.post("/staff/portal-users/\(erikUser.id!)", [
            "organisation": "1002", "username": "erik", "first_name": "Erik", "last_name": "Bergström Ny",
            "login_kind": "contact", "contact_id": String(erikUser.contactId!),
        ])
        XCTAssertEqual(asked.status, .unprocessableEntity)
        XCTAssertTrue(staff.lastBody.contains("name=\"confirm_deactivate\""))
        XCTAssertTrue(staff.lastBody.contains("value=\"Bergström Ny\""), "what was typed is kept")
        let notYet = try await PortalUserRecord.find(erikUser.id, on: db)!
        XCTAssertTrue(notYet.isActive)
        XCTAssertEqual(notYet.lastName, "Bergström")
        let stillIn = try await erik.get("/cases")
        XCTAssertEqual(stillIn.status, .ok)
        let off = try await staff.post("/staff/portal-users/\(erikUser.id!)", [
            "organisation": "1002", "username": "erik", "first_name": "Erik", "last_name": "Bergström",
            "login_kind": "contact", "contact_id": String(erikUser.contactId!), "confirm_deactivate": "1",
        ])
        XCTAssertEqual(off.status, .seeOther)
        let out = try await erik.get("/cases")
        XCTAssertEqual(out.headers.first(name: .location), "/login", "deactivation ends the session")
        let details = try await audit(.accessChanged).compactMap(\.details)
        XCTAssertTrue(details.contains("deactivated"))
        XCTAssertTrue(details.contains("created, invoice_customer"))
    }
}
