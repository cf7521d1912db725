import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Vapor
import XCTVapor
import XCTest

/// Issue 9: registration links only the organisation's own contact by the confirmed address (3);
/// the language switch's return path (9a); older links die when one is used (9b); changing one's
/// password (9c); what registration and lost password reveal (9d); session limits in the config (9e).
final class AccountHardeningTests: XCTestCase {
    var harness: WebHarness!
    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws { try await harness.shutdown() }

    var db: any Database { harness.app.db }

    func linkToken(in outbox: OutboxRecord) -> String? {
        outbox.body.components(separatedBy: "token=").last?.components(separatedBy: .whitespacesAndNewlines).first
    }

    func openRegistration() async throws {
        var settings = try await SettingsStore(database: db).load()
        settings.selfRegistrationOpen = true
        try await SettingsStore(database: db).save(settings)
    }

    func register(_ organisation: String, _ email: String) async throws -> Browser {
        let browser = harness.browser()
        try await browser.get("/register")
        try await browser.post("/register", ["organisation": organisation, "email": email, "first_name": "Ny", "last_name": "Person",
                                             "password": "Ny123456", "password_confirm": "Ny123456"])
        return browser
    }

    func lastMail(_ kind: String) async throws -> OutboxRecord {
        try await OutboxRecord.query(on: db).filter(\.$kind == kind).sort(\.$id, .descending).first()!
    }

    // MARK: 3. Registration and contacts

    func testConfirmingNeverLinksAContactOfAnotherCustomer() async throws {
        try await openRegistration()
        // Sara is a contact of Norrsken; someone registers at Solgläntan with her address.
        let browser = try await register("solglantan", "sara@norrsken.example")
        let tokenMail = try await lastMail("registration")
        let token = try XCTUnwrap(linkToken(in: tokenMail))
        let confirmed = try await browser.get("/register/confirm?token=\(token)").status
        XCTAssertEqual(confirmed, .ok)
        let user = try await PortalUserRecord.query(on: db).filter(\.$usernameKey == "sara@norrsken.example").first()!
        XCTAssertTrue(user.isActive)
        XCTAssertNil(user.contactId, "Norrsken's contact is not Solgläntan's to take")
    }

    func testTheContactIsChosenByTheAddressTheLinkWasSentTo() async throws {
        try await openRegistration()
        let browser = try await register("solglantan", "ny@solglantan.example")
        let pending = try await PortalUserRecord.query(on: db).filter(\.$usernameKey == "ny@solglantan.example").first()!

        // The customer's administrator cannot edit a pending registration (e.g. swap in Anna's address).
        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        let open = try await anna.get("/users/\(pending.id!)").status
        XCTAssertEqual(open, .notFound)
        try await anna.get("/users")
        XCTAssertFalse(anna.lastBody.contains("href=\"/users/\(pending.id!)\""), "not listed as editable")
        let edit = try await anna.post("/users/\(pending.id!)", ["first_name": "Ny", "last_name": "Person", "username": "ny@solglantan.example",
                                                                 "email": "anna@solglantan.example", "is_active": "1"]).status
        XCTAssertEqual(edit, .notFound)
        let unchanged = try await PortalUserRecord.find(pending.id, on: db)!
        XCTAssertEqual(unchanged.email, "ny@solglantan.example")
        XCTAssertFalse(unchanged.isActive)

        // Even if the address changes another way before confirmation, the link goes by the address it was sent to.
        unchanged.email = "anna@solglantan.example"
        try await unchanged.save(on: db)
        let tokenMail = try await lastMail("registration")
        let token = try XCTUnwrap(linkToken(in: tokenMail))
        let confirmed = try await browser.get("/register/confirm?token=\(token)").status
        XCTAssertEqual(confirmed, .ok)
        let linked = try await PortalUserRecord.find(pending.id, on: db)?.contactId
        XCTAssertNil(linked, "Anna's contact is not linked: the confirmed address was another")
    }

