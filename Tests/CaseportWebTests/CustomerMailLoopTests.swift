import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Foundation
import Vapor
import XCTest

/// Issue 11 through the real app: the company's reply and status changes reach the customer through a
/// real SMTP server on loopback with the case's reply address, and answering lands on the case (point 2);
/// the user's own mail choice; the approval button and the unreachable list (point 11); shared accounts
/// (point 12); the new settings (point 15).
final class CustomerMailLoopTests: XCTestCase {
    var harness: WebHarness!
    var smtp: SMTPTestServer?

    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws {
        smtp?.stop()
        try await harness.shutdown()
    }

    var db: any Database { harness.app.db }

    func annasCase() async throws -> CaseRecord {
        let customer = try await Demo.customer("1001", on: db)
        let record = try await CaseRecord.query(on: db).filter(\.$customerId == customer.id!)
            .filter(\.$status != .closed).filter(\.$status != .resolved).filter(\.$status != .waitingForCustomer)
            .sort(\.$number, .descending).first()!
        // Anna wrote it (demo cases name their writer but not always the account).
        record.createdByUserId = try await anna().id
        record.createdByPersonId = nil
        try await record.save(on: db)
        return record
    }

    func anna() async throws -> PortalUserRecord {
        try await PortalUserRecord.query(on: db).filter(\.$username == "anna").first()!
    }

    func staffBrowser(_ email: String = "handler@example.com") async throws -> Browser {
        let staff = harness.browser()
        try await staff.staffLogin(email)
        return staff
    }

    func move(_ staff: Browser, _ record: CaseRecord, to status: String) async throws {
        let current = try await CaseRecord.find(record.id, on: db)!
        try await staff.get("/staff/cases/\(current.number)")
        let moved = try await staff.post("/staff/cases/\(current.number)/status", ["status": status, "version": String(current.version)])
        XCTAssertEqual(moved.status, .seeOther)
    }

    func customerMails(to address: String) async throws -> [OutboxRecord] {
        try await OutboxRecord.query(on: db).filter(\.$recipient == address).sort(\.$id).all()
            .filter { ($0.kind ?? "").hasPrefix("customer_case_") }
    }

    // MARK: Point 2: the loop over SMTP and the mail gate

    func testTheCompanysReplyReachesTheCustomerBySMTPAndTheirAnswerLandsOnTheCase() async throws {
        let server = try SMTPTestServer()
        smtp = server
        let target = try await annasCase()
        let user = try await anna()
        user.language = "en"
        try await user.save(on: db)
        let staff = try await staffBrowser()
        try await staff.get("/staff/cases/\(target.number)")
        try await staff.post("/staff/cases/\(target.number)/messages", ["body": "Intern notering", "internal": "1"])
        try await staff.post("/staff/cases/\(target.number)/messages", ["body": "We come on Thursday morning."])
        try await move(staff, target, to: "waiting_for_customer")

        var config = DeliveryConfig()
        config.smtp = SMTPSettings(host: "127.0.0.1", port: server.port, security: .none, from: "support@fastighet.example")
        config.companyName = "Fastighetsservice"
        config.replyAddress = "svar@fastighet.example"
        config.secret = "loop-secret"
        let worker = OutboxWorker(database: db, config: config, group: harness.app.eventLoopGroup, client: harness.app.client,
                                  logger: harness.app.logger)
        while try await worker.deliverBatch() > 0 {}

        let mails = try server.received().filter { $0.envelope_to == ["anna@solglantan.example"] }
        XCTAssertEqual(mails.count, 2, "the public message and 'waiting for you'; the internal note is not mailed")
        let message = try XCTUnwrap(mails.first { $0.subject?.hasPrefix("New message on case \(target.number)") == true })
        XCTAssertEqual(message.content_language, "en")
        XCTAssertTrue(message.text?.contains("We come on Thursday morning.") ?? false)
        XCTAssertFalse(message.text?.contains("Intern notering") ?? true)
        let waiting = try XCTUnwrap(mails.first { $0.subject?.contains("Waiting for you") == true })
        XCTAssertTrue(waiting.text?.contains("/cases/\(target.number)") ?? false)
        let replyTo = try XCTUnwrap(message.reply_to).trimmingCharacters(in: CharacterSet(charactersIn: "<>"))
        let token = try XCTUnwrap(ReplyTokens.token(inAddress: replyTo))
        XCTAssertEqual(ReplyTokens(secret: "loop-secret").verify(token: token, sender: "anna@solglantan.example"), target.id)

        // Anna answers the mail; the mail gate puts the answer on the case.
        let raw = """
            From: Anna Lindqvist <anna@solglantan.example>
            To: <\(replyTo)>
            Subject: Re: \(message.subject ?? "")
            Content-Type: text/plain; charset=utf-8

            Thursday works, thank you.

            > We come on Thursday morning.
            """.replacingOccurrences(of: "\n", with: "\r\n")
        let gate = MailGate(database: db, storage: harness.app.caseport.storage, tokens: ReplyTokens(secret: "loop-secret"),
                            translations: harness.app.caseport.translations)
        let outcome = try await gate.receive(Array(raw.utf8))
        guard case .placed(let caseId, let messageId, _) = outcome else { return XCTFail("\(outcome)") }
        XCTAssertEqual(caseId, target.id)
        let placed = try await CaseMessageRecord.find(messageId, on: db)
        XCTAssertEqual(placed?.body, "Thursday works, thank you.")
    }

