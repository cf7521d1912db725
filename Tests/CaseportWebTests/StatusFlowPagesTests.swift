import CaseportCore
@testable import CaseportStore
@testable import CaseportWeb
import Fluent
import Vapor
import XCTVapor
import XCTest

/// Issue 12 over HTTP: status colours by meaning, the "we need your answer" banner, the portal menu's
/// "needs your action (n)", a customer's answer handing the case back, and the handler's queues.
final class StatusFlowPagesTests: XCTestCase {
    var harness: WebHarness!
    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws { try await harness.shutdown() }

    /// Anna's visible cases, read with the demo login's own viewer.
    func annasCases() async throws -> [CaseRecord] {
        let db = harness.app.db
        let anna = try await PortalUserRecord.query(on: db).filter(\.$username == "anna").first()!
        let viewer = try await PortalViewers.viewer(for: anna, on: db)
        let ids = try await VisibleCases(database: db).allIds(for: CaseVisibility(for: viewer))
        return try await CaseRecord.query(on: db).filter(\.$id ~~ ids).sort(\.$number).all()
    }

    func testAWaitingCaseShowsTheBannerQuotingTheCompanyAndAnAnswerHandsItBack() async throws {
        let db = harness.app.db
        let target = try await annasCases().first { !$0.status.isClosed }!
        target.status = .waitingForCustomer
        try await target.update(on: db)
        _ = try await CaseConversation.insert(caseId: target.id!, author: .init(kind: .staff, name: "Henrik Handläggare"),
                                              body: "Kan ni skicka ett foto på fönstret?", isInternal: false, at: Date(), on: db)
        _ = try await CaseConversation.insert(caseId: target.id!, author: .init(kind: .staff, name: "Henrik Handläggare"),
                                              body: "Intern: kunden är svår", isInternal: true, at: Date().addingTimeInterval(1), on: db)

        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        let page = try await browser.get("/cases/\(target.number)")
        XCTAssertEqual(page.status, .ok)
        let html = browser.lastBody
        XCTAssertTrue(html.contains("id=\"answer-needed\""))
        XCTAssertTrue(html.contains("Kan ni skicka ett foto på fönstret?"), "the banner quotes the company's last public message")
        XCTAssertFalse(html.contains("Intern: kunden är svår"), "an internal note is never quoted")
        XCTAssertTrue(html.contains("status status-needs-customer"))
        XCTAssertTrue(html.contains("href=\"/cases/\(target.number)?write=1#write\""))

        // The menu counts the cases waiting for Anna (her answer or her approval), by an independent count.
        let expected = try await annasCases().filter { $0.status == .waitingForCustomer || $0.status == .resolved }.count
        XCTAssertTrue(html.contains("id=\"needs-action-link\""))
        XCTAssertTrue(html.contains("<span class=\"visually-hidden\">(</span>\(expected)<span"), "menu count \(expected)")
        // A thumbnail's request (an image wanted, never a page) does not pay for the menu's count.
        XCTAssertFalse(PageFrameMiddleware.mayBeAPage(Request(application: harness.app, headers: ["Accept": "image/avif,image/webp,*/*"],
                                                              on: harness.app.eventLoopGroup.next())))
        XCTAssertTrue(PageFrameMiddleware.mayBeAPage(Request(application: harness.app,
                                                             headers: ["Accept": "text/html,application/xhtml+xml,*/*;q=0.8"],
                                                             on: harness.app.eventLoopGroup.next())))
        _ = try await browser.get("/cases?state=action")
        let listed = Set(browser.lastBody.components(separatedBy: "data-case-number=\"").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) })
        XCTAssertTrue(listed.contains(target.number))

        // "Answer" opens the write box without JavaScript.
        _ = try await browser.get("/cases/\(target.number)?write=1")
        XCTAssertTrue(browser.lastBody.contains("id=\"write\" open"))

        let answer = try await browser.post("/cases/\(target.number)/messages", ["body": "Foto kommer i kväll"])
        XCTAssertEqual(answer.status, .seeOther)
        let status = try await CaseRecord.find(target.id, on: db)!.status
        XCTAssertEqual(status, .open)
        _ = try await browser.get("/cases/\(target.number)")
        XCTAssertFalse(browser.lastBody.contains("id=\"answer-needed\""))
        XCTAssertTrue(browser.lastBody.contains("status status-in-progress"))
    }

    /// The banner's quote is the company's newest message: taken from the conversation's first page when it is
    /// there (issue 17, session 30: it was a statement of its own on every view of a waiting case), none when
    /// that page holds every message, and asked for otherwise.
    func testTheBannerQuotesFromTheFirstPageOfMessagesAndAsksOnlyWhenItCannotKnow() async throws {
        func message(_ id: Int, _ kind: MessageAuthorKind) -> PublicMessage {
            PublicMessage(id: id, authorKind: kind, authorName: "n\(id)", body: "b\(id)",
                          createdAt: Date(timeIntervalSince1970: Double(id)), textKey: nil, textParams: nil)
        }
        func paging(page: Int, total: Int) -> Paging { Paging(requested: page, total: total, pageSize: 2) { "/p\($0)" } }
        let asked = message(99, .staff)
        var reads = 0
        func quote(_ messages: [PublicMessage], _ paging: Paging) async throws -> PublicMessage? {
            try await PortalCaseController.latestCompanyMessage(on: messages, paging: paging) { reads += 1; return asked }
        }
        var found = try await quote([message(5, .customer), message(4, .staff)], paging(page: 1, total: 5))
        XCTAssertEqual(found, message(4, .staff), "the newest company message on the first page")
        XCTAssertEqual(reads, 0)
        found = try await quote([message(2, .customer), message(1, .system)], paging(page: 1, total: 2))
        XCTAssertNil(found, "every message is on the page and none is the company's")
        XCTAssertEqual(reads, 0)
        found = try await quote([message(5, .customer), message(4, .customer)], paging(page: 1, total: 5))
        XCTAssertEqual(found, asked, "an older page may hold one")
        found = try await quote([message(3, .staff), message(2, .customer)], paging(page: 2, total: 5))
        XCTAssertEqual(found, asked, "a later page does not say which is the newest")
        XCTAssertEqual(reads, 2)
    }

    /// Over HTTP, the company's message is quoted when customers' messages have pushed it off the first page.
    func testTheBannerQuotesACompanyMessageBeyondTheFirstPage() async throws {
        let db = harness.app.db
        let target = try await annasCases().first { !$0.status.isClosed }!
        target.status = .waitingForCustomer
        try await target.update(on: db)
        let start = Date().addingTimeInterval(60)  // after every message the demo data wrote
        _ = try await CaseConversation.insert(caseId: target.id!, author: .init(kind: .staff, name: "Henrik Handläggare"),
                                              body: "Vilken våning gäller det?", isInternal: false, at: start, on: db)
        for index in 1...PortalCaseController.messagesPerPage {
            _ = try await CaseConversation.insert(caseId: target.id!, author: .init(kind: .customer, name: "Anna"),
                                                  body: "Meddelande \(index)", isInternal: false,
                                                  at: start.addingTimeInterval(Double(index)), on: db)
        }
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        _ = try await browser.get("/cases/\(target.number)")
        XCTAssertTrue(browser.lastBody.contains("id=\"answer-needed\""))
        XCTAssertTrue(browser.lastBody.contains("<blockquote class=\"prose\">Vilken våning gäller det?</blockquote>"),
                      "quoted though not on the page shown")
        XCTAssertFalse(browser.lastBody.contains("<div class=\"prose\">Vilken våning gäller det?</div>"),
                       "the company's message is on the conversation's second page")
    }

    func testTheHandlersQueuesCountWhatTheirListsShow() async throws {
        let db = harness.app.db
        let henrik = try await StaffUserRecord.query(on: db).filter(\.$email == "handler@example.com").first()!
        let all = try await CaseRecord.query(on: db).all()
        let mine = all.filter { $0.handlerId == henrik.id }
        let expected = [
            "mine": mine.filter { !$0.status.isClosed }.count,
            "waiting": mine.filter { $0.status == .waitingForCustomer }.count,
            "unread": mine.filter(\.hasUnreadActivity).count,
            "unassigned": all.filter { $0.handlerId == nil && !$0.status.isClosed }.count,
        ]
        let browser = harness.browser()
        try await browser.staffLogin("handler@example.com")
        _ = try await browser.get("/staff")
        let html = browser.lastBody
        for (key, count) in expected {
            XCTAssertTrue(html.contains("id=\"queue-\(key)\"><span class=\"queue-count\">\(count)</span>"), "\(key): \(count)")
        }
        XCTAssertTrue(html.contains("href=\"/staff/cases?handler=\(henrik.id!)&amp;status=active\" id=\"queue-mine\"")
                      || html.contains("href=\"/staff/cases?handler=\(henrik.id!)&status=active\" id=\"queue-mine\""))
        XCTAssertGreaterThan(expected["mine"]!, 0, "the demo gives the handler open cases")
    }

    func testTheAdminMenuLinksTheOutbox() async throws {
        let admin = harness.browser()
        try await admin.staffLogin("admin@example.com")
        _ = try await admin.get("/staff")
        XCTAssertTrue(admin.lastBody.contains("href=\"/staff/outbox\""))
        let handler = harness.browser()
        try await handler.staffLogin("handler@example.com")
        _ = try await handler.get("/staff/cases")
        XCTAssertFalse(handler.lastBody.contains("href=\"/staff/outbox\""))
    }
}
