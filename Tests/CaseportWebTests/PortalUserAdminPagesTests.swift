import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Foundation
import Vapor
import XCTVapor
import XCTest

/// Issue 11 point 10 through the real app, on both databases: the administrator's user list shows the
/// register contacts (the demo's Karin Holm) and gives one a login in one step; the new-user form offers
/// only the administrator's own links; Edit, Cancel and Back; Remove asks first, then hides the user.
final class PortalUserAdminPagesTests: XCTestCase {
    var harness: WebHarness!
    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws { try await harness.shutdown() }
    var db: any Database { harness.app.db }

    func anna() async throws -> Browser {
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        return browser
    }

    func testARegisterContactIsListedAndGivenALoginInOneStep() async throws {
        let karin = try await ContactRecord.query(on: db).filter(\.$email == "karin@solglantan.example").first()!
        let browser = try await anna()
        try await browser.get("/users")
        XCTAssertTrue(browser.lastBody.contains("id=\"register-contacts\""))
        XCTAssertTrue(browser.lastBody.contains("href=\"/users/new?contact=\(karin.id!)\""))
        XCTAssertFalse(browser.lastBody.contains("Erik Bergström"), "another organisation's contact is not listed")
        try await browser.get("/users/new?contact=\(karin.id!)")
        XCTAssertTrue(browser.lastBody.contains("value=\"Karin\""))
        XCTAssertTrue(browser.lastBody.contains("<input type=\"hidden\" name=\"contact\" value=\"\(karin.id!)\">"))
        XCTAssertFalse(browser.lastBody.contains("id=\"user-links\""), "the contact keeps its own links")
        let saved = try await browser.post("/users/new", ["contact": String(karin.id!), "first_name": "Karin", "last_name": "Holm",
                                                           "username": "karin", "email": "karin@solglantan.example",
                                                           "password": "Secret123", "password_confirm": "Secret123", "is_active": "1"])
        XCTAssertEqual(saved.status, .seeOther)
        let user = try await PortalUserRecord.query(on: db).filter(\.$username == "karin").first()
        XCTAssertEqual(user?.contactId, karin.id)
        try await browser.get("/users")
        XCTAssertFalse(browser.lastBody.contains("href=\"/users/new?contact=\(karin.id!)\""), "she has a login now")

        // Another organisation's contact cannot be given a login here: 404, as for one that does not exist.
        let erik = try await ContactRecord.query(on: db).filter(\.$email == "erik@norrsken.example").first()!
        let foreign = try await browser.get("/users/new?contact=\(erik.id!)").status
        XCTAssertEqual(foreign, .notFound)
    }

    func testTheNewUserFormOffersOnlyTheAdministratorsLinksAndRefusesMore() async throws {
        let sol = try await Demo.customer("1001", on: db)
        let nor = try await CustomerRecord.query(on: db).filter(\.$id != sol.id!).first()!
        let browser = try await anna()
        try await browser.get("/users/new")
        XCTAssertTrue(browser.lastBody.contains("name=\"link_customer_\(sol.id!)\" value=\"1\" checked"))
        XCTAssertFalse(browser.lastBody.contains("link_customer_\(nor.id!)"))
        XCTAssertTrue(browser.lastBody.contains("id=\"user-cancel\""), "Cancel as the seed says")
        let forged = try await browser.post("/users/new", ["first_name": "Nils", "last_name": "Ny", "username": "nils",
                                                            "password": "Secret123", "password_confirm": "Secret123", "is_active": "1",
                                                            "links_shown": "1", "link_customer_\(nor.id!)": "1"])
        XCTAssertEqual(forged.status, .unprocessableEntity)
        XCTAssertTrue(browser.lastBody.contains("id=\"links-error\""))
        let none = try await PortalUserRecord.query(on: db).filter(\.$username == "nils").count()
        XCTAssertEqual(none, 0)
    }

    func testEditCancelBackAndRemoveWithConfirmation() async throws {
        let browser = try await anna()
        try await browser.get("/users?page=1")
        let styrelsen = try await PortalUserRecord.query(on: db).filter(\.$username == "styrelsen").first()!
        XCTAssertTrue(browser.lastBody.contains("href=\"/users/\(styrelsen.id!)\">Ändra"), "Edit on each row")
        try await browser.get("/users/\(styrelsen.id!)")
        XCTAssertTrue(browser.lastBody.contains("<a class=\"button\" href=\"/users?page=1\" id=\"user-cancel\">"))
        XCTAssertTrue(browser.lastBody.contains("href=\"/users/\(styrelsen.id!)/remove\""))
        try await browser.get("/users/\(styrelsen.id!)/remove")
        XCTAssertTrue(browser.lastBody.contains("id=\"remove-confirm\""), "removing asks first")
        let stillThere = try await PortalUserRecord.find(styrelsen.id, on: db)!
        XCTAssertTrue(stillThere.isActive)
        let removed = try await browser.post("/users/\(styrelsen.id!)/remove", [:])
        XCTAssertEqual(removed.status, .seeOther)
        XCTAssertEqual(removed.headers.first(name: .location), "/users?page=1&notice=removed")
        let after = try await PortalUserRecord.find(styrelsen.id, on: db)!
        XCTAssertFalse(after.isActive)
        XCTAssertNotNil(after.removedAt)
        try await browser.get("/users")
        XCTAssertFalse(browser.lastBody.contains(">Styrelsen Solgläntan<"), "hidden from the list")
        let gone = try await browser.get("/users/\(styrelsen.id!)").status
        XCTAssertEqual(gone, .notFound)
        let login = harness.browser()
        let refused = try await login.portalLogin("solglantan", "styrelsen")
        XCTAssertNotEqual(refused.headers.first(name: .location), "/cases", "a removed user cannot sign in")
        // Anna cannot remove herself.
        let anna = try await PortalUserRecord.query(on: db).filter(\.$username == "anna").first()!
        let own = try await browser.get("/users/\(anna.id!)/remove").status
        XCTAssertEqual(own, .notFound)
    }
}