    func testAUserTurnsTheCaseMailsOffOnTheirOwnPage() async throws {
        let target = try await annasCase()
        let user = try await anna()
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        try await browser.get("/cases")
        XCTAssertTrue(browser.lastBody.contains("href=\"/users/\(user.id!)\""), "the signed-in name leads to the user's own page")
        try await browser.get("/users/\(user.id!)")
        XCTAssertTrue(browser.lastBody.contains("action=\"/account/case-mail\""))
        XCTAssertTrue(browser.lastBody.contains("name=\"case_mail\" value=\"1\" checked"))
        let saved = try await browser.post("/account/case-mail", [:])
        XCTAssertEqual(saved.status, .seeOther)
        XCTAssertEqual(saved.headers.first(name: .location), "/users/\(user.id!)?notice=saved#case-mail")
        let off = try await anna()
        XCTAssertEqual(off.caseMailOff, true)
        try await browser.get("/users/\(user.id!)")
        XCTAssertFalse(browser.lastBody.contains("name=\"case_mail\" value=\"1\" checked"))

        let staff = try await staffBrowser()
        try await staff.get("/staff/cases/\(target.number)")
        try await staff.post("/staff/cases/\(target.number)/messages", ["body": "Hej Anna"])
        var mails = try await customerMails(to: "anna@solglantan.example")
        XCTAssertTrue(mails.isEmpty)

        try await browser.get("/users/\(user.id!)")
        try await browser.post("/account/case-mail", ["case_mail": "1"])
        try await staff.get("/staff/cases/\(target.number)")
        try await staff.post("/staff/cases/\(target.number)/messages", ["body": "Hej igen"])
        mails = try await customerMails(to: "anna@solglantan.example")
        XCTAssertEqual(mails.count, 1)
        // Without the CSRF token nothing changes.
        let forged = try await browser.post("/account/case-mail", [:], csrf: false)
        XCTAssertEqual(forged.status, .forbidden)
    }

    // MARK: Point 11

    func testTheApproveButtonReadsTestedOKWhereTheCaseTypeSaysSo() async throws {
        let target = try await annasCase()
        let type = CaseTypeRecord(name: "Utveckling")
        type.approvalLabel = "tested_ok"
        try await type.create(on: db)
        target.caseTypeId = type.id
        try await target.save(on: db)
        let staff = try await staffBrowser()
        try await move(staff, target, to: "resolved")
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        try await browser.get("/cases/\(target.number)")
        XCTAssertTrue(browser.lastBody.contains(">Testad ok</button>"))
        try await browser.post("/language", ["language": "en"])
        try await browser.get("/cases/\(target.number)")
        XCTAssertTrue(browser.lastBody.contains(">Tested OK</button>"))
        try await browser.post("/cases/\(target.number)/approve", [:])
        let messages = try await CaseMessageRecord.query(on: db).filter(\.$caseId == target.id!).sort(\.$id).all()
        XCTAssertEqual(messages.last?.body, "Tested OK by the customer.")

        // The administrator sets it on the case type's page.
        let admin = try await staffBrowser("admin@example.com")
        try await admin.get("/staff/settings/types/\(type.id!)")
        XCTAssertTrue(admin.lastBody.contains("name=\"approval\" value=\"tested_ok\" checked"))
        let saved = try await admin.post("/staff/settings/types/\(type.id!)", ["name": "Utveckling", "description": "", "order": "1",
                                                                               "active": "1", "approval": "approved"])
        XCTAssertEqual(saved.status, .seeOther)
        let stored = try await CaseTypeRecord.find(type.id, on: db)
        XCTAssertNil(stored?.approvalLabel, "approved is the default")
    }

    func testACaseNobodyCanBeRemindedIsListedOnTheStaffHomePage() async throws {
        let target = try await annasCase()
        target.approvalUnreachedAt = Date().timeIntervalSince1970
        target.status = .resolved
        try await target.save(on: db)
        let staff = try await staffBrowser()
        try await staff.get("/staff")
        XCTAssertTrue(staff.lastBody.contains("id=\"unreached\""))
        XCTAssertTrue(staff.lastBody.contains("href=\"/staff/cases/\(target.number)\""))
        try await move(staff, target, to: "closed")
        try await staff.get("/staff")
        XCTAssertFalse(staff.lastBody.contains("id=\"unreached\""))
    }

    // MARK: Point 12

