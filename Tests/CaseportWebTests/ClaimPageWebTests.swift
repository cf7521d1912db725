import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Foundation
import NIOCore
import Vapor
import XCTVapor
import XCTest

/// Gives a request a real personal-link session (issue 13): for the case, name and e-mail in the test
/// headers it makes a link and a verified session through the store, as opening a link does, and puts
/// the session's cookie on the request. `ClaimViewerMiddleware` then resolves it as for any visitor, so
/// the page is tested behind the real check (revocation, expiry, the case still a claim).
struct TestClaimLinkSessionMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let caseId = request.headers.first(name: "X-Test-Claim-Case").flatMap(Int.init) {
            let links = ClaimLinks(database: request.db)
            let recipient = ClaimLinks.Recipient(contactId: nil, name: request.headers.first(name: "X-Test-Claim-Name") ?? "Ole Larsen",
                                                 email: request.headers.first(name: "X-Test-Claim-Email") ?? "ole@example.dk",
                                                 phone: nil, language: .en)
            let link = try await links.create(caseId: caseId, for: recipient, trigger: .manual, staffId: nil, now: Date()).link
            let session = try await links.startSession(linkId: try link.requireID(), verified: true, now: Date())
            request.headers.replaceOrAdd(name: .cookie, value: "\(ClaimLinkController.cookieName)=\(session)")
        }
        return try await next.respond(to: request)
    }
}

/// Issue 13 (C1–C6, point 9): the claim's customer page through the real app.
final class ClaimPageWebTests: XCTestCase {
    var harness: WebHarness!
    var claim: DemoClaims.Seeded!
    var db: any Database { harness.app.db }

    override func setUp() async throws {
        harness = try await WebHarness()
        harness.app.middleware.use(TestClaimLinkSessionMiddleware())
        do {
            claim = try await DemoClaims.load(on: harness.app.db, storage: harness.app.caseport.storage)
        } catch {
            try await harness.shutdown()
            throw error
        }
    }
    override func tearDown() async throws { try await harness.shutdown() }

    func viewer(_ caseId: Int? = nil, name: String = "Ole Larsen", email: String = "ole@example.dk") -> HTTPHeaders {
        ["X-Test-Claim-Case": String(caseId ?? claim.caseId), "X-Test-Claim-Name": name, "X-Test-Claim-Email": email,
         "Accept-Language": "en"]
    }

    func setCase(_ change: (inout ClaimPageOverrides) -> Void, caseId: Int? = nil) async throws {
        let details = try await ClaimDetailsRecord.find(caseId ?? claim.caseId, on: db)!
        var overrides = (try? JSONDecoder().decode(ClaimPageOverrides.self, from: Data((details.pageSettings ?? "{}").utf8))) ?? .init()
        change(&overrides)
        details.pageSettings = String(decoding: try JSONEncoder().encode(overrides), as: UTF8.self)
        try await details.update(on: db)
    }

