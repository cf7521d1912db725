import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Vapor
import XCTVapor
import XCTest

final class LoginTests: XCTestCase {
    var harness: WebHarness!
    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws { try await harness.shutdown() }

    func testLoginPageHasTheFieldsAndACSRFToken() async throws {
        let browser = harness.browser()
        let response = try await browser.get("/login")
        XCTAssertEqual(response.status, .ok)
        for field in ["name=\"organisation\"", "name=\"username\"", "name=\"password\"", "name=\"csrf_token\""] {
            XCTAssertTrue(browser.lastBody.contains(field), field)
        }
        XCTAssertNotNil(browser.cookies["caseport_csrf"])
        XCTAssertEqual(browser.csrfToken, browser.cookies["caseport_csrf"])
    }

    func testAPostWithoutTheCSRFTokenIsRefused() async throws {
        let browser = harness.browser()
        try await browser.get("/login")
        let fields = ["organisation": "solglantan", "username": "anna", "password": DemoData.password]
        let missing = try await browser.post("/login", fields, csrf: false)
        XCTAssertEqual(missing.status, .forbidden)
        XCTAssertNil(browser.cookies["caseport_portal"])
        var forged = fields
        forged["csrf_token"] = String(repeating: "A", count: 43)
        let value1 = try await browser.post("/login", forged).status
        XCTAssertEqual(value1, .forbidden)
        let value2 = try await browser.post("/logout", [:], csrf: false).status
        XCTAssertEqual(value2, .forbidden)
        let value3 = try await browser.post("/language", ["language": "en"], csrf: false).status
        XCTAssertEqual(value3, .forbidden)
    }

    func testOrganisationMatchesNameShortCodeOrNumberInAnyCase() async throws {
        for organisation in ["solglantan", "SOLGLANTAN", "Brf Solgläntan", "brf solgläntan", "1001", " 1001 "] {
            let browser = harness.browser()
            let response = try await browser.portalLogin(organisation, "Anna")
            XCTAssertEqual(response.status, .seeOther, organisation)
            XCTAssertEqual(response.headers.first(name: .location), "/cases", organisation)
        }
    }

    func testTheDeploymentDecidesWhichOrganisationFieldCounts() async throws {
        var settings = PortalSettings()
        settings.organisationLoginField = .customerNumber
        try await SettingsStore(database: harness.app.db).save(settings)
        let byCode = harness.browser()
        try await byCode.portalLogin("solglantan", "anna")
        XCTAssertNil(byCode.cookies["caseport_portal"])
        XCTAssertTrue(byCode.lastBody.contains("kundnummer"), "the hint names the customer number")
        let byNumber = harness.browser()
        let value4 = try await byNumber.portalLogin("1001", "anna").status
        XCTAssertEqual(value4, .seeOther)
    }

    func testLoginRenewsTheSessionIdAndSetsSafeCookies() async throws {
        let browser = harness.browser()
        let first = try await browser.portalLogin("solglantan", "anna")
        let cookie = try XCTUnwrap(first.headers.setCookie?["caseport_portal"])
        XCTAssertTrue(cookie.isHTTPOnly)
        XCTAssertEqual(cookie.sameSite, .lax)
        XCTAssertFalse(cookie.isSecure, "plain HTTP in the test")
        let firstToken = try XCTUnwrap(browser.cookies["caseport_portal"])
        let firstCSRF = browser.cookies["caseport_csrf"]

        try await browser.get("/cases")
        try await browser.post("/login", ["organisation": "solglantan", "username": "anna", "password": DemoData.password],
                               headers: ["X-Forwarded-Proto": "https"])
        let secondToken = try XCTUnwrap(browser.cookies["caseport_portal"])
        XCTAssertNotEqual(firstToken, secondToken, "a new session id at every login")
        XCTAssertNotEqual(firstCSRF, browser.cookies["caseport_csrf"], "and a new CSRF token")

        let stale = harness.browser()
        stale.cookies["caseport_portal"] = firstToken
        let response = try await stale.get("/cases")
        XCTAssertEqual(response.status, .seeOther, "the old session id no longer works")
        XCTAssertEqual(response.headers.first(name: .location), "/login")
    }

    /// X-Forwarded-Proto counts only from a configured proxy (issue 9); the in-memory client is not one.
    /// `ForwardedHeaderTests` covers a request from a trusted proxy.
    func testSessionCookieIsNotMadeSecureByAnUntrustedForwardedProto() async throws {
        let browser = harness.browser()
        try await browser.get("/login")
        let response = try await browser.post("/login", ["organisation": "solglantan", "username": "anna",
                                                         "password": DemoData.password],
                                              headers: ["X-Forwarded-Proto": "https"])
        XCTAssertEqual(response.headers.setCookie?["caseport_portal"]?.isSecure, false)
    }

    func testWrongInputGetsTheLoginPageWithAClearMessageAndKeepsWhatWasTyped() async throws {
        let cases: [([String: String], String)] = [
            (["organisation": "", "username": "", "password": ""], "Fyll i företag, användarnamn och lösenord."),
            (["organisation": "solglantan", "username": "anna"], "Fyll i företag, användarnamn och lösenord."),
            (["organisation": "finns-inte", "username": "anna", "password": "x"], "Fel företag, användarnamn eller lösenord."),
            (["organisation": "solglantan", "username": String(repeating: "a", count: 10_000), "password": "x"],
             "Något av fälten är för långt."),
            (["organisation": "' OR 1=1 --", "username": "anna' --", "password": "' OR '1'='1"],
             "Fel företag, användarnamn eller lösenord."),
        ]
        for (fields, message) in cases {
            let browser = harness.browser()
            try await browser.get("/login")
            let response = try await browser.post("/login", fields)
            XCTAssertEqual(response.status, .ok, "\(fields.keys)")
            XCTAssertTrue(browser.lastBody.contains(message), "expected «\(message)»")
            XCTAssertNil(browser.cookies["caseport_portal"])
        }
    }

