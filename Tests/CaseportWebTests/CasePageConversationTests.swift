import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Vapor
import XCTVapor
import XCTest

/// Issue 12 points 1 and 3: the conversation-first case page — files inside the message they came
/// with, replies that carry files, the two staff answer modes (a note never reaches the customer),
/// the error summary, and upload forms whose CSRF token travels only in the body.
final class CasePageConversationTests: XCTestCase {
    var harness: WebHarness!
    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws { try await harness.shutdown() }

    var db: any Database { harness.app.db }

    func annaOnHerCase() async throws -> (Browser, CaseRecord) {
        let customer = try await Demo.customer("1001", on: db)
        let target = try await CaseRecord.query(on: db).filter(\.$customerId == customer.id!)
            .filter(\.$status != .closed).filter(\.$status != .resolved).sort(\.$number, .descending).first()!
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        try await browser.get("/cases/\(target.number)")
        return (browser, target)
    }

    func staff() async throws -> Browser {
        let staff = harness.browser()
        try await staff.staffLogin("handler@example.com")
        return staff
    }

    /// The HTML of one message on the last page, from its `<li id="message-…">` to its end.
    func messageBlock(_ html: String, id: Int) throws -> String {
        let start = try XCTUnwrap(html.range(of: "id=\"message-\(id)\""), "message \(id) is on the page")
        let rest = html[start.upperBound...]
        let end = rest.range(of: "</li>")?.lowerBound ?? rest.endIndex
        return String(rest[..<end])
    }

    // MARK: Files inside their message

    func testACustomersReplyWithAFileShowsItAsAChipInThatMessageAndOnlyTheAccessRuleLetsItOut() async throws {
        let (anna, target) = try await annaOnHerCase()
        let reply = try await anna.upload("/cases/\(target.number)/messages", files: [("kran.png", "image/png", Demo.pngBytes())],
                                          fields: [("body", "Här är en bild på kranen.")])
        XCTAssertEqual(reply.status, .seeOther)
        let message = try await XCTUnwrapAsync(try await CaseMessageRecord.query(on: db).filter(\.$caseId == target.id!)
            .filter(\.$body == "Här är en bild på kranen.").first())
        let file = try await XCTUnwrapAsync(try await StoredFileRecord.query(on: db).filter(\.$caseId == target.id!)
            .filter(\.$originalName == "kran.png").first())
        XCTAssertEqual(file.messageId, message.id, "the file belongs to the message it came with")
        XCTAssertEqual(file.uploadedByUserId, message.authorUserId)
        // One message, not a reply plus a separate "file uploaded" line.
        let lines = try await CaseMessageRecord.query(on: db).filter(\.$caseId == target.id!).filter(\.$body ~~ "kran.png").count()
        XCTAssertEqual(lines, 0)

        try await anna.get("/cases/\(target.number)")
        let block = try messageBlock(anna.lastBody, id: message.id!)
        XCTAssertTrue(block.contains("href=\"/cases/\(target.number)/files/\(file.id!)\""), "the chip is inside the message")
        XCTAssertTrue(block.contains("kran.png"))
        let download = try await anna.get("/cases/\(target.number)/files/\(file.id!)")
        XCTAssertEqual(download.status, .ok)
        XCTAssertEqual(Array(download.body.readableBytesView), Demo.pngBytes())

        // Another customer's user gets 404 for the case and for the file, even with the right ids.
        let erik = harness.browser()
        try await erik.portalLogin("norrsken", "erik")
        let foreign = try await erik.get("/cases/\(target.number)/files/\(file.id!)")
        XCTAssertEqual(foreign.status, .notFound)
        // Staff see the same chip in the same message.
        let handler = try await staff()
        try await handler.get("/staff/cases/\(target.number)")
        XCTAssertTrue(try messageBlock(handler.lastBody, id: message.id!).contains("href=\"/staff/files/\(file.id!)\""))
    }

    func testAStaffReplyCarriesFilesToTheCustomer() async throws {
        let (anna, target) = try await annaOnHerCase()
        let handler = try await staff()
        try await handler.get("/staff/cases/\(target.number)")
        let sent = try await handler.upload("/staff/cases/\(target.number)/messages",
                                            files: [("offert.txt", "text/plain", Array("Offert 1 200 kr".utf8))],
                                            fields: [("body", "Offerten bifogas.")])
        XCTAssertEqual(sent.status, .seeOther)
        let message = try await XCTUnwrapAsync(try await CaseMessageRecord.query(on: db).filter(\.$caseId == target.id!)
            .filter(\.$body == "Offerten bifogas.").first())
        XCTAssertFalse(message.isInternal)
        let file = try await XCTUnwrapAsync(try await StoredFileRecord.query(on: db).filter(\.$messageId == message.id!).first())
        XCTAssertEqual(file.originalName, "offert.txt")
        XCTAssertNotNil(file.uploadedByStaffId)
        try await anna.get("/cases/\(target.number)")
        XCTAssertTrue(try messageBlock(anna.lastBody, id: message.id!).contains("offert.txt"))
        let download = try await anna.get("/cases/\(target.number)/files/\(file.id!)")
        XCTAssertEqual(download.body.string, "Offert 1 200 kr")
    }

