import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Foundation
import Vapor
import XCTVapor
import XCTest

/// Issue 11 points 6–9, the customer's pages through the real app on both databases: the case page's
/// messages (expand and collapse, write with Cancel, every message paged), the one-click language switch
/// that stays on the page, dates in the language's format, "Back" to the list as it was left, and the
/// customer's category/priority edit (stale page, no blanking).
final class PortalPagesTests: XCTestCase {
    var harness: WebHarness!
    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws { try await harness.shutdown() }

    var db: any Database { harness.app.db }

    func annasCase() async throws -> CaseRecord {
        let customer = try await Demo.customer("1001", on: db)
        return try await CaseRecord.query(on: db).filter(\.$customerId == customer.id!).filter(\.$status != .closed)
            .sort(\.$number).first()!
    }

    func anna() async throws -> Browser {
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        return browser
    }

    static func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    // MARK: Point 6

    func testALongMessageExpandsAndCollapsesWithoutScriptAndWritingHasCancel() async throws {
        let target = try await annasCase()
        let long = String(repeating: "Vattnet rinner längs väggen. ", count: 20)
        try await CaseConversation(database: db).add(caseId: target.id!, author: .init(kind: .staff, name: "Henrik"), body: long, at: Date())
        let browser = try await anna()
        try await browser.get("/cases/\(target.number)")
        let body = browser.lastBody
        // <details>/<summary>: the summary stays when open (it is the "show less" line), so it collapses again.
        XCTAssertTrue(body.contains("<details class=\"message-long\"><summary><span class=\"message-preview\">"))
        XCTAssertTrue(body.contains("<span class=\"less\">Visa mindre</span>"))
        let css = try String(contentsOfFile: harness.app.directory.publicDirectory + "css/caseport.css", encoding: .utf8)
        XCTAssertFalse(css.contains(".message-long[open] summary { display: none; }"), "an open message must keep its summary")
        // Writing is behind "+ Write a message" and has Cancel back to the case; closed until used.
        XCTAssertTrue(body.contains("<details class=\"write-message\" id=\"write\">"))
        XCTAssertTrue(body.contains("<a class=\"button\" href=\"/cases/\(target.number)#messages\" id=\"write-cancel\">Avbryt</a>"))
        // A refused message keeps the box open with what was typed.
        let refused = try await browser.post("/cases/\(target.number)/messages", ["body": "   "]).status
        XCTAssertEqual(refused, .unprocessableEntity)
        XCTAssertTrue(browser.lastBody.contains("<details class=\"write-message\" id=\"write\" open>"))
    }

    func testEveryMessageIsShownPagedPast200() async throws {
        let target = try await annasCase()
        let conversation = CaseConversation(database: db)
        let before = try await conversation.publicMessageCount(caseId: target.id!)
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        for index in 0 ..< (201 - before) {
            try await conversation.add(caseId: target.id!, author: .init(kind: .staff, name: "Henrik"), body: "Meddelande \(index)",
                                       at: start.addingTimeInterval(Double(index)))
        }
        let total = try await conversation.publicMessageCount(caseId: target.id!)
        XCTAssertEqual(total, 201)
        let browser = try await anna()
        try await browser.get("/cases/\(target.number)")
        let first = browser.lastBody
        XCTAssertEqual(Self.count("<li class=\"message", in: first), 200)
        XCTAssertTrue(first.contains("href=\"/cases/\(target.number)?page=2#messages\""))
        try await browser.get("/cases/\(target.number)?page=2")
        XCTAssertEqual(Self.count("<li class=\"message", in: browser.lastBody), 1, "the 201st message is on page 2, not cut off")
        // A page past the last (an old link), or one whose offset does not fit an Int, shows the last page.
        for past in ["3", "9223372036854775807"] {
            let response = try await browser.get("/cases/\(target.number)?page=\(past)")
            XCTAssertEqual(response.status, .ok)
            XCTAssertEqual(Self.count("<li class=\"message", in: browser.lastBody), 1, "page \(past) shows the last page")
            XCTAssertTrue(browser.lastBody.contains("id=\"case-description\""), "the last page ends with the description")
        }
    }

    // MARK: Point 7

