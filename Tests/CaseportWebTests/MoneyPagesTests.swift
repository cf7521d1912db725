import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Foundation
import Vapor
import XCTVapor
import XCTest

/// Issue 14 through HTTP on the demo data: the portal's "Actions" (B8) and invoice specifications
/// (B10) behind the access rule, staff booking rows, the price list for administrators, and the
/// case report's article rows.
final class MoneyPagesTests: XCTestCase {
    var harness: WebHarness!
    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws { try await harness.shutdown() }
    var db: any Database { harness.app.db }

    func rowsCase() async throws -> CaseRecord {
        let row = try await ArticleRowRecord.query(on: db).filter(\.$articleCode == "RES-01").first()!
        return try await CaseRecord.find(row.caseId, on: db)!
    }

    func testAnnaSeesACasesActionsAndAnotherCustomersAreA404() async throws {
        let mine = try await rowsCase()
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        try await browser.get(PortalRoute.cases.path())  // the signed-in session's CSRF token
        try await browser.post(PortalRoute.language.path(), ["language": "en", "returnTo": "/"])
        let page = try await browser.get(PortalRoute.caseActions.path(mine.number))
        XCTAssertEqual(page.status, .ok)
        XCTAssertTrue(browser.lastBody.contains("RES-01 Utryckning"), "the booked row")
        XCTAssertTrue(browser.lastBody.contains("562.50"), "450.00 + 25 % VAT, as English writes it")
        XCTAssertTrue(browser.lastBody.contains("Amount incl. VAT"), "the deployment's standard columns")
        XCTAssertFalse(browser.lastBody.contains("Action code"), "not a chosen column")
        // The case list and its search results link the Actions of cases with rows.
        try await browser.get(PortalRoute.cases.path())
        XCTAssertTrue(browser.lastBody.contains("href=\"\(PortalRoute.caseActions.path(mine.number))\""))
        try await browser.get(PortalRoute.cases.path(query: ["q": String(mine.subject.split(separator: " ").first!)]))
        XCTAssertTrue(browser.lastBody.contains("href=\"\(PortalRoute.caseActions.path(mine.number))\""))

        let norrsken = try await Demo.customer("1002", on: db)
        let theirs = try await CaseRecord.query(on: db).filter(\.$customerId == norrsken.id!).first()!
        let forbidden = try await browser.get(PortalRoute.caseActions.path(theirs.number))
        XCTAssertEqual(forbidden.status, .notFound)
        let missing = try await browser.get(PortalRoute.caseActions.path(99_999_999))
        XCTAssertEqual(missing.status, .notFound)
        // Erik (a contact linked to an object of Norrsken) does not reach Solgläntan's rows either.
        let erik = harness.browser()
        try await erik.portalLogin("1002", "erik")
        let refused = try await erik.get(PortalRoute.caseActions.path(mine.number))
        XCTAssertEqual(refused.status, .notFound)
    }

    func testTheDeploymentChoosesTheActionsColumns() async throws {
        let mine = try await rowsCase()
        let admin = harness.browser()
        try await admin.staffLogin("admin@example.com")
        try await admin.get(StaffRoute.priceList.path())
        let saved = try await admin.post(StaffRoute.actionColumns.path(), ["column_action_code": "1", "column_article": "1", "column_gross": "1"])
        XCTAssertEqual(saved.status, .seeOther)
        let settings = try await SettingsStore(database: db).load()
        XCTAssertEqual(settings.actionColumns, [.actionCode, .article, .gross])
        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        try await anna.get(PortalRoute.cases.path())
        try await anna.post(PortalRoute.language.path(), ["language": "en", "returnTo": "/"])
        try await anna.get(PortalRoute.caseActions.path(mine.number))
        XCTAssertTrue(anna.lastBody.contains("Action code"))
        XCTAssertTrue(anna.lastBody.contains(">FEL<"))
        XCTAssertFalse(anna.lastBody.contains("Unit price"))
    }

    /// LF seed: only users of contacts linked to customers see specifications; invoice-customer and
    /// object logins and object-linked contacts get the same 404 as for a missing one.
    func testOnlyContactUsersOfTheCustomerSeeSpecifications() async throws {
        let spec = try await InvoiceSpecificationRecord.query(on: db).first()!
        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        try await anna.get(PortalRoute.specifications.path())
        XCTAssertTrue(anna.lastBody.contains("href=\"\(PortalRoute.specification.path(spec.id!))\""))
        XCTAssertTrue(anna.lastBody.contains("href=\"\(PortalRoute.specifications.path())\""), "the menu offers them")
        let shown = try await anna.get(PortalRoute.specification.path(spec.id!))
        XCTAssertEqual(shown.status, .ok)
        for (organisation, username) in [("1002", "faktura"), ("norrsken", "nordstjarnan"), ("1002", "erik")] {
            let other = harness.browser()
            try await other.portalLogin(organisation, username)
            try await other.get(PortalRoute.cases.path())
            XCTAssertFalse(other.lastBody.contains("href=\"\(PortalRoute.specifications.path())\""), username)
            let list = try await other.get(PortalRoute.specifications.path())
            XCTAssertEqual(list.status, .notFound, username)
            let one = try await other.get(PortalRoute.specification.path(spec.id!))
            XCTAssertEqual(one.status, .notFound, username)
            let answer = try await other.post(PortalRoute.specificationApprove.path(spec.id!), [:])
            XCTAssertEqual(answer.status, .notFound, username)
        }
        let unchanged = try await InvoiceSpecificationRecord.find(spec.id, on: db)
        XCTAssertEqual(unchanged?.state, "waiting")
    }

