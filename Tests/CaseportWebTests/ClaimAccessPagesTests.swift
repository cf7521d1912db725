import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Vapor
import XCTVapor
import XCTest

/// Issue 13 (A10, C7, C9) through the real app: GET of a link changes and sends nothing; the button
/// opens it, sets the link session's cookie and leaves the token behind; a forged, revoked or other
/// link gets one neutral page, an expired one its own page; the code form; staff grant, send a fresh
/// link and revoke (with confirmation); the settings pages at three levels show the effective value
/// and its source.
final class ClaimAccessPagesTests: XCTestCase {
    var harness: WebHarness!
    var clockFile: String!

    override func setUp() async throws {
        clockFile = FileManager.default.temporaryDirectory.appendingPathComponent("caseport-clock-\(UUID().uuidString)").path
        try "0".write(toFile: clockFile, atomically: true, encoding: .utf8)
        let file = clockFile!
        harness = try await WebHarness { $0.claimClockFile = file }
    }

    override func tearDown() async throws {
        try await harness.shutdown()
        try? FileManager.default.removeItem(atPath: clockFile)
    }

    var db: any Database { harness.app.db }

    /// The first open demo case as a claim, with a policyholder (e-mail and phone) and a contact person.
    func claim() async throws -> (record: CaseRecord, pia: Int, carl: Int) {
        let record = try await CaseRecord.query(on: db).filter(\.$status != .closed).sort(\.$number).first()!
        let details = ClaimDetailsRecord()
        details.id = try record.requireID()
        details.policyholderType = "private"
        try await details.create(on: db)
        var ids: [Int] = []
        for (name, email, phone, role) in [("Pia", "pia@example.com", "+4511111111", "policyholder"),
                                           ("Carl", "carl@example.com", nil, "contact_person")] {
            let contact = ContactRecord(firstName: name, lastName: "Kunde", email: email, phone: phone)
            try await contact.create(on: db)
            let link = CaseContactLink(caseId: try record.requireID(), contactId: try contact.requireID(), isPrimary: false)
            link.role = role
            try await link.create(on: db)
            ids.append(try contact.requireID())
        }
        return (record, ids[0], ids[1])
    }

    func token(for caseId: Int, contact: Int) async throws -> String {
        try await ClaimLinks(database: db).create(
            caseId: caseId, for: .init(contactId: contact, name: "Pia Kunde", email: "pia@example.com", phone: "+4511111111", language: .da),
            trigger: .manual, staffId: nil, now: Date()).token
    }

    func counts() async throws -> [Int] {
        [try await OutboxRecord.query(on: db).count(), try await AuditEventRecord.query(on: db).count(),
         try await ClaimLinkSessionRecord.query(on: db).count(),
         try await ClaimLinkRecord.query(on: db).filter(\.$lastOpenedAt != nil).count()]
    }

    func testOpeningALinkWithGETChangesNothingAndSendsNothing() async throws {
        let (record, pia, _) = try await claim()
        var settings = ClaimPageSettings()
        settings.smsCode = true
        try await ClaimSettingsStore(database: db).saveDeployment(settings)
        let token = try await token(for: record.requireID(), contact: pia)
        let before = try await counts()
        let browser = harness.browser()
        let page = try await browser.get("/c/\(token)")
        XCTAssertEqual(page.status, .ok)
        XCTAssertEqual(page.headers.first(name: "Referrer-Policy"), "no-referrer")
        XCTAssertTrue(browser.lastBody.contains("id=\"open-claim\""))
        XCTAssertTrue(browser.lastBody.contains("name=\"token\" value=\"\(token)\""))
        XCTAssertNil(browser.cookies[ClaimLinkController.cookieName])
        // A forged token gets the very same page (GET looks nothing up).
        let forged = try await harness.browser().get("/c/\(ClaimLinkRules.newToken())")
        XCTAssertEqual(forged.status, .ok)
        let after = try await counts()
        XCTAssertEqual(after, before, "no SMS, no audit line, no session, nothing marked opened")
    }