    func testHTMLInAFieldComesBackEscaped() async throws {
        let browser = harness.browser()
        try await browser.get("/login")
        try await browser.post("/login", ["organisation": "<script>alert(1)</script>", "username": "\"><img src=x onerror=alert(1)>",
                                          "password": "x"])
        XCTAssertFalse(browser.lastBody.contains("<script>alert(1)"))
        XCTAssertFalse(browser.lastBody.contains("<img src=x"))
        XCTAssertTrue(browser.lastBody.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "kept, escaped")
    }

    func testFiveFailuresLockTheAccountAndEvenTheRightPasswordIsRefused() async throws {
        let browser = harness.browser()
        try await browser.get("/login")
        for attempt in 1...4 {
            try await browser.post("/login", ["organisation": "solglantan", "username": "anna", "password": "Fel\(attempt)"])
            XCTAssertTrue(browser.lastBody.contains("Fel företag, användarnamn eller lösenord."))
        }
        try await browser.post("/login", ["organisation": "solglantan", "username": "anna", "password": "Fel5"])
        XCTAssertTrue(browser.lastBody.contains("Kontot är låst i 20 minuter"))
        try await browser.post("/login", ["organisation": "solglantan", "username": "anna", "password": DemoData.password])
        XCTAssertTrue(browser.lastBody.contains("Kontot är låst i 20 minuter"))
        XCTAssertNil(browser.cookies["caseport_portal"])

        // Another account of the same organisation is not affected.
        let other = harness.browser()
        let value5 = try await other.portalLogin("solglantan", "styrelsen").status
        XCTAssertEqual(value5, .seeOther)
    }

    func testAnUnknownAccountGetsTheSameAnswersAsAKnownOne() async throws {
        func answers(_ organisation: String, _ username: String) async throws -> [String] {
            let browser = harness.browser()
            try await browser.get("/login")
            var seen: [String] = []
            for _ in 1...6 {
                try await browser.post("/login", ["organisation": organisation, "username": username, "password": "Fel123"])
                let alert = browser.lastBody.components(separatedBy: "role=\"alert\" id=\"login-error\">").last?
                    .components(separatedBy: "<").first ?? ""
                seen.append(alert)
            }
            return seen
        }
        let known = try await answers("solglantan", "anna")
        let unknownUser = try await answers("solglantan", "nobody")
        let unknownOrganisation = try await answers("nowhere", "anna")
        XCTAssertEqual(known, unknownUser)
        XCTAssertEqual(known, unknownOrganisation)
        XCTAssertEqual(Set(known).count, 2, "invalid, then locked")
    }

    func testAnInactiveUserCannotLogIn() async throws {
        let anna = try await PortalUserRecord.query(on: harness.app.db).filter(\.$usernameKey == "anna").first()!
        anna.isActive = false
        try await anna.save(on: harness.app.db)
        let browser = harness.browser()
        let response = try await browser.portalLogin("solglantan", "anna")
        XCTAssertEqual(response.status, .ok)
        XCTAssertNil(browser.cookies["caseport_portal"])
        XCTAssertTrue(browser.lastBody.contains("Kontot är inaktiverat"))
    }

    func testDeactivatingAUserEndsTheirOpenSession() async throws {
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        let value6 = try await browser.get("/cases").status
        XCTAssertEqual(value6, .ok)
        let anna = try await PortalUserRecord.query(on: harness.app.db).filter(\.$usernameKey == "anna").first()!
        anna.isActive = false
        try await anna.save(on: harness.app.db)
        let value7 = try await browser.get("/cases").status
        XCTAssertEqual(value7, .seeOther)
    }

    func testLogoutEndsTheSession() async throws {
        let browser = harness.browser()
        try await browser.portalLogin("norrsken", "erik")
        let token = try XCTUnwrap(browser.cookies["caseport_portal"])
        try await browser.get("/cases")
        let response = try await browser.post("/logout", [:])
        XCTAssertEqual(response.status, .seeOther)
        XCTAssertEqual(response.headers.first(name: .location), "/login")
        XCTAssertNil(browser.cookies["caseport_portal"])
        let replay = harness.browser()
        replay.cookies["caseport_portal"] = token
        let value8 = try await replay.get("/cases").status
        XCTAssertEqual(value8, .seeOther)
    }

    func testStaffLogInWithEmailAndPasswordAndTheRealmsStayApart() async throws {
        let staff = harness.browser()
        let value9 = try await staff.staffLogin("ADMIN@example.com").status
        XCTAssertEqual(value9, .seeOther)
        let value10 = try await staff.get("/staff").status
        XCTAssertEqual(value10, .ok)
        XCTAssertTrue(staff.lastBody.contains("Maria Admin"))
        let intoPortal = try await staff.get("/cases")
        XCTAssertEqual(intoPortal.headers.first(name: .location), "/login", "a staff session does not open the portal")

        let portal = harness.browser()
        try await portal.portalLogin("solglantan", "anna")
        let intoStaff = try await portal.get("/staff")
        XCTAssertEqual(intoStaff.headers.first(name: .location), "/staff/login", "a portal session does not open the back office")

        let wrong = harness.browser()
        try await wrong.staffLogin("handler@example.com", password: "nope")
        XCTAssertNil(wrong.cookies["caseport_staff"])
        XCTAssertTrue(wrong.lastBody.contains("Fel e-postadress eller lösenord."))
    }
}