    func testEveryTabRendersForAViewerWithOnlyWhatTheCustomerMaySee() async throws {
        let browser = harness.browser()
        let overview = try await browser.get(ClaimPageRoute.overview.path(), headers: viewer())
        XCTAssertEqual(overview.status, .ok)
        let page = overview.body.string
        for shown in ["Vandskade", "Irlandsvej 80, 2300 København S", "Henrik Handläggare", "Ole Larsen", "ole@example.dk",
                      "A compensation decision has been made in your case.", "Expert assigned: Rie Nielsen",
                      "Tømrerarbejde", "Easyfix - København", "Project plan", "Messages", "Documents", "Budget",
                      "Spørgsmål om linket"] {
            XCTAssertTrue(page.contains(shown), "overview lacks \(shown)")
        }
        // Redactions and internal events: no decision outcome, no internal note.
        XCTAssertFalse(page.lowercased().contains("positive"))
        XCTAssertFalse(page.contains("Internt"))
        // The handler's mobile only when the setting says so.
        XCTAssertFalse(page.contains("+46 70 111 22 33"))
        try await setCase { $0.showHandlerMobile = true; $0.feedFilter = [.caseReopened, .caseClosed] }
        let withMobile = try await browser.get(ClaimPageRoute.overview.path(), headers: viewer()).body.string
        XCTAssertTrue(withMobile.contains("Henrik Handläggare (+46 70 111 22 33)"))
        XCTAssertFalse(withMobile.contains("Expert assigned"), "the filter decides the feed")

        let plan = try await browser.get(ClaimPageRoute.plan.path(), headers: viewer())
        XCTAssertEqual(plan.status, .ok)
        let planText = plan.body.string
        XCTAssertTrue(planText.contains("<details class=\"claim-task\">"))
        XCTAssertTrue(planText.contains("Nyt gulv i køkken og gang; nye sokler."))
        XCTAssertTrue(planText.contains("Rie Service (+45 66 66 66 66)"))
        XCTAssertTrue(planText.contains("Pictures or files are added to this task"), "the repair with media is marked")
        XCTAssertFalse(planText.contains("besigtigelse-foto"), "task media are never shown")

        let messages = try await browser.get(ClaimPageRoute.messages.path(), headers: viewer())
        XCTAssertTrue(messages.body.string.contains("Affugteren står i køkkenet"))
        XCTAssertTrue(messages.body.string.contains("Henrik Handläggare"))
        XCTAssertFalse(messages.body.string.contains("Internt: kunden"), "internal notes never")
        XCTAssertTrue(messages.body.string.contains("name=\"body\""))

        let documents = try await browser.get(ClaimPageRoute.documents.path(), headers: viewer()).body.string
        XCTAssertTrue(documents.contains("Vandskade besigtigelse – rapport"))
        XCTAssertTrue(documents.contains("Inspection report"))
        XCTAssertFalse(documents.contains("Internt overslag"), "unshared documents never")
        XCTAssertFalse(documents.contains("Plan for nyt gulv"), "task media never")

        let budget = try await browser.get(ClaimPageRoute.budget.path(), headers: viewer()).body.string
        XCTAssertTrue(budget.contains("Affugtning, 14 dage"))
        XCTAssertTrue(budget.contains("Total"))
        // 14 × 450.00 + 22.5 × 895.00 + 1 × 6,400.00 = 6,300 + 20,137.50 + 6,400
        XCTAssertTrue(budget.contains("32,837.50"), budget)
    }

    /// The language switch works here as elsewhere: it returns to the same tab in the chosen language.
    func testTheLanguageSwitchReturnsToTheSameTab() async throws {
        let browser = harness.browser()
        var headers = viewer()
        headers.remove(name: "Accept-Language")
        try await browser.get(ClaimPageRoute.plan.path(), headers: headers)
        let switched = try await browser.post(PortalRoute.language.path(), ["language": "da", "returnTo": ClaimPageRoute.plan.path()],
                                              headers: headers)
        XCTAssertEqual(switched.headers.first(name: .location), ClaimPageRoute.plan.path())
        let danish = try await browser.get(ClaimPageRoute.plan.path(), headers: headers).body.string
        XCTAssertTrue(danish.contains("<html lang=\"da\">"))
        XCTAssertTrue(danish.contains("Kontrolpanel") && danish.contains("Genopbygning"))
        try await browser.post(PortalRoute.language.path(), ["language": "sv", "returnTo": ClaimPageRoute.overview.path()], headers: headers)
        let swedish = try await browser.get(ClaimPageRoute.overview.path(), headers: headers).body.string
        XCTAssertTrue(swedish.contains("Ärendeinformation") && swedish.contains("Ett ersättningsbeslut har fattats i ditt ärende."))
    }