    func testAnUploadWithoutAMessageShowsItsFileInItsOwnLine() async throws {
        let (anna, target) = try await annaOnHerCase()
        let response = try await anna.upload("/cases/\(target.number)/files", files: [("ritning.png", "image/png", Demo.pngBytes())])
        XCTAssertEqual(response.status, .seeOther)
        let file = try await XCTUnwrapAsync(try await StoredFileRecord.query(on: db).filter(\.$originalName == "ritning.png").first())
        let line = try await XCTUnwrapAsync(try await CaseMessageRecord.find(try XCTUnwrap(file.messageId), on: db))
        XCTAssertTrue(line.body.contains("ritning.png"))
        try await anna.get("/cases/\(target.number)")
        XCTAssertTrue(try messageBlock(anna.lastBody, id: line.id!).contains("/files/\(file.id!)"))
    }

    // MARK: Two answer modes

    func testTheStaffPageHasTwoSeparateAnswerForms() async throws {
        let (_, target) = try await annaOnHerCase()
        let handler = try await staff()
        try await handler.get("/staff/cases/\(target.number)")
        let page = handler.lastBody
        XCTAssertTrue(page.contains("action=\"/staff/cases/\(target.number)/messages#reply\""))
        XCTAssertTrue(page.contains("action=\"/staff/cases/\(target.number)/notes#note\""))
        XCTAssertFalse(page.contains("name=\"internal\""), "no checkbox or switch decides who reads it")
        let t = harness.app.caseport.translations
        XCTAssertTrue(page.contains(t.text("casepage_save_note", in: .sv)))
        XCTAssertTrue(page.contains(t.text("casepage_send_reply", in: .sv)))
    }

    func testANoteNeverReachesTheCustomerPageTheOutboxOrTheAPI() async throws {
        let (anna, target) = try await annaOnHerCase()
        let handler = try await staff()
        try await handler.get("/staff/cases/\(target.number)")
        let outboxBefore = try await OutboxRecord.query(on: db).count()
        // The note form's route writes a note whatever the form says.
        let saved = try await handler.post("/staff/cases/\(target.number)/notes", ["body": "Hemlig notering om kunden", "internal": "0"])
        XCTAssertEqual(saved.status, .seeOther)
        let note = try await XCTUnwrapAsync(try await CaseMessageRecord.query(on: db).filter(\.$body == "Hemlig notering om kunden").first())
        XCTAssertTrue(note.isInternal)
        let outboxAfter = try await OutboxRecord.query(on: db).count()
        XCTAssertEqual(outboxAfter, outboxBefore, "no mail or text for a note")
        let mailed = try await OutboxRecord.query(on: db).all().contains { $0.body.contains("Hemlig notering") }
        XCTAssertFalse(mailed)

        try await anna.get("/cases/\(target.number)")
        XCTAssertFalse(anna.lastBody.contains("Hemlig notering"))

        // A note with files is refused and keeps nothing: the customer sees every case file.
        let withFile = try await handler.upload("/staff/cases/\(target.number)/messages",
                                                files: [("intern.txt", "text/plain", Array("x".utf8))],
                                                fields: [("body", "Intern med fil"), ("internal", "1")])
        XCTAssertEqual(withFile.status, .unprocessableEntity)
        let kept = try await StoredFileRecord.query(on: db).filter(\.$originalName == "intern.txt").count()
        XCTAssertEqual(kept, 0)

        // The API with the customer's token lists the case's messages without it.
        let token = APITokens.newToken()
        let record = APITokenRecord()
        let user = try await XCTUnwrapAsync(try await PortalUserRecord.query(on: db).filter(\.$username == "anna").first())
        record.tokenHash = APITokens.hash(token)
        record.prefix = String(token.prefix(12))
        record.name = "test"
        record.scope = .read
        record.createdAt = Date().timeIntervalSince1970
        record.createdByName = "test"
        record.realm = .portal
        record.portalUserId = try user.requireID()
        record.organisationId = user.organisationId
        try await record.create(on: db)
        var headers = HTTPHeaders()
        headers.add(name: .authorization, value: "Bearer \(token)")
        let listed = try await harness.app.testable().sendRequest(.GET, APIRoutes.prefix + "/cases/\(target.number)/messages",
                                                                  headers: headers)
        XCTAssertEqual(listed.status, .ok)
        XCTAssertFalse(listed.body.string.contains("Hemlig notering"))
        XCTAssertTrue(listed.body.string.contains("\"body\""), "the list has the case's public messages")
    }