    func testAnnaApprovesAndAChangeAttemptIsRefusedInHerLanguage() async throws {
        let spec = try await InvoiceSpecificationRecord.query(on: db).first()!
        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        try await anna.get(PortalRoute.specification.path(spec.id!))
        let approved = try await anna.post(PortalRoute.specificationApprove.path(spec.id!), [:])
        XCTAssertEqual(approved.status, .seeOther)
        XCTAssertEqual(approved.headers.first(name: .location), PortalRoute.specification.path(spec.id!, query: ["notice": "approved"]))
        let stored = try await InvoiceSpecificationRecord.find(spec.id, on: db)
        XCTAssertEqual(stored?.state, "approved")
        XCTAssertEqual(stored?.answeredByName, "Anna Lindqvist")

        try await anna.post(PortalRoute.language.path(), ["language": "da", "returnTo": "/"])
        let again = try await anna.post(PortalRoute.specificationReject.path(spec.id!), ["comment": "Forkert"])
        XCTAssertEqual(again.status, .unprocessableEntity)
        XCTAssertTrue(anna.lastBody.contains("Fakturaspecifikationen er godkendt og kan ikke længere ændres."), anna.lastBody)
        let staff = harness.browser()
        try await staff.staffLogin("handler@example.com")
        try await staff.get(StaffRoute.specification.path(spec.id!))
        try await staff.post(PortalRoute.language.path(), ["language": "en", "returnTo": "/staff"])
        let withdraw = try await staff.post(StaffRoute.specificationWithdraw.path(spec.id!), [:])
        XCTAssertEqual(withdraw.status, .unprocessableEntity)
        XCTAssertTrue(staff.lastBody.contains("This specification has been approved and can no longer be changed."))
        let still = try await InvoiceSpecificationRecord.find(spec.id, on: db)
        XCTAssertEqual(still?.state, "approved")
    }

    func testStaffBookARowAndTheCustomersListShowsItAtOnce() async throws {
        let solglantan = try await Demo.customer("1001", on: db)
        let withRows = Set(try await ArticleRowRecord.query(on: db).all().map(\.caseId))
        let bare = try await CaseRecord.query(on: db).filter(\.$customerId == solglantan.id!).sort(\.$number, .descending).all()
            .first { !withRows.contains($0.id!) }!
        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        try await anna.get(PortalRoute.cases.path())
        XCTAssertFalse(anna.lastBody.contains("href=\"\(PortalRoute.caseActions.path(bare.number))\""))

        let article = try await ArticleRecord.query(on: db).filter(\.$code == "ARB-01").first()!
        let staff = harness.browser()
        try await staff.staffLogin("handler@example.com")
        try await staff.get(StaffRoute.caseMoney.path(bare.number))
        let booked = try await staff.post(StaffRoute.caseRowBook.path(bare.number), ["article": String(article.id!), "quantity": "2"])
        XCTAssertEqual(booked.status, .seeOther)
        let row = try await ArticleRowRecord.query(on: db).filter(\.$caseId == bare.id!).first()
        XCTAssertEqual(row?.netMinor, 130_000)
        XCTAssertEqual(row?.createdByName, "Henrik Handläggare")
        // The list kept for Anna was read before the row: the change stamp makes it fresh.
        try await anna.get(PortalRoute.cases.path())
        XCTAssertTrue(anna.lastBody.contains("href=\"\(PortalRoute.caseActions.path(bare.number))\""))
        // The staff timeline says what was booked.
        try await staff.get(StaffRoute.case.path(bare.number))
        XCTAssertTrue(staff.lastBody.contains("ARB-01 Arbetstid montör"), "the event line")
    }

    func testThePriceListIsForAdministrators() async throws {
        let handler = harness.browser()
        try await handler.staffLogin("handler@example.com")
        let refused = try await handler.get(StaffRoute.priceList.path())
        XCTAssertEqual(refused.status, .forbidden)
        let admin = harness.browser()
        try await admin.staffLogin("admin@example.com")
        let page = try await admin.get(StaffRoute.priceList.path())
        XCTAssertEqual(page.status, .ok)
        XCTAssertTrue(admin.lastBody.contains("ARB-01"))
    }

    /// E2 + B8: the case report lists the case's rows and their total.
    func testTheCaseReportListsTheArticleRows() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/pdftotext") else {
            throw XCTSkip("pdftotext (poppler-utils) is not installed")
        }
        let mine = try await rowsCase()
        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        try await anna.get(PortalRoute.cases.path())
        try await anna.post(PortalRoute.language.path(), ["language": "en", "returnTo": "/"])
        let response = try await anna.get(PortalRoute.caseReport.path(mine.number))
        XCTAssertEqual(response.status, .ok)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("caseport-money-\(UUID().uuidString).pdf")
        try Data(buffer: response.body).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let text = try CaseReportTests.run("pdftotext", ["-enc", "UTF-8", url.path, "-"])
        XCTAssertTrue(text.contains("Article rows"), text)
        XCTAssertTrue(text.contains("RES-01 Utryckning"))
        XCTAssertTrue(text.contains("ARB-01"), "a name may wrap in its column, the code does not")
        let rows = try await ArticleRowRecord.query(on: db).filter(\.$caseId == mine.id!).all()
        let total = Money(minor: rows.map(\.grossMinor).reduce(0, +)).formatted(.en)
        XCTAssertTrue(text.contains(total), "the total \(total)")
    }
}