    func testWithoutALinkSessionEveryPageIsTheNeutralOneAndNeverAnError() async throws {
        // The personal link's session middleware answers before the page: the same neutral page as a
        // bad link (no hint whether anything is there), for every tab, download and post.
        let browser = harness.browser()
        for route in [ClaimPageRoute.overview, .plan, .messages, .documents, .budget] {
            let response = try await browser.get(route.path(), headers: ["Accept-Language": "en"])
            XCTAssertEqual(response.status, .notFound, route.rawValue)
            XCTAssertTrue(response.body.string.contains("This link does not work"), route.rawValue)
            XCTAssertFalse(response.body.string.contains("Vandskade"))
        }
        let report = try await StoredFileRecord.query(on: db).filter(\.$category == "inspection_report").first()!
        let download = try await browser.get(ClaimPageRoute.document.path(report.id!))
        XCTAssertEqual(download.status, .notFound)
        XCTAssertNil(download.headers.first(name: .contentDisposition))
        // A post with a good form token but no link: the neutral page, nothing written.
        let before = try await CaseMessageRecord.query(on: db).count()
        let post = try await browser.post(ClaimPageRoute.messagesSubmit.path(), ["body": "Hej"])
        XCTAssertEqual(post.status, .notFound)
        let after = try await CaseMessageRecord.query(on: db).count()
        XCTAssertEqual(after, before)
    }

    func testAHiddenTabAnswersNotAvailableYetAndLeavesTheTabBar() async throws {
        try await setCase { $0.budget = .never; $0.documents = .firstInspection }
        let details = try await ClaimDetailsRecord.find(claim.caseId, on: db)!
        details.firstInspectionAt = nil
        try await details.update(on: db)
        let browser = harness.browser()
        for route in [ClaimPageRoute.budget, .documents] {
            let response = try await browser.get(route.path(), headers: viewer())
            XCTAssertEqual(response.status, .ok)
            XCTAssertTrue(response.body.string.contains("Not available yet"), route.rawValue)
            XCTAssertFalse(response.body.string.contains("Vandskade besigtigelse – rapport"))
            XCTAssertFalse(response.body.string.contains("Affugtning, 14 dage"))
        }
        let overview = try await browser.get(ClaimPageRoute.overview.path(), headers: viewer()).body.string
        XCTAssertFalse(overview.contains("href=\"/claim/budget\""))
        XCTAssertFalse(overview.contains("href=\"/claim/documents\""))
        XCTAssertTrue(overview.contains("href=\"/claim/plan\""))
        // Downloads follow the tab: the report is not reachable while the documents tab is hidden;
        // the files of the (shown) messages are.
        let report = try await StoredFileRecord.query(on: db).filter(\.$category == "inspection_report").first()!
        let refused = try await browser.get(ClaimPageRoute.document.path(report.id!), headers: viewer())
        XCTAssertEqual(refused.status, .notFound)
        try await browser.get(ClaimPageRoute.messages.path(), headers: viewer())
        let sent = try await post(browser, body: "Billede", files: [("vand.png", "image/png", Demo.pngBytes())], headers: viewer())
        XCTAssertEqual(sent.status, .seeOther)
        let attached = try await StoredFileRecord.query(on: db).filter(\.$originalName == "vand.png").first()!
        let allowed = try await browser.get(ClaimPageRoute.document.path(attached.id!), headers: viewer())
        XCTAssertEqual(allowed.status, .ok)
        try await setCase { $0.messages = .never }
        let gone = try await browser.get(ClaimPageRoute.document.path(attached.id!), headers: viewer())
        XCTAssertEqual(gone.status, .notFound)
    }