    func testASharedAccountNamesThePersonForUploadsAndNotOK() async throws {
        let board = try await PortalUserRecord.query(on: db).filter(\.$username == "styrelsen").first()!
        let person = try await AccountPeople(database: db).add(userId: board.id!, firstName: "Eva", lastName: "Ek",
                                                                email: "eva@solglantan.example", phone: nil)
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "styrelsen")
        try await browser.get("/cases")
        let number = try XCTUnwrap(browser.listedCaseNumbers.first)
        let record = try await CaseRecord.query(on: db).filter(\.$number == number).first()!
        try await browser.get("/cases/\(number)")
        XCTAssertTrue(browser.lastBody.contains("id=\"upload-person\""))
        let refused = try await browser.upload("/cases/\(number)/files", files: [("bild.png", "image/png", Demo.pngBytes())])
        XCTAssertEqual(refused.status, .unprocessableEntity)
        XCTAssertTrue(browser.lastBody.contains("id=\"upload-person-error\""))
        var files = try await StoredFileRecord.query(on: db).filter(\.$caseId == record.id!).filter(\.$originalName == "bild.png").all()
        XCTAssertTrue(files.isEmpty)
        // The picked person's id travels as the multipart field "person".
        let boundary = "----caseport-shared"
        var body = ByteBuffer()
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n\(browser.csrfToken ?? "")\r\n")
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"person\"\r\n\r\n\(person.id!)\r\n")
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"files\"; filename=\"bild.png\"\r\nContent-Type: image/png\r\n\r\n")
        body.writeBytes(Demo.pngBytes())
        body.writeString("\r\n--\(boundary)--\r\n")
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        let uploaded = try await browser.send(.POST, "/cases/\(number)/files", headers: headers, body: body)
        XCTAssertEqual(uploaded.status, .seeOther)
        files = try await StoredFileRecord.query(on: db).filter(\.$caseId == record.id!).filter(\.$originalName == "bild.png").all()
        XCTAssertEqual(files.map(\.uploaderName), [person.displayName])

        let staff = try await staffBrowser()
        try await move(staff, record, to: "resolved")
        try await browser.get("/cases/\(number)")
        XCTAssertTrue(browser.lastBody.contains("id=\"reject-person\""))
        let missing = try await browser.post("/cases/\(number)/not-ok", ["comment": "Läcker"])
        XCTAssertEqual(missing.status, .unprocessableEntity)
        XCTAssertTrue(browser.lastBody.contains("id=\"reject-person-error\""))
        let rejected = try await browser.post("/cases/\(number)/not-ok", ["comment": "Läcker", "person": String(person.id!)])
        XCTAssertEqual(rejected.status, .seeOther)
        let last = try await CaseMessageRecord.query(on: db).filter(\.$caseId == record.id!).sort(\.$id).all().last
        XCTAssertEqual(last?.authorName, person.displayName)
    }

    // MARK: Point 15

    func testTheSettingsPageSavesTheNewCaseRulesAndTheReminderTime() async throws {
        let admin = try await staffBrowser("admin@example.com")
        try await admin.get("/staff/settings")
        XCTAssertTrue(admin.lastBody.contains("name=\"category_required\""))
        XCTAssertTrue(admin.lastBody.contains("(5 "), "the server's default is named")
        var fields = ["intake": "cases", "login_field": "any", "password_min_length": "6", "password_digit": "1",
                      "password_uppercase": "1", "category_required": "1", "customer_required": "1", "approval_reminder_days": "400"]
        let refused = try await admin.post("/staff/settings", fields)
        XCTAssertEqual(refused.status, .unprocessableEntity)
        XCTAssertTrue(admin.lastBody.contains("id=\"ard-error\""))
        XCTAssertTrue(admin.lastBody.contains("value=\"400\""), "what was typed comes back")
        fields["approval_reminder_days"] = "3"
        let saved = try await admin.post("/staff/settings", fields)
        XCTAssertEqual(saved.status, .seeOther)
        let settings = try await SettingsStore(database: db).load()
        XCTAssertEqual(settings.approvalReminderDays, 3)
        XCTAssertTrue(settings.categoryRequired)
        XCTAssertTrue(settings.customerRequired)
        XCTAssertFalse(settings.objectRequired)
    }

    func testTheNewCaseFormMarksAndEnforcesAMandatoryCategory() async throws {
        var settings = try await SettingsStore(database: db).load()
        settings.categoryRequired = true
        try await SettingsStore(database: db).save(settings)
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        let type = try await CaseTypeRecord.query(on: db).filter(\.$isActive == true).first()!
        try await browser.get("/cases/new?type=\(type.id!)")
        XCTAssertTrue(browser.lastBody.contains("<label for=\"category\">Kategori <span class=\"required\">"))
        let response = try await browser.post("/cases/new", ["type": String(type.id!), "subject": "Dörr", "description": "Trasig",
                                                             "category": ""])
        XCTAssertEqual(response.status, .unprocessableEntity)
        XCTAssertTrue(browser.lastBody.contains("Välj en kategori: varje nytt ärende måste ha en här."))
    }
}