    func testTheButtonOpensTheLinkSetsTheCookieAndRedirectsToTheClaim() async throws {
        let (record, pia, _) = try await claim()
        let token = try await token(for: record.requireID(), contact: pia)
        let browser = harness.browser()
        try await browser.get("/c/\(token)")
        let opened = try await browser.post("/c/open", ["token": token])
        XCTAssertEqual(opened.status, .seeOther)
        XCTAssertEqual(opened.headers.first(name: .location), "/claim")
        XCTAssertEqual(opened.headers.first(name: "Referrer-Policy"), "no-referrer")
        let cookie = try XCTUnwrap(opened.headers.setCookie?[ClaimLinkController.cookieName])
        XCTAssertTrue(cookie.isHTTPOnly)
        XCTAssertEqual(cookie.sameSite, .lax)
        XCTAssertFalse(cookie.string.contains(token))
        let check = try await browser.get("/claim/session-check")
        XCTAssertEqual(check.status, .noContent)
        let audit = try await AuditEventRecord.query(on: db).filter(\.$action == AuditAction.claimLinkOpened.rawValue).count()
        XCTAssertEqual(audit, 1)
        // Without the cookie, nothing.
        let stranger = try await harness.browser().get("/claim/session-check")
        XCTAssertEqual(stranger.status, .notFound)
    }