    func testOnlyThisCasesSharedDocumentsDownload() async throws {
        let storage = harness.app.caseport.storage
        let other = try await harness.app.db.transaction { tx in
            try await DemoClaims.seed(on: tx, storage: storage, now: Date(), customerNumber: "2999", scale: .demo)
        }
        let browser = harness.browser()
        let files = try await StoredFileRecord.query(on: db).filter(\.$caseId == claim.caseId).all()
        let report = files.first { $0.category == "inspection_report" }!
        let good = try await browser.get(ClaimPageRoute.document.path(report.id!), headers: viewer())
        XCTAssertEqual(good.status, .ok)
        XCTAssertEqual(good.headers.contentType?.description, "application/octet-stream")
        XCTAssertTrue(good.headers.first(name: .contentDisposition)?.hasPrefix("attachment;") == true)
        XCTAssertEqual(good.body.string, "Besigtigelsesrapport: fugt i gulv og vægge i køkken og gang.")
        let unshared = files.first { $0.isShared == false }!
        let medium = files.first { $0.taskId != nil }!
        let foreign = try await StoredFileRecord.query(on: db).filter(\.$caseId == other.caseId).filter(\.$category == "inspection_report").first()!
        for id in [unshared.id!, medium.id!, foreign.id!, 99_999] {
            let response = try await browser.get(ClaimPageRoute.document.path(id), headers: viewer())
            XCTAssertEqual(response.status, .notFound, "file \(id)")
        }
        // The other case's viewer sees their own report, not this one.
        let value1 = try await browser.get(ClaimPageRoute.document.path(foreign.id!), headers: viewer(other.caseId)).status
        XCTAssertEqual(value1, .ok)
        let value2 = try await browser.get(ClaimPageRoute.document.path(report.id!), headers: viewer(other.caseId)).status
        XCTAssertEqual(value2, .notFound)
        let otherOverview = try await browser.get(ClaimPageRoute.overview.path(), headers: viewer(other.caseId)).body.string
        XCTAssertTrue(otherOverview.contains("Case \(other.number)") || otherOverview.contains(String(other.number)))
        XCTAssertFalse(otherOverview.contains(">\(claim.number)<"))
    }

    func post(_ browser: Browser, body: String, files: [(name: String, type: String, bytes: [UInt8])] = [], csrf: Bool = true,
              headers extra: HTTPHeaders) async throws -> XCTHTTPResponse {
        var (headers, multipartBody) = Browser.multipart(files: files, token: csrf ? (browser.csrfToken ?? "") : nil,
                                                         fields: [("body", body)])
        for (name, value) in extra { headers.replaceOrAdd(name: name, value: value) }
        return try await browser.send(.POST, ClaimPageRoute.messagesSubmit.path(), headers: headers, body: multipartBody)
    }