    // MARK: Error summary

    func testAnEmptyMessageComesBackWithTheErrorSummaryLinkingToTheField() async throws {
        let (anna, target) = try await annaOnHerCase()
        let refused = try await anna.post("/cases/\(target.number)/messages", ["body": "   "])
        XCTAssertEqual(refused.status, .unprocessableEntity)
        let page = anna.lastBody
        XCTAssertTrue(page.contains("id=\"error-summary\" role=\"alert\""))
        XCTAssertTrue(page.contains("<a href=\"#body\">"), "the summary links to the field")
        XCTAssertTrue(page.contains("<details class=\"write-message\" id=\"write\" open>"), "the write box is open")
        let summary = try XCTUnwrap(page.range(of: "id=\"error-summary\""))
        let conversation = try XCTUnwrap(page.range(of: "id=\"messages\""))
        XCTAssertLessThan(summary.lowerBound, conversation.lowerBound, "the summary is at the top")
    }

    func testARefusedReplyWithFilesKeepsTheTextAndStoresNothing() async throws {
        let (anna, target) = try await annaOnHerCase()
        // Too long a text with a file: the text comes back, the file is not kept.
        let long = String(repeating: "Droppar. ", count: InputLimits.message / 9 + 10)
        let tooLong = try await anna.upload("/cases/\(target.number)/messages", files: [("a.png", "image/png", Demo.pngBytes())],
                                            fields: [("body", long)])
        XCTAssertEqual(tooLong.status, .unprocessableEntity)
        XCTAssertTrue(anna.lastBody.contains("<a href=\"#body\">"))
        XCTAssertTrue(anna.lastBody.contains("<a href=\"#message-files\">"), "the files must be chosen again")
        XCTAssertTrue(anna.lastBody.contains(String(long.prefix(200))), "what was typed is kept")
        let storedAfterLong = try await StoredFileRecord.query(on: db).filter(\.$originalName == "a.png").count()
        XCTAssertEqual(storedAfterLong, 0)

        // Too many files: refused while streaming, the typed text still comes back.
        let eleven = (1...11).map { ("f\($0).txt", "text/plain", Array("x".utf8)) }
        let tooMany = try await anna.upload("/cases/\(target.number)/messages", files: eleven,
                                            fields: [("body", "Elva filer på en gång")])
        XCTAssertNotEqual(tooMany.status, .seeOther)
        XCTAssertTrue(anna.lastBody.contains("Elva filer på en gång</textarea>"))
        XCTAssertTrue(anna.lastBody.contains("<a href=\"#message-files\">"))
        let messages = try await CaseMessageRecord.query(on: db).filter(\.$body == "Elva filer på en gång").count()
        XCTAssertEqual(messages, 0)
        let stored = try await StoredFileRecord.query(on: db).filter(\.$caseId == target.id!).filter(\.$originalName ~~ "f1").count()
        XCTAssertEqual(stored, 0)
    }

    func testABadClassificationOpensTheChangeBoxWithTheSummaryLinkingToIt() async throws {
        var settings = try await SettingsStore(database: db).load()
        settings.customerMayEditCategory = true
        try await SettingsStore(database: db).save(settings)
        let (anna, target) = try await annaOnHerCase()
        XCTAssertNotNil(target.categoryId, "the demo case has a category")
        // A category cannot be blanked once set: the field's error, in the "Change" box, opened.
        let refused = try await anna.post("/cases/\(target.number)/classification", ["category": "", "version": String(target.version)])
        XCTAssertEqual(refused.status, .unprocessableEntity)
        XCTAssertTrue(anna.lastBody.contains("<a href=\"#edit-category\">"))
        XCTAssertTrue(anna.lastBody.contains("id=\"classify\" open"), "the Change box is open at the field")
        XCTAssertTrue(anna.lastBody.contains("id=\"details\" data-wide-open open"), "and so are the details on a phone")
    }

    func testTheStaffNoteErrorLinksToTheNoteField() async throws {
        let (_, target) = try await annaOnHerCase()
        let handler = try await staff()
        try await handler.get("/staff/cases/\(target.number)")
        let refused = try await handler.post("/staff/cases/\(target.number)/notes", ["body": ""])
        XCTAssertEqual(refused.status, .unprocessableEntity)
        XCTAssertTrue(handler.lastBody.contains("<a href=\"#note-body\">"))
        XCTAssertTrue(handler.lastBody.contains("id=\"note\" open"), "the note form is open where the error is")
    }