    func testForgedRevokedAndExpiredLinksGetTheirPages() async throws {
        let (record, pia, carl) = try await claim()
        let browser = harness.browser()
        try await browser.get("/c/\(ClaimLinkRules.newToken())")
        let forged = try await browser.post("/c/open", ["token": ClaimLinkRules.newToken()])
        XCTAssertEqual(forged.status, .notFound)
        let neutral = browser.lastBody
        XCTAssertTrue(neutral.contains("Linket virker ikke") || neutral.contains("Länken fungerar inte") || neutral.contains("This link does not work")
                      || neutral.contains("Lenken virker ikke"))

        let revokedToken = try await token(for: record.requireID(), contact: carl)
        try await ClaimLinks(database: db).revoke(caseId: record.requireID(), contactId: carl, now: Date())
        let revoked = try await browser.post("/c/open", ["token": revokedToken])
        XCTAssertEqual(revoked.status, .notFound)
        XCTAssertEqual(browser.lastBody.replacingOccurrences(of: #"value="[^"]+""#, with: "", options: .regularExpression),
                       neutral.replacingOccurrences(of: #"value="[^"]+""#, with: "", options: .regularExpression),
                       "a revoked link looks exactly like a forged one")

        // Open, then the case closes and the controllable clock passes the 30 days.
        var settings = ClaimPageSettings()
        settings.moreInformation = "Ring Skadeservice på 70 20 30 40."
        try await ClaimSettingsStore(database: db).saveDeployment(settings)
        var portal = try await SettingsStore(database: db).load()
        portal.contactPhone = "+45 70 20 30 40"
        try await SettingsStore(database: db).save(portal)
        let token = try await token(for: record.requireID(), contact: pia)
        try await browser.post("/c/open", ["token": token])
        try await claimAssertEq(try await browser.get("/claim/session-check").status, .noContent)
        let closed = try await CaseRecord.find(record.id, on: db)!
        closed.status = .closed
        closed.closedAt = Date().timeIntervalSince1970
        try await closed.update(on: db)
        try String(31 * 86_400).write(toFile: clockFile, atomically: true, encoding: .utf8)
        let expiredSession = try await browser.get("/claim/session-check")
        XCTAssertEqual(expiredSession.status, .gone)
        XCTAssertTrue(browser.lastBody.contains("30"))
        XCTAssertTrue(browser.lastBody.contains("Ring Skadeservice på 70 20 30 40."))
        XCTAssertTrue(browser.lastBody.contains("+45 70 20 30 40"))
        try await browser.get("/c/\(token)")
        let expiredLink = try await browser.post("/c/open", ["token": token])
        XCTAssertEqual(expiredLink.status, .gone)
    }

    func testTheCodeFormOpensWithTheRightCodeAndPausesAfterWrongOnes() async throws {
        let (record, pia, _) = try await claim()
        var settings = ClaimPageSettings()
        settings.smsCode = true
        try await ClaimSettingsStore(database: db).saveDeployment(settings)
        var portal = try await SettingsStore(database: db).load()
        portal.smsEnabled = true
        try await SettingsStore(database: db).save(portal)
        let token = try await token(for: record.requireID(), contact: pia)
        let browser = harness.browser()
        try await browser.get("/c/\(token)")
        let open = try await browser.post("/c/open", ["token": token])
        XCTAssertEqual(open.headers.first(name: .location), "/c/code")
        try await browser.get("/c/code")
        XCTAssertTrue(browser.lastBody.contains("autocomplete=\"one-time-code\""))
        let sms = try await OutboxRecord.query(on: db).filter(\.$kind == OutboxKind.claimLinkCode.rawValue).first()
        XCTAssertEqual(sms?.channel, "sms")
        XCTAssertEqual(sms?.recipient, "+4511111111")
        let code = try XCTUnwrap(sms?.body.components(separatedBy: CharacterSet.decimalDigits.inverted).first { $0.count == 6 })
        try await claimAssertEq(try await browser.get("/claim/session-check").status, .notFound, "not before the code")
        let wrong = try await browser.post("/c/code", ["code": code == "000000" ? "111111" : "000000"])
        XCTAssertEqual(wrong.status, .unprocessableEntity)
        let right = try await browser.post("/c/code", ["code": code])
        XCTAssertEqual(right.status, .seeOther)
        XCTAssertEqual(right.headers.first(name: .location), "/claim")
        try await claimAssertEq(try await browser.get("/claim/session-check").status, .noContent)
    }

    func testStaffGrantSendAFreshLinkAndRevokeWithConfirmation() async throws {
        let (record, pia, carl) = try await claim()
        let staff = harness.browser()
        try await staff.staffLogin("handler@example.com")
        try await staff.get("/staff/cases/\(record.number)")
        XCTAssertTrue(staff.lastBody.contains("id=\"customer-access\""))
        XCTAssertTrue(staff.lastBody.contains("id=\"recipient-\(pia)\""))
        let granted = try await staff.post("/staff/cases/\(record.number)/customer-access/grant", ["contact": String(pia)])
        XCTAssertEqual(granted.status, .seeOther)
        let mails = try await OutboxRecord.query(on: db).filter(\.$kind == OutboxKind.claimLink.rawValue).all()
        XCTAssertEqual(mails.map(\.recipient), ["pia@example.com"], "SMS is off in the demo")
        try await staff.get("/staff/cases/\(record.number)/customer-access")
        XCTAssertTrue(staff.lastBody.contains("claim-state-active"))
        // A fresh link: the first stops working.
        let firstToken = try XCTUnwrap(mails.first?.body.components(separatedBy: "/c/").last?.prefix(43)).description
        try await staff.post("/staff/cases/\(record.number)/customer-access/grant", ["contact": String(pia)])
        let customer = harness.browser()
        try await customer.get("/c/\(firstToken)")
        try await claimAssertEq(try await customer.post("/c/open", ["token": firstToken]).status, .notFound)
        // Carl has no phone; with SMS off and an e-mail he can still get it; a contact without either cannot.
        let nobody = ContactRecord(firstName: "Nils", lastName: "Utan", email: nil, phone: nil)
        try await nobody.create(on: db)
        try await CaseContactLink(caseId: record.requireID(), contactId: nobody.requireID(), isPrimary: false).create(on: db)
        let refused = try await staff.post("/staff/cases/\(record.number)/customer-access/grant", ["contact": String(try nobody.requireID())])
        XCTAssertEqual(refused.status, .unprocessableEntity)
        XCTAssertTrue(staff.lastBody.contains("role=\"alert\""))
        _ = carl
        // Revoke asks first; only the confirmed post revokes.
        let ask = try await staff.post("/staff/cases/\(record.number)/customer-access/revoke", ["contact": String(pia)])
        XCTAssertEqual(ask.status, .ok)
        XCTAssertTrue(staff.lastBody.contains("name=\"confirm\" value=\"1\""))
        try await claimAssertEq(try await ClaimLinkRecord.query(on: db).filter(\.$revokedAt == nil).count(), 1)
        let done = try await staff.post("/staff/cases/\(record.number)/customer-access/revoke?contact=\(pia)", ["confirm": "1"])
        XCTAssertEqual(done.status, .seeOther)
        try await claimAssertEq(try await ClaimLinkRecord.query(on: db).filter(\.$revokedAt == nil).count(), 0)
    }

    func testTheSettingsPagesShowTheEffectiveValueAndWhereItComesFrom() async throws {
        let (record, _, _) = try await claim()
        let handler = harness.browser()
        try await handler.staffLogin("handler@example.com")
        try await claimAssertEq(try await handler.get("/staff/settings/customer-page").status, .forbidden)

        let admin = harness.browser()
        try await admin.staffLogin("admin@example.com")
        try await admin.get("/staff/settings/customer-page")
        for entry in ClaimFeedEntry.allCases {
            XCTAssertTrue(admin.lastBody.contains("name=\"feedFilter_\(entry.rawValue)\""), entry.rawValue)
        }
        for name in ["smsCode", "recipients", "customerTypes", "linkSent", "daysAfterClose", "overview", "newsFeed", "showPlan",
                     "projectPlan", "messages", "messageDirection", "documents", "shareInspectionReport", "shareSettlementReport",
                     "budget", "showHandlerName", "showHandlerMobile", "showSupplierPhones", "moreInformation"] {
            XCTAssertTrue(admin.lastBody.contains("id=\"setting-\(name)\""), name)
        }
        var form = ClaimSettingsForm.strings(ClaimPageSettings())
        form["feedFilter"] = nil
        form["linkSent"] = "first_inspection"
        form["feedFilter_call_history"] = "1"
        form["feedFilter_case_closed"] = "1"
        // The handler's mobile without the name: refused, everything typed kept.
        form["showHandlerName"] = "false"
        form["showHandlerMobile"] = "true"
        form["moreInformation"] = "Ring os"
        let refused = try await admin.post("/staff/settings/customer-page", form)
        XCTAssertEqual(refused.status, .unprocessableEntity)
        XCTAssertTrue(admin.lastBody.contains("Ring os"))
        XCTAssertTrue(admin.lastBody.contains("<option value=\"first_inspection\" selected>"))
        form["showHandlerName"] = "true"
        let saved = try await admin.post("/staff/settings/customer-page", form)
        XCTAssertEqual(saved.status, .seeOther)
        let deployment = try await ClaimSettingsStore(database: db).deployment()
        XCTAssertEqual(deployment.linkSent, .firstInspection)
        XCTAssertEqual(deployment.feedFilter, [.callHistory, .caseClosed])
        XCTAssertTrue(deployment.showHandlerMobile)

        // The customer's level: "as the portal (value)" or an own value.
        let customerId = try XCTUnwrap(record.customerId)
        try await handler.get("/staff/customers/\(customerId)/customer-page")
        XCTAssertTrue(handler.lastBody.contains("<option value=\"\" selected>"))
        let customerSaved = try await handler.post("/staff/customers/\(customerId)/customer-page", ["recipients": "both", "daysAfterClose": ""])
        XCTAssertEqual(customerSaved.status, .seeOther)
        try await claimAssertEq(try await ClaimSettingsStore(database: db).customer(customerId).recipients, .both)

        // The case's page: own value → "this case", the customer's → "customer", the rest → the portal's.
        let caseSaved = try await handler.post("/staff/cases/\(record.number)/customer-access", ["daysAfterClose": "14"])
        XCTAssertEqual(caseSaved.status, .seeOther)
        try await handler.get("/staff/cases/\(record.number)/customer-access")
        let page = handler.lastBody
        func source(of name: String) -> String? {
            guard let start = page.range(of: "id=\"setting-\(name)\"") else { return nil }
            let rest = page[start.upperBound...]
            guard let tag = rest.range(of: "tag-source-") else { return nil }
            return String(rest[tag.upperBound...].prefix { $0 != " " && $0 != "\"" })
        }
        XCTAssertEqual(source(of: "daysAfterClose"), "case")
        XCTAssertEqual(source(of: "recipients"), "customer")
        XCTAssertEqual(source(of: "linkSent"), "deployment")
        try await claimAssertEq(try await ClaimSettingsStore(database: db).levels(caseId: record.requireID()).effective.daysAfterClose, 14)
    }
}

/// `XCTAssertEqual` for a value an async call gives.
func claimAssertEq<T: Equatable>(_ a: @autoclosure () async throws -> T, _ b: T, _ message: String = "",
                                 file: StaticString = #filePath, line: UInt = #line) async throws {
    let value = try await a()
    XCTAssertEqual(value, b, message, file: file, line: line)
}