    func testPostingAMessageKeepsWhatWasTypedAndWritesLikeACustomerMessage() async throws {
        let browser = harness.browser()
        try await browser.get(ClaimPageRoute.messages.path(), headers: viewer())
        let messagesBefore = try await CaseMessageRecord.query(on: db).filter(\.$caseId == claim.caseId).count()
        // Too long: refused, the text kept.
        let long = String(repeating: "a", count: InputLimits.message + 1)
        let refused = try await post(browser, body: long, headers: viewer())
        XCTAssertEqual(refused.status, .unprocessableEntity)
        XCTAssertTrue(refused.body.string.contains(long))
        XCTAssertTrue(refused.body.string.contains("body-error"))
        // Empty without files: refused.
        let value3 = try await post(browser, body: "  ", headers: viewer()).status
        XCTAssertEqual(value3, .unprocessableEntity)
        // No form token: refused, nothing written.
        let forged = try await post(browser, body: "Hej", csrf: false, headers: viewer())
        XCTAssertEqual(forged.status, .forbidden)
        let afterRefusals = try await CaseMessageRecord.query(on: db).filter(\.$caseId == claim.caseId).count()
        XCTAssertEqual(afterRefusals, messagesBefore)

        let record = try await CaseRecord.find(claim.caseId, on: db)!
        record.hasUnreadActivity = false
        try await record.update(on: db)
        try await browser.get(ClaimPageRoute.messages.path(), headers: viewer())
        let sent = try await post(browser, body: "Tømreren må gerne komme kl. 9.", files: [("gulv.png", "image/png", Demo.pngBytes())],
                                  headers: viewer())
        XCTAssertEqual(sent.status, .seeOther)
        XCTAssertEqual(sent.headers.first(name: .location), ClaimPageRoute.messages.path(query: ["notice": "message"]))
        let message = try await CaseMessageRecord.query(on: db).filter(\.$caseId == claim.caseId).sort(\.$id, .descending).first()!
        XCTAssertEqual(message.authorName, "Ole Larsen (ole@example.dk)")
        XCTAssertEqual(message.authorKind, .customer)
        XCTAssertFalse(message.isInternal)
        let updated = try await CaseRecord.find(claim.caseId, on: db)!
        XCTAssertTrue(updated.hasUnreadActivity, "customer activity is unread for staff")
        let file = try await StoredFileRecord.query(on: db).filter(\.$messageId == message.id!).first()
        XCTAssertEqual(file?.originalName, "gulv.png")
        let notice = try await OutboxRecord.query(on: db).filter(\.$caseId == claim.caseId).sort(\.$id, .descending).first()
        XCTAssertEqual(notice?.recipient, "handler@example.com")
        XCTAssertEqual(notice?.kind, OutboxKind.handlerCustomerMessage.rawValue)
        let event = try await CaseEventRecord.query(on: db).filter(\.$caseId == claim.caseId).sort(\.$id, .descending).first()!
        XCTAssertEqual(event.kind, CaseEvent.Kind.customerMessage.rawValue)
        let page = try await browser.get(ClaimPageRoute.messages.path(query: ["notice": "message"]), headers: viewer()).body.string
        XCTAssertTrue(page.contains("Your message was sent."))
        XCTAssertTrue(page.contains("Tømreren må gerne komme kl. 9."))
        XCTAssertTrue(page.contains("gulv.png"))

        // At the limit exactly: kept whole, multi-byte letters counted as letters.
        let atLimit = String(repeating: "ø", count: InputLimits.message)
        try await browser.get(ClaimPageRoute.messages.path(), headers: viewer())
        let whole = try await post(browser, body: atLimit, headers: viewer())
        XCTAssertEqual(whole.status, .seeOther)
        let stored = try await CaseMessageRecord.query(on: db).filter(\.$caseId == claim.caseId).sort(\.$id, .descending).first()!
        XCTAssertEqual(stored.body, atLimit)
    }

    /// The seed's 30 MB per photo or document on this form: a file of exactly the limit is kept, one
    /// byte more is refused with the text kept and nothing written.
    func testAFileOfThirtyMegabytesIsKeptAndOneByteMoreIsRefused() async throws {
        let browser = harness.browser()
        try await browser.get(ClaimPageRoute.messages.path(), headers: viewer())
        let before = try await StoredFileRecord.query(on: db).count()
        let tooLarge = [UInt8](repeating: 0x25, count: UploadReceiver.maximumFileBytes + 1)
        let refused = try await post(browser, body: "Rapport fra VVS", files: [("rapport.pdf", "application/pdf", tooLarge)],
                                     headers: viewer())
        XCTAssertNotEqual(refused.status, .seeOther, "refused")
        XCTAssertLessThan(refused.status.code, 500)
        XCTAssertTrue(refused.body.string.contains("Rapport fra VVS"), "the text typed is kept")
        let afterRefusal = try await StoredFileRecord.query(on: db).count()
        XCTAssertEqual(afterRefusal, before, "nothing stored")

        try await browser.get(ClaimPageRoute.messages.path(), headers: viewer())
        let atLimit = [UInt8](repeating: 0x25, count: UploadReceiver.maximumFileBytes)
        let sent = try await post(browser, body: "Rapport fra VVS", files: [("rapport.pdf", "application/pdf", atLimit)],
                                  headers: viewer())
        XCTAssertEqual(sent.status, .seeOther)
        let file = try await StoredFileRecord.query(on: db).sort(\.$id, .descending).first()
        XCTAssertEqual(file?.originalName, "rapport.pdf")
        XCTAssertEqual(file?.byteSize, UploadReceiver.maximumFileBytes)
    }

