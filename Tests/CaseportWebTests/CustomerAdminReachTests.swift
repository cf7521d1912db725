import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Vapor
import XCTVapor
import XCTest

/// Issue 9 point 7: a customer administrator manages only users whose reach lies within their own;
/// invoice-customer and object logins are for staff only. Every action is tried with forged ids.
final class CustomerAdminReachTests: XCTestCase {
    var harness: WebHarness!
    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws { try await harness.shutdown() }

    var db: any Database { harness.app.db }

    func user(_ username: String) async throws -> PortalUserRecord {
        try await PortalUserRecord.query(on: db).filter(\.$usernameKey == username).first()!
    }

    /// Erik (linked to one object of Norrsken) becomes an administrator of Norrsken.
    func erikAsAdmin() async throws -> Browser {
        let erik = try await user("erik")
        erik.isAdmin = true
        try await erik.save(on: db)
        let browser = harness.browser()
        try await browser.portalLogin("norrsken", "erik")
        return browser
    }

    /// A contact login of Norrsken with the given links.
    func contactUser(_ username: String, customerIds: [Int] = [], objectIds: [Int] = []) async throws -> PortalUserRecord {
        let contact = ContactRecord(firstName: username, lastName: "Test", email: "\(username)@example.com")
        try await contact.create(on: db)
        for id in customerIds { try await ContactCustomerLink(contactId: contact.id!, customerId: id).create(on: db) }
        for id in objectIds { try await ContactObjectLink(contactId: contact.id!, objectId: id).create(on: db) }
        let norrsken = try await Demo.customer("1002", on: db)
        let user = PortalUserRecord(organisationId: norrsken.id!, username: username, loginKind: .contact, contactId: contact.id,
                                    firstName: username, lastName: "Test", email: "\(username)@example.com",
                                    passwordHash: try await harness.app.caseport.passwords.hash(DemoData.password))
        try await user.create(on: db)
        return user
    }

    /// Every customer-admin action on `target` (open, edit, set password, deactivate) is refused and changes nothing.
    func assertEveryActionRefused(_ browser: Browser, on target: PortalUserRecord, file: StaticString = #filePath,
                                  line: UInt = #line) async throws {
        let before = try await PortalUserRecord.find(target.id, on: db)!
        let id = target.id!
        let open = try await browser.get("/users/\(id)").status
        XCTAssertEqual(open, .notFound, "open", file: file, line: line)
        try await browser.get("/users")
        let base = ["first_name": before.firstName, "last_name": before.lastName, "username": before.username,
                    "is_active": "1"]
        var edit = base; edit["last_name"] = "Taken"
        var password = base; password["password"] = "Kapad123"; password["password_confirm"] = "Kapad123"
        var deactivate = base; deactivate["is_active"] = nil
        var details = base; details["email"] = "attacker@example.com"; details["send_login_details"] = "1"
        for (name, fields) in [("edit", edit), ("password", password), ("deactivate", deactivate), ("login details", details)] {
            let status = try await browser.post("/users/\(id)", fields).status
            XCTAssertEqual(status, .notFound, name, file: file, line: line)
        }
        let after = try await PortalUserRecord.find(target.id, on: db)!
        XCTAssertEqual(after.lastName, before.lastName, file: file, line: line)
        XCTAssertEqual(after.passwordHash, before.passwordHash, file: file, line: line)
        XCTAssertEqual(after.isActive, before.isActive, file: file, line: line)
        XCTAssertEqual(after.email, before.email, file: file, line: line)
        let mails = try await OutboxRecord.query(on: db).filter(\.$recipient == "attacker@example.com").count()
        XCTAssertEqual(mails, 0, file: file, line: line)
    }