    func testAContactOnOneOfTheOrganisationsObjectsIsLinked() async throws {
        try await openRegistration()
        // Erik is linked to an object of Norrsken (not to the customer itself).
        let browser = try await register("norrsken", "erik@norrsken.example")
        let tokenMail = try await lastMail("registration")
        let token = try XCTUnwrap(linkToken(in: tokenMail))
        try await browser.get("/register/confirm?token=\(token)")
        let erik = try await ContactRecord.query(on: db).filter(\.$email == "erik@norrsken.example").first()!
        let user = try await PortalUserRecord.query(on: db).filter(\.$usernameKey == "erik@norrsken.example").first()!
        XCTAssertEqual(user.contactId, erik.id)
    }

    // MARK: 9a. The language switch

    func testTheLanguageSwitchFollowsOnlyLocalPaths() async throws {
        let browser = harness.browser()
        try await browser.get("/login")
        for bad in ["/\t/evil.example/", "/\r\nSet-Cookie: a=b", "/cases\nx", "//evil.example", "/\\evil.example",
                    "https://evil.example/", "cases", "", "/%0a\t/evil"] {
            let response = try await browser.post("/language", ["language": "sv", "returnTo": bad])
            XCTAssertEqual(response.status, .seeOther, bad.debugDescription)
            XCTAssertEqual(response.headers.first(name: .location), "/", bad.debugDescription)
        }
        // A NUL byte in any form is refused before a route runs (RequestShapeMiddleware): no redirect at all.
        let nul = try await browser.post("/language", ["language": "sv", "returnTo": "/\u{0}x"])
        XCTAssertEqual(nul.status, .badRequest)
        XCTAssertNil(nul.headers.first(name: .location))
        let fine = try await browser.post("/language", ["language": "sv", "returnTo": "/cases?page=2&q=l%C3%A4ck"])
        XCTAssertEqual(fine.headers.first(name: .location), "/cases?page=2&q=l%C3%A4ck")
    }

    // MARK: 9b. One-time links

    func testUsingOneResetLinkVoidsTheOlderOnes() async throws {
        let browser = harness.browser()
        try await browser.get("/password/forgot")
        try await browser.post("/password/forgot", ["organisation": "solglantan", "username": "anna"])
        let firstMail = try await lastMail("password_reset")
        let first = try XCTUnwrap(linkToken(in: firstMail))
        try await browser.post("/password/forgot", ["organisation": "solglantan", "username": "anna"])
        let secondMail = try await lastMail("password_reset")
        let second = try XCTUnwrap(linkToken(in: secondMail))
        XCTAssertNotEqual(first, second)

        let used = try await browser.post("/password/set", ["token": second, "password": "Nytt1234", "password_confirm": "Nytt1234"]).status
        XCTAssertEqual(used, .ok)
        let older = try await browser.get("/password/set?token=\(first)").status
        XCTAssertEqual(older, .notFound, "the older link died with the newer one's use")
        let replay = try await browser.post("/password/set", ["token": first, "password": "Annat123", "password_confirm": "Annat123"]).status
        XCTAssertEqual(replay, .notFound)
        let signedIn = harness.browser()
        let status = try await signedIn.portalLogin("solglantan", "anna", password: "Nytt1234").status
        XCTAssertEqual(status, .seeOther)
    }

    func testUsingOneStaffSetPasswordLinkVoidsTheOthers() async throws {
        let handler = try await StaffUserRecord.query(on: db).filter(\.$emailKey == "handler@example.com").first()!
        let tokens = StaffAccountTokens(database: db)
        let first = try await tokens.issue(staffUserId: handler.id!)
        let second = try await tokens.issue(staffUserId: handler.id!)
        let browser = harness.browser()
        try await browser.get("/staff/password/set?token=\(second)")
        let used = try await browser.post("/staff/password/set", ["token": second, "password": "Nytt1234", "password_confirm": "Nytt1234"]).status
        XCTAssertEqual(used, .ok)
        let older = try await browser.get("/staff/password/set?token=\(first)").status
        XCTAssertEqual(older, .notFound)
    }

