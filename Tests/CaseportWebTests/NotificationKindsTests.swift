import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Foundation
import Vapor
import XCTest

/// What is sent (issue 5 item 4): lost password (A4), the handler's notice (D4), SMS when the company writes.
final class NotificationKindsTests: XCTestCase {
    var harness: WebHarness!

    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws { try await harness.shutdown() }

    func annasCase() async throws -> CaseRecord {
        let customer = try await Demo.customer("1001", on: harness.app.db)
        return try await CaseRecord.query(on: harness.app.db).filter(\.$customerId == customer.id!)
            .filter(\.$status != .closed).sort(\.$number, .descending).first()!
    }

    func testLostPasswordMailsAOneHourOneTimeLinkAndAnswersAlikeForUnknownAccounts() async throws {
        let server = try SMTPTestServer()
        defer { server.stop() }
        let browser = harness.browser()
        try await browser.get("/login")
        XCTAssertTrue(browser.lastBody.contains("href=\"/password/forgot\""))
        try await browser.get("/password/forgot")
        let known = try await browser.post("/password/forgot", ["organisation": "solglantan", "username": "anna"])
        XCTAssertEqual(known.status, .ok)
        let knownAnswer = browser.lastBody.components(separatedBy: "role=\"status\">").last?.components(separatedBy: "<").first
        let unknown = try await browser.post("/password/forgot", ["organisation": "solglantan", "username": "nobody"])
        XCTAssertEqual(unknown.status, .ok)
        let unknownAnswer = browser.lastBody.components(separatedBy: "role=\"status\">").last?.components(separatedBy: "<").first
        XCTAssertNotNil(knownAnswer)
        XCTAssertEqual(knownAnswer, unknownAnswer, "the same answer whether the account exists or not")
        let rows = try await OutboxRecord.query(on: harness.app.db).filter(\.$kind == "password_reset").all()
        XCTAssertEqual(rows.map(\.recipient), ["anna@solglantan.example"])

        // Delivered for real: the mail carries the link.
        var config = DeliveryConfig()
        config.smtp = SMTPSettings(host: "127.0.0.1", port: server.port, security: .none, from: "noreply@fastighet.example")
        let worker = OutboxWorker(database: harness.app.db, config: config, group: harness.app.eventLoopGroup,
                                  client: harness.app.client, logger: harness.app.logger)
        while try await worker.deliverBatch() > 0 {}
        let mail = try XCTUnwrap(try server.received().first)
        XCTAssertEqual(mail.envelope_to, ["anna@solglantan.example"])
        XCTAssertEqual(mail.subject, "Välj ett nytt lösenord")
        let text = try XCTUnwrap(mail.text)
        let link = try XCTUnwrap(text.split(whereSeparator: \.isWhitespace).first { $0.contains("/password/set?token=") })
        let token = String(link.split(separator: "=").last!)

        // Valid for an hour, not longer.
        let tokens = AccountTokens(database: harness.app.db)
        let inAnHour = try await tokens.isValid(token: token, purpose: "set_password", now: Date().addingTimeInterval(3_500))
        XCTAssertTrue(inAnHour)
        let later = try await tokens.isValid(token: token, purpose: "set_password", now: Date().addingTimeInterval(3_700))
        XCTAssertFalse(later)

        // The password policy applies, then the new password works, and the link works once.
        let user = PortalUserPath(token: token)
        try await browser.get(user.path)
        let weak = try await browser.post("/password/set", ["token": token, "password": "abc", "password_confirm": "abc"])
        XCTAssertEqual(weak.status, .unprocessableEntity)
        let done = try await browser.post("/password/set", ["token": token, "password": "Nytt1234", "password_confirm": "Nytt1234"])
        XCTAssertEqual(done.status, .ok)
        let again = try await browser.post("/password/set", ["token": token, "password": "Nytt5678", "password_confirm": "Nytt5678"])
        XCTAssertEqual(again.status, .notFound)
        let login = try await harness.browser().portalLogin("solglantan", "anna", password: "Nytt1234")
        XCTAssertEqual(login.headers.first(name: .location), "/cases")
    }

    struct PortalUserPath { var token: String; var path: String { "/password/set?token=\(token)" } }

