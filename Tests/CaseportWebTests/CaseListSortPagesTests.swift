import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Vapor
import XCTVapor
import XCTest

/// Issue 12 points 4 and 5 over HTTP: the case lists' sortable headers (aria-sort, validated sort in
/// the URL, kept by pages and filters), "last activity" as the default order, the staff filters in a
/// folding panel; on the new-case form the customer follows from the object.
final class CaseListSortPagesTests: XCTestCase {
    var harness: WebHarness!
    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws { try await harness.shutdown() }

    var db: any Database { harness.app.db }

    /// The case numbers of the list's rows, top to bottom.
    func rowNumbers(_ html: String) -> [Int] {
        html.components(separatedBy: "data-case-number=\"").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
    }

    /// The `<th>` whose text starts with `label`.
    func header(_ html: String, _ label: String) -> String {
        let cells = html.components(separatedBy: "<th ").dropFirst().map { $0.components(separatedBy: "</th>")[0] }
        return cells.first { $0.contains(">" + label) } ?? ""
    }

    /// Anna's visible cases, with the demo login's own viewer.
    func annasCases() async throws -> [CaseRecord] {
        let anna = try await PortalUserRecord.query(on: db).filter(\.$username == "anna").first()!
        let viewer = try await PortalViewers.viewer(for: anna, on: db)
        let ids = try await VisibleCases(database: db).allIds(for: CaseVisibility(for: viewer))
        return try await CaseRecord.query(on: db).filter(\.$id ~~ ids).all()
    }

    func testThePortalListIsInLastActivityOrderAndAnAnsweredCaseRises() async throws {
        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        let page = try await anna.get("/cases")
        XCTAssertEqual(page.status, .ok)
        let cases = try await annasCases()
        let expected = cases.sorted { ($0.lastActivityAt, $0.id!) > ($1.lastActivityAt, $1.id!) }.map(\.number)
        XCTAssertEqual(rowNumbers(anna.lastBody), Array(expected.prefix(PortalCaseListController.pageSize)))
        XCTAssertTrue(anna.lastBody.contains("Senast uppdaterad"), "the \"Last updated\" column")
        XCTAssertTrue(header(anna.lastBody, "Senast uppdaterad").contains("aria-sort=\"descending\""))
        XCTAssertFalse(header(anna.lastBody, "Skapad").contains("aria-sort"), "only the current column has aria-sort")

        // A message on the case with the oldest activity puts it first.
        let oldest = try XCTUnwrap(cases.min { ($0.lastActivityAt, $0.id!) < ($1.lastActivityAt, $1.id!) })
        _ = try await CaseConversation.insert(caseId: oldest.id!, author: .init(kind: .staff, name: "Henrik Handläggare"),
                                              body: "Vi har beställt delen.", isInternal: false, at: Date().addingTimeInterval(60), on: db)
        try await anna.get("/cases")
        XCTAssertEqual(rowNumbers(anna.lastBody).first, oldest.number)
    }