    func testSettingAPasswordVoidsTheAccountsOutstandingLinks() async throws {
        let handler = try await StaffUserRecord.query(on: db).filter(\.$emailKey == "handler@example.com").first()!
        let staffLink = try await StaffAccountTokens(database: db).issue(staffUserId: handler.id!)
        let admin = harness.browser()
        try await admin.staffLogin("admin@example.com")
        try await admin.get("/staff/staff-users/\(handler.id!)")
        let set = try await admin.post("/staff/staff-users/\(handler.id!)", [
            "name": handler.name, "email": handler.email, "role": "handler", "is_active": "1",
            "password": "Nytt1234", "password_confirm": "Nytt1234"]).status
        XCTAssertEqual(set, .seeOther)
        let staffLinkValid = try await StaffAccountTokens(database: db).isValid(token: staffLink)
        XCTAssertFalse(staffLinkValid)

        let board = try await PortalUserRecord.query(on: db).filter(\.$usernameKey == "styrelsen").first()!
        let portalLink = try await AccountTokens(database: db).issue(userId: board.id!, purpose: "set_password", lifetime: 3_600)
        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        try await anna.get("/users/\(board.id!)")
        let saved = try await anna.post("/users/\(board.id!)", ["first_name": "Styrelsen", "last_name": "Solgläntan", "username": "styrelsen",
                                                                 "is_shared": "1", "is_active": "1",
                                                                 "password": "Nytt1234", "password_confirm": "Nytt1234"]).status
        XCTAssertEqual(saved, .seeOther)
        let portalLinkValid = try await AccountTokens(database: db).isValid(token: portalLink, purpose: "set_password")
        XCTAssertFalse(portalLinkValid)
    }

    // MARK: 9c. Changing one's own password

    func testChangingTheOwnPasswordAsksForTheCurrentOneAndEndsOtherSessions() async throws {
        let anna = try await PortalUserRecord.query(on: db).filter(\.$usernameKey == "anna").first()!
        let elsewhere = harness.browser()
        try await elsewhere.portalLogin("solglantan", "anna")
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        let oldToken = browser.cookies["caseport_portal"]
        let fields = ["first_name": "Anna", "last_name": "Lindqvist", "username": "anna", "email": "anna@solglantan.example",
                      "password": "Bytt1234", "password_confirm": "Bytt1234"]
        try await browser.get("/users/\(anna.id!)")
        XCTAssertTrue(browser.lastBody.contains("name=\"current_password\""))
        let missing = try await browser.post("/users/\(anna.id!)", fields)
        XCTAssertEqual(missing.status, .unprocessableEntity)
        XCTAssertTrue(browser.lastBody.contains("Ange ditt nuvarande lösenord"))
        XCTAssertTrue(browser.lastBody.contains("value=\"anna@solglantan.example\""), "what was typed comes back")
        var wrong = fields; wrong["current_password"] = "Fel12345"
        let refused = try await browser.post("/users/\(anna.id!)", wrong).status
        XCTAssertEqual(refused, .unprocessableEntity)
        let same = try await PortalUserRecord.find(anna.id, on: db)?.passwordHash
        XCTAssertEqual(same, anna.passwordHash)

        var right = fields; right["current_password"] = DemoData.password
        let saved = try await browser.post("/users/\(anna.id!)", right).status
        XCTAssertEqual(saved, .seeOther)
        XCTAssertNotNil(browser.cookies["caseport_portal"])
        XCTAssertNotEqual(browser.cookies["caseport_portal"], oldToken, "this browser continues with a new token")
        let here = try await browser.get("/cases").status
        XCTAssertEqual(here, .ok)
        let there = try await elsewhere.get("/cases").status
        XCTAssertEqual(there, .seeOther, "every other session of the account ended")
        let again = harness.browser()
        let status = try await again.portalLogin("solglantan", "anna", password: "Bytt1234").status
        XCTAssertEqual(status, .seeOther)
    }