    func testLanguageSwitchIsOneClickPerLanguageAndReturnsToTheSamePageAndSearch() async throws {
        let browser = try await anna()
        try await browser.get("/cases?q=kran&page=1")
        let body = browser.lastBody
        for language in Language.allCases {
            XCTAssertTrue(body.contains("<button type=\"submit\" name=\"language\" value=\"\(language.rawValue)\" lang=\"\(language.rawValue)\""),
                          "\(language) is one button")
            XCTAssertTrue(body.contains("<span class=\"flag\" aria-hidden=\"true\">\(language.flag)</span><span class=\"language-name\">\(language.nativeName)</span>"))
        }
        XCTAssertTrue(body.contains("name=\"returnTo\" value=\"/cases?q=kran&amp;page=1\""), "the page's search goes along")
        let response = try await browser.post("/language", ["language": "da", "returnTo": "/cases?q=kran&page=1"])
        XCTAssertEqual(response.status, .seeOther)
        XCTAssertEqual(response.headers.first(name: .location), "/cases?q=kran&page=1")
        for foreign in ["//evil.example/x", "https://evil.example/", "/\\evil.example", "/%0d%0aSet-Cookie:x", "cases"] {
            let answer = try await browser.post("/language", ["language": "en", "returnTo": foreign])
            let location = answer.headers.first(name: .location) ?? ""
            XCTAssertTrue(location == "/" || location == foreign && foreign.hasPrefix("/%"), "\(foreign) → \(location)")
            XCTAssertFalse(location.hasPrefix("//") || location.contains("://"), "never another host")
        }
    }

    func testDatesAreTypedAndShownInTheLanguagesFormat() async throws {
        XCTAssertEqual(Language.da.parseDay("04.12.2026"), "2026-12-04")
        XCTAssertEqual(Language.en.parseDay("04/12/2026"), "2026-12-04")
        XCTAssertEqual(Language.sv.parseDay("2026-12-04"), "2026-12-04")
        XCTAssertEqual(Language.nb.parseDay("2026-12-04"), "2026-12-04", "a link from another language still reads")
        XCTAssertNil(Language.da.parseDay("31.02.2026"))
        XCTAssertNil(Language.sv.parseDay("04.12.2026"))
        XCTAssertEqual(Language.nb.formatDay("2026-12-04"), "04.12.2026")
        XCTAssertEqual(Language.en.formatDay("2026-12-04"), "04/12/2026")
        XCTAssertEqual(Language.da.formatDay("not a day"), "not a day")

        let browser = try await anna()
        try await browser.get("/cases")
        try await browser.post("/language", ["language": "da", "returnTo": "/"])
        try await browser.get("/cases?from=2020-01-01")
        XCTAssertTrue(browser.lastBody.contains("value=\"01.01.2020\""), "an ISO day in the URL is shown the Danish way")
        XCTAssertTrue(browser.lastBody.contains("DD.MM.ÅÅÅÅ"))
        XCTAssertFalse(browser.lastBody.contains("type=\"date\""))
        try await browser.get("/cases?from=01.01.2020")
        XCTAssertFalse(browser.lastBody.contains("from-error"), "the Danish form is read")
        try await browser.get("/cases?from=2020/01/01")
        XCTAssertTrue(browser.lastBody.contains("from-error"))

        // A date field's value is stored as yyyy-mm-dd and shown as the reader's language writes it.
        let target = try await annasCase()
        let type = CaseTypeRecord(name: "Besiktning")
        try await type.create(on: db)
        let field = CaseTypeFieldRecord(caseTypeId: type.id!, label: "Besiktningsdag", kind: .date)
        try await field.create(on: db)
        try await CaseFieldValueRecord(caseId: target.id!, fieldId: field.id, label: "Besiktningsdag", value: "2026-03-09", sortOrder: 0)
            .create(on: db)
        try await browser.get("/cases/\(target.number)")
        XCTAssertTrue(browser.lastBody.contains("<dt>Besiktningsdag</dt><dd>09.03.2026</dd>"))
        try await browser.get("/cases")
        try await browser.post("/language", ["language": "sv", "returnTo": "/"])
        try await browser.get("/cases/\(target.number)")
        XCTAssertTrue(browser.lastBody.contains("<dt>Besiktningsdag</dt><dd>2026-03-09</dd>"))
    }