    func testSortLinksValidateTheirValuesAndBadOnesAreTheDefaultNeverAnError() async throws {
        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        try await anna.get("/cases")
        let defaultOrder = rowNumbers(anna.lastBody)
        for bad in ["sort=bogus&dir=up", "sort=subject%27;--&dir=asc", "sort=&dir=", "dir=asc", "sort=created%20desc"] {
            let response = try await anna.get("/cases?\(bad)")
            XCTAssertEqual(response.status, .ok, bad)
            XCTAssertEqual(rowNumbers(anna.lastBody), defaultOrder, bad)
        }
        let staff = harness.browser()
        try await staff.staffLogin("handler@example.com")
        try await staff.get("/staff/cases")
        let staffDefault = rowNumbers(staff.lastBody)
        let badStaff = try await staff.get("/staff/cases?sort=nope&dir=sideways")
        XCTAssertEqual(badStaff.status, .ok)
        XCTAssertEqual(rowNumbers(staff.lastBody), staffDefault)

        // By subject, A–Z: the header says so and links to Z–A; the search form keeps the order.
        try await anna.get("/cases?sort=subject&dir=asc")
        let cases = try await annasCases()
        let bySubject = cases.sorted { ($0.subject, $0.id!) < ($1.subject, $1.id!) }.map(\.number)
        XCTAssertEqual(rowNumbers(anna.lastBody), Array(bySubject.prefix(PortalCaseListController.pageSize)))
        let subjectHeader = header(anna.lastBody, "Ämne")
        XCTAssertTrue(subjectHeader.contains("aria-sort=\"ascending\""), subjectHeader)
        XCTAssertTrue(subjectHeader.contains("href=\"/cases?sort=subject&amp;dir=desc\""), subjectHeader)
        XCTAssertTrue(anna.lastBody.contains("<input type=\"hidden\" name=\"sort\" value=\"subject\"><input type=\"hidden\" name=\"dir\" value=\"asc\">"))
        // A sort link keeps the filters and starts at the first page.
        try await anna.get("/cases?state=active&page=2")
        let activityHeader = header(anna.lastBody, "Senast uppdaterad")
        XCTAssertTrue(activityHeader.contains("href=\"/cases?state=active&amp;sort=activity&amp;dir=asc\""), activityHeader)
    }

    func testPagesKeepTheSortAndFollowIt() async throws {
        // Enough cases for two staff pages and several portal pages, subjects in a known order.
        let solglantan = try await Demo.customer("1001", on: db)
        for n in 0..<60 {
            var new = NewCase(subject: String(format: "Sortering %02d", n), description: "x", createdByName: "Test", origin: .portal)
            new.customerId = solglantan.id
            new.createdAt = Date(timeIntervalSince1970: 1_600_000_000 + Double(n))
            try await CaseCreation.create(new, on: db)
        }
        let staff = harness.browser()
        try await staff.staffLogin("handler@example.com")
        try await staff.get("/staff/cases?q=Sortering&sort=subject&dir=desc")
        XCTAssertTrue(staff.lastBody.contains("Sortering 59"))
        let next = "/staff/cases?q=Sortering&amp;sort=subject&amp;dir=desc&amp;page=2"
        XCTAssertTrue(staff.lastBody.contains("href=\"\(next)\""), "the next page keeps the search and the order")
        let firstPage = try await CaseRecord.query(on: db).filter(\.$subject =~ "Sortering").all()
        XCTAssertEqual(firstPage.count, 60)
        try await staff.get("/staff/cases?q=Sortering&sort=subject&dir=desc&page=2")
        let secondNumbers = rowNumbers(staff.lastBody)
        let subjects = secondNumbers.compactMap { number in firstPage.first { $0.number == number }?.subject }
        XCTAssertEqual(subjects, (0..<10).reversed().map { String(format: "Sortering %02d", $0) },
                       "page 2 continues the order where page 1 ended")

        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        try await anna.get("/cases?q=Sortering&sort=created&dir=asc&page=2")
        let portalSubjects = rowNumbers(anna.lastBody).compactMap { number in firstPage.first { $0.number == number }?.subject }
        XCTAssertEqual(portalSubjects, (25..<50).map { String(format: "Sortering %02d", $0) })
        XCTAssertTrue(anna.lastBody.contains("href=\"/cases?q=Sortering&amp;sort=created&amp;dir=asc&amp;page=3\""))
    }

    func testTheStaffFiltersFoldAwayUnlessOneIsSet() async throws {
        let staff = harness.browser()
        try await staff.staffLogin("handler@example.com")
        try await staff.get("/staff/cases")
        XCTAssertTrue(staff.lastBody.contains("<details class=\"filters\">"), "closed with no filter")
        XCTAssertTrue(staff.lastBody.contains("<select id=\"handler\" name=\"handler\">"), "the filters are in the page (no JavaScript needed)")
        try await staff.get("/staff/cases?q=kran")
        XCTAssertTrue(staff.lastBody.contains("<details class=\"filters\">"), "the text search is outside the panel")
        try await staff.get("/staff/cases?handler=none")
        XCTAssertTrue(staff.lastBody.contains("<details class=\"filters\" open>"))
        try await staff.get("/staff/cases?unread=1")
        XCTAssertTrue(staff.lastBody.contains("<details class=\"filters\" open>"))
        try await staff.get("/staff/cases?sort=subject&dir=asc")
        XCTAssertTrue(staff.lastBody.contains("<details class=\"filters\">"), "an order is not a filter")
        XCTAssertTrue(header(staff.lastBody, "Ämne").contains("aria-sort=\"ascending\""))
    }