    func testStaffChangingTheirOwnPasswordAsksForTheCurrentOneAndEndsOtherSessions() async throws {
        let admin = try await StaffUserRecord.query(on: db).filter(\.$emailKey == "admin@example.com").first()!
        let elsewhere = harness.browser()
        try await elsewhere.staffLogin("admin@example.com")
        let browser = harness.browser()
        try await browser.staffLogin("admin@example.com")
        let oldToken = browser.cookies["caseport_staff"]
        try await browser.get("/staff/staff-users/\(admin.id!)")
        XCTAssertTrue(browser.lastBody.contains("name=\"current_password\""))
        let fields = ["name": admin.name, "email": admin.email, "role": "admin", "is_active": "1",
                      "password": "Bytt1234", "password_confirm": "Bytt1234"]
        let missing = try await browser.post("/staff/staff-users/\(admin.id!)", fields).status
        XCTAssertEqual(missing, .unprocessableEntity)
        let same = try await StaffUserRecord.find(admin.id, on: db)?.passwordHash
        XCTAssertEqual(same, admin.passwordHash)
        var right = fields; right["current_password"] = DemoData.password
        let saved = try await browser.post("/staff/staff-users/\(admin.id!)", right).status
        XCTAssertEqual(saved, .seeOther)
        XCTAssertNotEqual(browser.cookies["caseport_staff"], oldToken)
        let here = try await browser.get("/staff").status
        XCTAssertEqual(here, .ok)
        let there = try await elsewhere.get("/staff").status
        XCTAssertEqual(there, .seeOther, "every other session of the account ended")
    }

    // MARK: 9d. What the forms reveal

    /// The page without what differs per request (CSRF token).
    func comparable(_ body: String) -> String {
        body.replacingOccurrences(of: #"value="[A-Za-z0-9_\-]{20,}""#, with: "value=\"…\"", options: .regularExpression)
    }

    func testRegistrationAnswersTheSameForAnUnknownOrganisationOrATakenAddress() async throws {
        try await openRegistration()
        let known = try await register("norrsken", "ny@norrsken.example")
        let unknown = try await register("finns-inte", "ny2@norrsken.example")
        let taken = try await register("norrsken", "ny@norrsken.example")
        XCTAssertEqual(comparable(unknown.lastBody), comparable(known.lastBody))
        XCTAssertEqual(comparable(taken.lastBody), comparable(known.lastBody))
        let mails = try await OutboxRecord.query(on: db).filter(\.$kind == "registration").count()
        XCTAssertEqual(mails, 1, "nothing is queued for the unknown organisation or the taken address")
        let users = try await PortalUserRecord.query(on: db).filter(\.$usernameKey == "ny2@norrsken.example").count()
        XCTAssertEqual(users, 0)
    }

    func testLostPasswordAnswersTheSameAndQueuesNothingForAnUnknownAccount() async throws {
        func ask(_ organisation: String, _ username: String) async throws -> String {
            let browser = harness.browser()
            try await browser.get("/password/forgot")
            try await browser.post("/password/forgot", ["organisation": organisation, "username": username])
            return comparable(browser.lastBody)
        }
        let known = try await ask("solglantan", "anna")
        let unknownUser = try await ask("solglantan", "nobody")
        let unknownOrganisation = try await ask("nowhere", "anna")
        XCTAssertEqual(known, unknownUser)
        XCTAssertEqual(known, unknownOrganisation)
        let mails = try await OutboxRecord.query(on: db).filter(\.$kind == "password_reset").count()
        XCTAssertEqual(mails, 1)
    }

    // MARK: 9e. Session limits are configuration

    func testSessionLimitsComeFromTheEnvironment() throws {
        let config = try AppConfig.from(environment: ["CASEPORT_SESSION_IDLE_MINUTES": "30", "CASEPORT_SESSION_MAX_DAYS": "2"])
        XCTAssertEqual(config.sessions.idle, 30 * 60)
        XCTAssertEqual(config.sessions.absolute, 2 * 24 * 3_600)
        let defaults = try AppConfig.from(environment: [:])
        XCTAssertEqual(defaults.sessions.idle, 8 * 3_600)
        XCTAssertEqual(defaults.sessions.absolute, 30 * 24 * 3_600)
        XCTAssertThrowsError(try AppConfig.from(environment: ["CASEPORT_SESSION_IDLE_MINUTES": "soon"])) { error in
            XCTAssertTrue("\(error)".contains("CASEPORT_SESSION_IDLE_MINUTES"))
        }
    }
}