    func testTheMessageDirectionDecidesTheFormAndTheMessages() async throws {
        let browser = harness.browser()
        // Only to the customer: the messages, no form; a post is refused and writes nothing.
        try await setCase { $0.messageDirection = .toCustomer }
        let toCustomer = try await browser.get(ClaimPageRoute.messages.path(), headers: viewer()).body.string
        XCTAssertFalse(toCustomer.contains("name=\"body\""))
        XCTAssertTrue(toCustomer.contains("Affugteren står i køkkenet"))
        let before = try await CaseMessageRecord.query(on: db).count()
        let refused = try await post(browser, body: "Hej", headers: viewer())
        XCTAssertEqual(refused.status, .unprocessableEntity)
        XCTAssertTrue(refused.body.string.contains("Nothing was sent"))
        let value4 = try await CaseMessageRecord.query(on: db).count()
        XCTAssertEqual(value4, before)
        // Only from the customer: the form, and the writer's own messages only.
        try await setCase { $0.messageDirection = .fromCustomer }
        try await browser.get(ClaimPageRoute.messages.path(), headers: viewer())
        let value5 = try await post(browser, body: "Fra Ole", headers: viewer()).status
        XCTAssertEqual(value5, .seeOther)
        let fromCustomer = try await browser.get(ClaimPageRoute.messages.path(), headers: viewer()).body.string
        XCTAssertTrue(fromCustomer.contains("name=\"body\""))
        XCTAssertTrue(fromCustomer.contains("Fra Ole"))
        XCTAssertFalse(fromCustomer.contains("Affugteren står i køkkenet"), "the company's messages are not shown")
        XCTAssertFalse(fromCustomer.contains("Kan tømreren komme om formiddagen?"), "another person's messages are not shown")
        // Both ways: everything public.
        try await setCase { $0.messageDirection = .both }
        let both = try await browser.get(ClaimPageRoute.messages.path(), headers: viewer()).body.string
        XCTAssertTrue(both.contains("Affugteren står i køkkenet") && both.contains("Fra Ole") && both.contains("Kan tømreren"))
    }

    func testTheStaffPreviewShowsThePageAsAChosenRecipientWithWritingDisabled() async throws {
        let browser = harness.browser()
        let anonymous = try await browser.get(ClaimPageRoute.preview.path(claim.number))
        XCTAssertNotEqual(anonymous.status, .ok)
        try await browser.staffLogin("handler@example.com")
        let casePage = try await browser.get(StaffRoute.case.path(claim.number)).body.string
        XCTAssertTrue(casePage.contains(ClaimPageRoute.preview.path(claim.number)))
        let preview = try await browser.get(ClaimPageRoute.preview.path([String(claim.number)],
                                                                        query: [("contact", String(claim.policyholderId)), ("tab", "messages")]),
                                            headers: ["Accept-Language": "en"])
        XCTAssertEqual(preview.status, .ok)
        let html = preview.body.string
        XCTAssertTrue(html.contains("Preview as Bente Larsen"))
        XCTAssertTrue(html.contains("<fieldset disabled>"))
        XCTAssertTrue(html.contains("Affugteren står i køkkenet"))
        XCTAssertFalse(html.contains("Internt: kunden"))
        // A generic recipient, and the overview of the same case.
        let generic = try await browser.get(ClaimPageRoute.preview.path(claim.number), headers: ["Accept-Language": "en"]).body.string
        XCTAssertTrue(generic.contains("Preview as Customer"))
        XCTAssertTrue(generic.contains("A compensation decision has been made in your case."))
        // An ordinary case (no claim) has no customer page: the calm page.
        let ordinary = try await CaseRecord.query(on: db).filter(\.$number != claim.number).sort(\.$number).first()!
        let none = try await browser.get(ClaimPageRoute.preview.path(ordinary.number), headers: ["Accept-Language": "en"])
        XCTAssertEqual(none.status, .ok)
        XCTAssertTrue(none.body.string.contains("This case has no customer page"))
        let value6 = try await browser.get(ClaimPageRoute.preview.path(99_999_999)).status
        XCTAssertEqual(value6, .notFound)
    }
}