    // MARK: Point 8

    func testBackReturnsToTheListWithItsSearchAndPageAndNowhereElse() async throws {
        let target = try await annasCase()
        let browser = try await anna()
        try await browser.get("/cases/\(target.number)")
        XCTAssertTrue(browser.lastBody.contains("<a href=\"/cases\" class=\"back-link\">"), "without a list shown: its first page")
        try await browser.get("/cases?q=kran&state=active&page=2&evil=1")
        try await browser.get("/cases/\(target.number)")
        XCTAssertTrue(browser.lastBody.contains("<a href=\"/cases?q=kran&amp;state=active&amp;page=2\" class=\"back-link\">"),
                      "the search and page, and nothing the list does not know")
        // It survives the case page's own posts (a refused message) and reaches the new-case page.
        try await browser.post("/cases/\(target.number)/messages", ["body": ""])
        XCTAssertTrue(browser.lastBody.contains("<a href=\"/cases?q=kran&amp;state=active&amp;page=2\" class=\"back-link\">"))
        try await browser.get("/cases/new")
        XCTAssertTrue(browser.lastBody.contains("<a href=\"/cases?q=kran&amp;state=active&amp;page=2\" class=\"back-link\">"))
        // A cookie someone wrote by hand changes only the search: the link stays on the list.
        browser.cookies[ListReturn.cases.cookieName] = "q%3Dx%26next%3D%2F%2Fevil.example"
        try await browser.get("/cases/\(target.number)")
        XCTAssertTrue(browser.lastBody.contains("<a href=\"/cases?q=x\" class=\"back-link\">"))
        browser.cookies[ListReturn.cases.cookieName] = "%2F%2Fevil.example%2F"
        try await browser.get("/cases/\(target.number)")
        XCTAssertTrue(browser.lastBody.contains("<a href=\"/cases\" class=\"back-link\">"))
    }

    // MARK: Point 9

    func testTheCustomersEditIsRefusedOnAStalePageAndCannotBlankAValue() async throws {
        let target = try await annasCase()
        let categories = try await CategoryRecord.query(on: db).filter(\.$isActive == true).sort(\.$id).all()
        let (first, second) = (categories[0], categories[1])
        target.categoryId = first.id
        try await target.save(on: db)
        let browser = try await anna()
        try await browser.get("/cases/\(target.number)")
        let select = browser.lastBody.components(separatedBy: "id=\"edit-category\"").last?.components(separatedBy: "</select>").first ?? ""
        XCTAssertFalse(select.contains("<option value=\"\">"), "a value the case has cannot be blanked: no empty choice")
        XCTAssertTrue(browser.lastBody.contains("<input type=\"hidden\" name=\"version\" value=\"\(target.version)\">"))

        let blank = try await browser.post("/cases/\(target.number)/classification", ["category": "", "version": String(target.version)])
        XCTAssertEqual(blank.status, .unprocessableEntity)
        XCTAssertTrue(browser.lastBody.contains("id=\"classify-category-error\""))
        let unchanged = try await CaseRecord.find(target.id, on: db)!
        XCTAssertEqual(unchanged.categoryId, first.id)

        // Staff save the case meanwhile: the customer's page is stale.
        unchanged.version += 1
        try await unchanged.save(on: db)
        let stale = try await browser.post("/cases/\(target.number)/classification",
                                           ["category": String(second.id!), "version": String(target.version)])
        XCTAssertEqual(stale.status, .conflict)
        let after = try await CaseRecord.find(target.id, on: db)!
        XCTAssertEqual(after.categoryId, first.id)

        let fresh = try await browser.post("/cases/\(target.number)/classification",
                                           ["category": String(second.id!), "version": String(after.version)])
        XCTAssertEqual(fresh.status, .seeOther)
        let changed = try await CaseRecord.find(target.id, on: db)!
        XCTAssertEqual(changed.categoryId, second.id)
        let events = try await CaseEvents.timeline(caseId: target.id!, on: db)
        XCTAssertTrue(events.contains { if case .classificationChanged = $0.event { return true } else { return false } })
    }
}