    func testTheCustomerFollowsFromTheObjectOnTheReviewAndTheCase() async throws {
        let husA = try await ObjectRecord.query(on: db).filter(\.$name == "Solgläntan hus A").first()!
        let owner = try await CustomerRecord.find(husA.customerId, on: db)!
        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        try await anna.get("/cases/new")
        let fields = ["subject": "Objektets kund", "description": "Kunden följer objektet", "object": String(husA.id!)]
        let review = try await anna.post("/cases/new", fields)
        XCTAssertEqual(review.status, .ok)
        XCTAssertTrue(anna.lastBody.contains("<dd class=\"prose\">\(owner.name)</dd>"), "the review names the object's customer")
        try await anna.post("/cases/new/edit", fields)
        XCTAssertTrue(anna.lastBody.contains("data-customers=\""), "the object select tells the script each object's customer")
        XCTAssertTrue(anna.lastBody.contains("\(husA.id!):\(husA.customerId)"))
        let saved = try await anna.post("/cases/new/confirm", fields)
        XCTAssertEqual(saved.status, .seeOther)
        let record = try await CaseRecord.query(on: db).filter(\.$subject == "Objektets kund").first()!
        XCTAssertEqual(record.customerId, husA.customerId)
    }

    /// Issue 12 point 7: removing a booked row and deleting a webhook ask first; the question changes nothing.
    func testRemovingARowAndDeletingAWebhookAskFirst() async throws {
        let solglantan = try await Demo.customer("1001", on: db)
        let target = try await CaseRecord.query(on: db).filter(\.$customerId == solglantan.id!).sort(\.$number, .descending).first()!
        let article = try await ArticleRecord.query(on: db).filter(\.$code == "ARB-01").first()!
        let admin = harness.browser()
        try await admin.staffLogin("admin@example.com")
        try await admin.get(StaffRoute.caseMoney.path(target.number))
        try await admin.post(StaffRoute.caseRowBook.path(target.number), ["article": String(article.id!), "quantity": "1"])
        let row = try await ArticleRowRecord.query(on: db).filter(\.$caseId == target.id!).sort(\.$id, .descending).first()!
        let asked = try await admin.post(StaffRoute.caseRowRemove.path(target.number, row.id!), [:])
        XCTAssertEqual(asked.status, .ok)
        XCTAssertTrue(admin.lastBody.contains("name=\"confirm\" value=\"1\""))
        XCTAssertTrue(admin.lastBody.contains("href=\"\(StaffRoute.caseMoney.path(target.number, fragment: "rows"))\""))
        let kept = try await ArticleRowRecord.find(row.id, on: db)
        XCTAssertNotNil(kept)
        let removed = try await admin.post(StaffRoute.caseRowRemove.path(target.number, row.id!), ["confirm": "1"])
        XCTAssertEqual(removed.status, .seeOther)

        let webhook = try await PageRenderingTests.webhookWithADelivery(on: db)
        let askedHook = try await admin.post(StaffRoute.webhookDelete.path(webhook), [:])
        XCTAssertEqual(askedHook.status, .ok)
        let keptHook = try await WebhookSubscriptionRecord.find(webhook, on: db)
        XCTAssertNotNil(keptHook)
        let deleted = try await admin.post(StaffRoute.webhookDelete.path(webhook), ["confirm": "1"])
        XCTAssertEqual(deleted.status, .seeOther)
    }
}