    func testTheNewCaseFormHasTheErrorSummary() async throws {
        let (anna, _) = try await annaOnHerCase()
        try await anna.get("/cases/new")
        let refused = try await anna.post("/cases/new", ["subject": "", "description": "Fukt i källaren"])
        XCTAssertEqual(refused.status, .unprocessableEntity)
        XCTAssertTrue(anna.lastBody.contains("id=\"error-summary\" role=\"alert\""))
        XCTAssertTrue(anna.lastBody.contains("<a href=\"#subject\">"))
        XCTAssertTrue(anna.lastBody.contains("Fukt i källaren</textarea>"), "what was typed is kept")
    }

    // MARK: The token stays out of the address

    func testAnUploadWithTheTokenOnlyInTheBodyWorksAndWithoutItIsRefused() async throws {
        let (anna, target) = try await annaOnHerCase()
        let ok = try await anna.upload("/cases/\(target.number)/files", files: [("ok.txt", "text/plain", Array("ok".utf8))])
        XCTAssertEqual(ok.status, .seeOther)

        let missing = try await anna.upload("/cases/\(target.number)/files", files: [("no.txt", "text/plain", Array("no".utf8))],
                                            csrf: false)
        XCTAssertEqual(missing.status, .forbidden)
        XCTAssertTrue(missing.body.string.contains(harness.app.caseport.translations.text("error_form_expired", in: .sv)),
                      "the friendly page")
        // The old way, the token in the address, is refused too.
        let (headers, body) = Browser.multipart(files: [("query.txt", "text/plain", Array("q".utf8))], token: nil)
        let inQuery = try await anna.send(.POST, "/cases/\(target.number)/files?csrf_token=\(anna.csrfToken ?? "")",
                                          headers: headers, body: body)
        XCTAssertEqual(inQuery.status, .forbidden)
        // A file before the token is refused before its bytes are taken.
        let (lateHeaders, lateBody) = Browser.multipart(files: [("late.txt", "text/plain", Array("l".utf8))], token: nil,
                                                        fields: [])
        var reordered = ByteBuffer()
        var copy = lateBody
        let text = copy.readString(length: copy.readableBytes)!
        let boundary = String(lateHeaders.first(name: .contentType)!.split(separator: "=").last!)
        reordered.writeString(text.replacingOccurrences(of: "--\(boundary)--\r\n",
            with: "--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n\(anna.csrfToken ?? "")\r\n--\(boundary)--\r\n"))
        let late = try await anna.send(.POST, "/cases/\(target.number)/files", headers: lateHeaders, body: reordered)
        XCTAssertEqual(late.status, .forbidden)
        // A wrong token.
        let (wrongHeaders, wrongBody) = Browser.multipart(files: [("wrong.txt", "text/plain", Array("w".utf8))],
                                                          token: String(repeating: "x", count: 43))
        let wrong = try await anna.send(.POST, "/cases/\(target.number)/files", headers: wrongHeaders, body: wrongBody)
        XCTAssertEqual(wrong.status, .forbidden)

        let names = try await StoredFileRecord.query(on: db).filter(\.$caseId == target.id!).all().map(\.originalName)
        XCTAssertTrue(names.contains("ok.txt"))
        for refused in ["no.txt", "query.txt", "late.txt", "wrong.txt"] { XCTAssertFalse(names.contains(refused), refused) }
    }

    func testNoRenderedFormCarriesATokenInItsAddress() async throws {
        let (anna, target) = try await annaOnHerCase()
        XCTAssertFalse(anna.lastBody.contains("csrf_token="), "portal case page")
        XCTAssertTrue(anna.lastBody.contains("enctype=\"multipart/form-data\""))
        let admin = harness.browser()
        try await admin.staffLogin("admin@example.com")
        let customer = try await Demo.customer("1001", on: db)
        for path in ["/staff/cases/\(target.number)", "/staff/customers/\(customer.id!)", "/staff/settings/branding", "/staff/import"] {
            let page = try await admin.get(path)
            XCTAssertEqual(page.status, .ok, path)
            XCTAssertFalse(page.body.string.contains("csrf_token="), path)
            // Every upload form sends the token as its first field.
            var rest = Substring(page.body.string)
            while let form = rest.range(of: "enctype=\"multipart/form-data\"") {
                let after = rest[form.upperBound...]
                let firstField = after.range(of: "<input")!
                XCTAssertTrue(after[firstField.lowerBound...].hasPrefix("<input type=\"hidden\" name=\"csrf_token\""), path)
                rest = after
            }
        }
    }
}