    func testLostPasswordRequestsAreRateLimited() async throws {
        let browser = harness.browser()
        try await browser.get("/password/forgot")
        for _ in 0..<8 {
            let response = try await browser.post("/password/forgot", ["organisation": "solglantan", "username": "anna"])
            XCTAssertEqual(response.status, .ok)
        }
        let count = try await OutboxRecord.query(on: harness.app.db).filter(\.$kind == "password_reset").count()
        XCTAssertEqual(count, 5, "five links, then the account's requests rest for a while")
    }

    func testLostPasswordFormKeepsInputAndShowsErrors() async throws {
        let browser = harness.browser()
        try await browser.get("/password/forgot")
        let response = try await browser.post("/password/forgot", ["organisation": "solglantan", "username": ""])
        XCTAssertEqual(response.status, .unprocessableEntity)
        XCTAssertTrue(browser.lastBody.contains("value=\"solglantan\""))
        XCTAssertTrue(browser.lastBody.contains("id=\"username-error\""))
    }

    func testHandlerIsToldWhenTheCustomerWritesOrUploads() async throws {
        let target = try await annasCase()
        let handler = try await StaffUserRecord.query(on: harness.app.db).filter(\.$email == "handler@example.com").first()!
        target.handlerId = handler.id
        try await target.update(on: harness.app.db)
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        try await browser.get("/cases/\(target.number)")
        try await browser.post("/cases/\(target.number)/messages", ["body": "Det droppar igen."])
        try await browser.get("/cases/\(target.number)")
        try await browser.upload("/cases/\(target.number)/files", files: [("bild.png", "image/png", Demo.pngBytes())])
        let rows = try await OutboxRecord.query(on: harness.app.db).filter(\.$recipient == "handler@example.com").sort(\.$id).all()
        XCTAssertEqual(rows.map(\.kind), ["handler_customer_message", "handler_customer_upload"])
        XCTAssertTrue(rows[0].body.contains("Det droppar igen."))
        XCTAssertTrue(rows[0].body.contains("/staff/cases/\(target.number)"))
        XCTAssertTrue(rows[1].body.contains("bild.png"))
        XCTAssertEqual(rows.map(\.caseId), [target.id, target.id])
        XCTAssertEqual(rows.map(\.language), ["sv", "sv"], "a handler who chose no language gets the fallback")

        // A handler who switched the back office to English gets the next notice in English.
        let staff = harness.browser()
        try await staff.staffLogin("handler@example.com")
        try await staff.get("/staff")
        try await staff.post("/language", ["language": "en", "returnTo": "/staff"])
        try await browser.get("/cases/\(target.number)")
        try await browser.post("/cases/\(target.number)/messages", ["body": "Now it drips in the hall too."])
        let english = try await OutboxRecord.query(on: harness.app.db).filter(\.$recipient == "handler@example.com")
            .sort(\.$id, .descending).first()
        XCTAssertEqual(english?.language, "en")
        XCTAssertEqual(english?.subject, harness.app.caseport.translations.text("mail_handler_customer_message_subject", in: .en)
            .replacingOccurrences(of: "{number}", with: String(target.number)).replacingOccurrences(of: "{subject}", with: target.subject))
    }

    func testCustomerWhoAskedForSMSGetsOneWhenTheCompanyWrites() async throws {
        var settings = try await SettingsStore(database: harness.app.db).load()
        settings.smsEnabled = true
        try await SettingsStore(database: harness.app.db).save(settings)
        let target = try await annasCase()
        target.smsPhone = "+46701234567"
        try await target.update(on: harness.app.db)
        let staff = harness.browser()
        try await staff.staffLogin("handler@example.com")
        try await staff.get("/staff/cases/\(target.number)")
        try await staff.post("/staff/cases/\(target.number)/messages", ["body": "Vi kommer på tisdag."])
        try await staff.get("/staff/cases/\(target.number)")
        try await staff.post("/staff/cases/\(target.number)/messages", ["body": "Intern notering", "internal": "1"])
        let texts = try await OutboxRecord.query(on: harness.app.db).filter(\.$channel == "sms").all()
        XCTAssertEqual(texts.count, 1, "one text for the public message, none for the internal note")
        XCTAssertEqual(texts.first?.recipient, "+46701234567")
        XCTAssertTrue(texts.first?.body.contains("\(target.number)") ?? false)
        XCTAssertTrue(texts.first?.body.contains("/cases/\(target.number)") ?? false)
    }
}