    func testInvoiceCustomerAndObjectLoginsAreForStaffOnly() async throws {
        let browser = try await erikAsAdmin()
        try await assertEveryActionRefused(browser, on: try await user("faktura"))
        try await assertEveryActionRefused(browser, on: try await user("nordstjarnan"))
        // Even an administrator linked to the whole customer cannot touch them.
        let sara = try await contactUser("sara", customerIds: [try await Demo.customer("1002", on: db).id!])
        sara.isAdmin = true
        try await sara.save(on: db)
        let wide = harness.browser()
        try await wide.portalLogin("norrsken", "sara")
        try await assertEveryActionRefused(wide, on: try await user("faktura"))
        try await assertEveryActionRefused(wide, on: try await user("nordstjarnan"))
        try await wide.get("/users")
        let faktura = try await user("faktura")
        XCTAssertFalse(wide.lastBody.contains("href=\"/users/\(faktura.id!)\""), "not listed as editable")
    }

    func testAnAdministratorLinkedToOneObjectCannotManageWiderUsers() async throws {
        let norrsken = try await Demo.customer("1002", on: db)
        let karlavagnen = try await ObjectRecord.query(on: db).filter(\.$name == "Karlavagnen 7").first()!
        let nordstjarnan = try await ObjectRecord.query(on: db).filter(\.$name == "Nordstjärnan 4").first()!
        let customerWide = try await contactUser("hela", customerIds: [norrsken.id!])
        let otherObject = try await contactUser("granne", objectIds: [karlavagnen.id!])
        let both = try await contactUser("bada", objectIds: [nordstjarnan.id!, karlavagnen.id!])
        let sameObject = try await contactUser("samma", objectIds: [nordstjarnan.id!])

        let browser = try await erikAsAdmin()
        try await assertEveryActionRefused(browser, on: customerWide)
        try await assertEveryActionRefused(browser, on: otherObject)
        try await assertEveryActionRefused(browser, on: both)

        // A user who sees no more than Erik stays his to manage.
        try await browser.get("/users")
        XCTAssertTrue(browser.lastBody.contains("href=\"/users/\(sameObject.id!)\""))
        XCTAssertFalse(browser.lastBody.contains("href=\"/users/\(customerWide.id!)\""))
        try await browser.get("/users/\(sameObject.id!)")
        let saved = try await browser.post("/users/\(sameObject.id!)", ["first_name": "Samma", "last_name": "Objekt",
                                                                        "username": "samma", "is_active": "1"]).status
        XCTAssertEqual(saved, .seeOther)
        let renamed = try await PortalUserRecord.find(sameObject.id, on: db)?.lastName
        XCTAssertEqual(renamed, "Objekt")
    }

    func testAContactLinkedToCasesOutsideTheAdministratorsReachIsNotTheirs() async throws {
        let nordstjarnan = try await ObjectRecord.query(on: db).filter(\.$name == "Nordstjärnan 4").first()!
        let sameObject = try await contactUser("samma", objectIds: [nordstjarnan.id!])
        // Staff link this contact to a case of another customer: the user now sees a case Erik does not.
        let foreign = try await CaseRecord.query(on: db).filter(\.$customerId == (try await Demo.customer("1001", on: db)).id!).first()!
        try await CaseContactLink(caseId: foreign.id!, contactId: sameObject.contactId!, isPrimary: false).create(on: db)
        let browser = try await erikAsAdmin()
        try await assertEveryActionRefused(browser, on: sameObject)
    }

    func testTheRuleOnTheAccessSets() {
        let admin = CaseVisibility(for: .contactUser(contact: ContactLinks(contactId: 1, customerIds: [10], objectIds: [100])))
        let narrower = CaseVisibility(for: .contactUser(contact: ContactLinks(contactId: 2, objectIds: [100, 101])))
        XCTAssertTrue(narrower.isWithin(admin, objectOwners: [101: 10], contactCasesCovered: true),
                      "an object of a customer the admin sees whole is covered")
        XCTAssertFalse(narrower.isWithin(admin, objectOwners: [101: 11], contactCasesCovered: true))
        XCTAssertFalse(narrower.isWithin(admin, objectOwners: [101: 10], contactCasesCovered: false))
        XCTAssertFalse(CaseVisibility(for: .invoiceCustomer(customerId: 11)).isWithin(admin, objectOwners: [:], contactCasesCovered: true))
        XCTAssertTrue(CaseVisibility.nothing.isWithin(CaseVisibility.nothing, objectOwners: [:], contactCasesCovered: false))
    }
}
