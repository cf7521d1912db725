import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Vapor
import XCTVapor
import XCTest

/// Issue 13 points 3 and 4 over HTTP: the staff case page's document library and budget. Uploads
/// start unshared and the customer reaches nothing of them until staff share them through the
/// confirmation step; stopping sharing asks first; every form needs its CSRF token, keeps what was
/// typed on a problem, and never answers 500.
final class ClaimDocumentsPagesTests: XCTestCase {
    var harness: WebHarness!
    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws { try await harness.shutdown() }

    var db: any Database { harness.app.db }

    func annasCase() async throws -> CaseRecord {
        let customer = try await Demo.customer("1001", on: db)
        return try await CaseRecord.query(on: db).filter(\.$customerId == customer.id!).sort(\.$number, .descending).first()!
    }

    func staff(_ record: CaseRecord) async throws -> Browser {
        let staff = harness.browser()
        try await staff.staffLogin("handler@example.com")
        let page = try await staff.get("/staff/cases/\(record.number)")
        XCTAssertEqual(page.status, .ok)
        return staff
    }

    let pdf = Array("%PDF-1.4\n1 0 obj\n".utf8)

    func testAnUploadedDocumentReachesTheCustomerOnlyAfterConfirmedSharing() async throws {
        let record = try await annasCase()
        let staff = try await staff(record)
        XCTAssertTrue(staff.lastBody.contains("id=\"documents\""))
        XCTAssertTrue(staff.lastBody.contains("id=\"budget\""))

        let uploaded = try await staff.upload("/staff/cases/\(record.number)/documents", files: [("offert.pdf", "application/pdf", pdf)],
                                              fields: [("category", "other"), ("title", "Offert <b>kök</b>")])
        XCTAssertEqual(uploaded.status, .seeOther)
        XCTAssertEqual(uploaded.headers.first(name: .location), "/staff/cases/\(record.number)?docs=uploaded#documents")
        let found = try await StoredFileRecord.query(on: db).filter(\.$caseId == record.id!).filter(\.$category == "other").first()
        let file = try XCTUnwrap(found)
        XCTAssertEqual(file.isShared, false)

        try await staff.get("/staff/cases/\(record.number)?docs=uploaded")
        XCTAssertTrue(staff.lastBody.contains("Offert &lt;b&gt;kök&lt;/b&gt;"), "the title is escaped")
        XCTAssertFalse(staff.lastBody.contains("<b>kök</b>"))

        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        let casePage = try await anna.get("/cases/\(record.number)")
        XCTAssertEqual(casePage.status, .ok)
        XCTAssertFalse(casePage.body.string.contains("offert.pdf"))
        let hidden = try await anna.get("/cases/\(record.number)/files/\(file.id!)")
        XCTAssertEqual(hidden.status, .notFound, "an unshared document cannot be downloaded by the customer")
        try await anna.get("/cases/\(record.number)")
        let removal = try await anna.post("/cases/\(record.number)/files/\(file.id!)/remove", ["confirm": "1"])
        XCTAssertEqual(removal.status, .notFound, "nor removed, nor told that it exists")
        let removeQuestion = try await anna.get("/cases/\(record.number)/files/\(file.id!)/remove")
        XCTAssertEqual(removeQuestion.status, .notFound)

        // Share: the first POST only asks.
        try await staff.get("/staff/cases/\(record.number)")
        let asked = try await staff.post("/staff/cases/\(record.number)/documents/share", ["doc_\(file.id!)": "1"])
        XCTAssertEqual(asked.status, .ok)
        XCTAssertTrue(asked.body.string.contains("Offert &lt;b&gt;kök&lt;/b&gt;"))
        XCTAssertTrue(asked.body.string.contains("name=\"doc_\(file.id!)\""))
        let stillHidden = try await StoredFileRecord.find(file.id, on: db)
        XCTAssertEqual(stillHidden?.isShared, false, "showing the question changes nothing")
        let confirmed = try await staff.post("/staff/cases/\(record.number)/documents/share", ["doc_\(file.id!)": "1", "confirm": "1"])
        XCTAssertEqual(confirmed.status, .seeOther)
        let sharedRow = try await StoredFileRecord.find(file.id, on: db)
        XCTAssertEqual(sharedRow?.isShared, true)
        let visible = try await anna.get("/cases/\(record.number)/files/\(file.id!)")
        XCTAssertEqual(visible.status, .ok, "shared: the customer downloads it")

        // Stop sharing: the menu's link asks; a POST without the confirmation asks again.
        let question = try await staff.get("/staff/cases/\(record.number)/documents/\(file.id!)/unshare")
        XCTAssertEqual(question.status, .ok)
        let unconfirmed = try await staff.post("/staff/cases/\(record.number)/documents/\(file.id!)/unshare", [:])
        XCTAssertEqual(unconfirmed.status, .ok)
        let stillShared = try await StoredFileRecord.find(file.id, on: db)
        XCTAssertEqual(stillShared?.isShared, true)
        let stopped = try await staff.post("/staff/cases/\(record.number)/documents/\(file.id!)/unshare", ["confirm": "1"])
        XCTAssertEqual(stopped.status, .seeOther)
        let gone = try await anna.get("/cases/\(record.number)/files/\(file.id!)")
        XCTAssertEqual(gone.status, .notFound)
        let kinds = try await CaseEvents.timeline(caseId: record.id!, on: db).map(\.event.kind)
        XCTAssertTrue(kinds.contains(.documentShared) && kinds.contains(.documentUnshared))
    }

    func testFormsNeedTheirTokenAndKeepWhatWasTyped() async throws {
        let record = try await annasCase()
        let staff = try await staff(record)
        let before = try await StoredFileRecord.query(on: db).count()

        let forged = try await staff.upload("/staff/cases/\(record.number)/documents", files: [("a.pdf", "application/pdf", pdf)],
                                            csrf: false, fields: [("category", "other")])
        XCTAssertEqual(forged.status, .forbidden)
        try await staff.get("/staff/cases/\(record.number)")
        let forgedShare = try await staff.post("/staff/cases/\(record.number)/documents/share", ["doc_1": "1", "confirm": "1"], csrf: false)
        XCTAssertEqual(forgedShare.status, .forbidden)
        try await staff.get("/staff/cases/\(record.number)")
        let forgedBudget = try await staff.post("/staff/cases/\(record.number)/budget", ["description": "x", "quantity": "1", "unit_price": "1"],
                                                csrf: false)
        XCTAssertEqual(forgedBudget.status, .forbidden)

        try await staff.get("/staff/cases/\(record.number)")
        let noCategory = try await staff.upload("/staff/cases/\(record.number)/documents", files: [("a.pdf", "application/pdf", pdf)],
                                                fields: [("category", ""), ("title", "Min titel")])
        XCTAssertEqual(noCategory.status, .unprocessableEntity)
        XCTAssertTrue(noCategory.body.string.contains("value=\"Min titel\""), "the title is kept")
        XCTAssertTrue(noCategory.body.string.contains("field-error"))
        let after = try await StoredFileRecord.query(on: db).count()
        XCTAssertEqual(after, before, "nothing kept from refused uploads")

        let noFile = try await staff.upload("/staff/cases/\(record.number)/documents", files: [],
                                            fields: [("category", "photo"), ("title", "Foto")])
        XCTAssertEqual(noFile.status, .unprocessableEntity)
        XCTAssertTrue(noFile.body.string.contains("value=\"Foto\""))

        try await staff.get("/staff/cases/\(record.number)")
        let bad = try await staff.post("/staff/cases/\(record.number)/budget",
                                       ["description": "Avfuktning", "quantity": "1,2345", "unit_price": "tio"])
        XCTAssertEqual(bad.status, .unprocessableEntity)
        let body = bad.body.string
        XCTAssertTrue(body.contains("value=\"Avfuktning\"") && body.contains("value=\"1,2345\"") && body.contains("value=\"tio\""))
        XCTAssertTrue(body.contains("quantity-error") && body.contains("unit-price-error"))
        let lines = try await BudgetLineRecord.query(on: db).count()
        XCTAssertEqual(lines, 0)

        let noShareChosen = try await staff.post("/staff/cases/\(record.number)/documents/share", [:])
        XCTAssertEqual(noShareChosen.status, .seeOther)
        XCTAssertEqual(noShareChosen.headers.first(name: .location), "/staff/cases/\(record.number)?docs=none#documents")
    }

    func testTheBudgetAddsEditsAndRemovesLinesWithTotals() async throws {
        let record = try await annasCase()
        let staff = try await staff(record)
        let added = try await staff.post("/staff/cases/\(record.number)/budget",
                                         ["description": "Avfuktning", "quantity": "2,5", "unit_price": "10,01"])
        XCTAssertEqual(added.status, .seeOther)
        try await staff.post("/staff/cases/\(record.number)/budget", ["description": "Arbete", "quantity": "3", "unit_price": "450"])
        let page = try await staff.get("/staff/cases/\(record.number)?budget=added")
        let body = page.body.string
        XCTAssertTrue(body.contains("25,03") || body.contains("25.03"), "the line's rounded amount")
        XCTAssertTrue(body.contains("1\u{00A0}375,03") || body.contains("1,375.03"), "the total of rounded lines")

        let line = try await BudgetLineRecord.query(on: db).filter(\.$description == "Avfuktning").first()!
        let form = try await staff.get("/staff/cases/\(record.number)/budget/\(line.id!)")
        XCTAssertEqual(form.status, .ok)
        XCTAssertTrue(form.body.string.contains("value=\"2.5\""))
        let saved = try await staff.post("/staff/cases/\(record.number)/budget/\(line.id!)",
                                         ["description": "Avfuktning", "quantity": "4", "unit_price": "10"])
        XCTAssertEqual(saved.status, .seeOther)
        let reloaded = try await BudgetLineRecord.find(line.id, on: db)
        XCTAssertEqual(reloaded?.amountMinor, 4000)

        let asked = try await staff.post("/staff/cases/\(record.number)/budget/\(line.id!)/remove", [:])
        XCTAssertEqual(asked.status, .ok, "removing asks first")
        let still = try await BudgetLineRecord.find(line.id, on: db)
        XCTAssertNotNil(still)
        let removed = try await staff.post("/staff/cases/\(record.number)/budget/\(line.id!)/remove", ["confirm": "1"])
        XCTAssertEqual(removed.status, .seeOther)
        let none = try await BudgetLineRecord.find(line.id, on: db)
        XCTAssertNil(none)
        // The timeline names each change with the line's description and amount (added, changed, removed).
        let timeline = try await staff.get("/staff/cases/\(record.number)").body.string
        XCTAssertEqual(timeline.components(separatedBy: ": Avfuktning, 25").count - 1, 1, "added at 25,03")
        XCTAssertEqual(timeline.components(separatedBy: ": Avfuktning, 40").count - 1, 2, "changed to 40,00, then removed")
    }

    func testUnknownOrForeignIdsAnswerNotFoundNeverAServerError() async throws {
        let record = try await annasCase()
        let staff = try await staff(record)
        for path in ["/staff/cases/\(record.number)/documents/999999/unshare", "/staff/cases/\(record.number)/documents/abc/edit",
                     "/staff/cases/\(record.number)/documents/999999/delete", "/staff/cases/\(record.number)/budget/999999",
                     "/staff/cases/99999999/budget/1"] {
            let response = try await staff.get(path)
            XCTAssertEqual(response.status, .notFound, path)
        }
        try await staff.get("/staff/cases/\(record.number)")
        let other = try await staff.post("/staff/cases/\(record.number)/documents/999999/edit", ["category": "other", "title": "x"])
        XCTAssertEqual(other.status, .notFound)
        try await staff.get("/staff/cases/\(record.number)")
        let garbage = try await staff.post("/staff/cases/\(record.number)/documents/share", ["doc_abc": "1", "doc_999999": "1"])
        XCTAssertEqual(garbage.status, .seeOther, "nothing to share: back to the library")

        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        let portal = try await anna.get("/staff/cases/\(record.number)/documents/1/edit")
        XCTAssertEqual(portal.headers.first(name: .location), "/staff/login", "the back office's pages are staff's")
    }

    /// The background job of `serve` (the approval job's minute) shares a claim's inspection report
    /// once the claim reaches the chosen moment; the customer then downloads it.
    func testTheScheduledJobSharesAReportWhenTheClaimReachesTheMoment() async throws {
        let record = try await annasCase()
        let details = ClaimDetailsRecord()
        details.id = record.id
        details.policyholderType = ClaimCustomerType.privateCustomer.rawValue
        try await details.create(on: db)
        var settings = ClaimPageSettings()
        settings.shareInspectionReport = .firstInspection
        try await ClaimSettingsStore(database: db).saveDeployment(settings)

        let staff = try await staff(record)
        let uploaded = try await staff.upload("/staff/cases/\(record.number)/documents", files: [("rapport.pdf", "application/pdf", pdf)],
                                              fields: [("category", "inspection_report"), ("title", "Besiktningsrapport")])
        XCTAssertEqual(uploaded.status, .seeOther)
        let found = try await StoredFileRecord.query(on: db).filter(\.$caseId == record.id!).filter(\.$category == "inspection_report").first()
        let file = try XCTUnwrap(found)
        XCTAssertEqual(file.isShared, false, "the moment is not reached yet")

        let job = ApprovalJob(database: db, translations: harness.app.caseport.translations, config: harness.app.caseport.config,
                              clock: { Date() })
        try await job.run()
        var row = try await StoredFileRecord.find(file.id, on: db)
        XCTAssertEqual(row?.isShared, false)

        details.firstInspectionAt = Date()
        try await details.update(on: db)
        try await job.run()
        try await job.run()
        row = try await StoredFileRecord.find(file.id, on: db)
        XCTAssertEqual(row?.isShared, true)
        let shared = try await CaseEvents.timeline(caseId: record.id!, on: db).filter { $0.event.kind == .documentShared }
        XCTAssertEqual(shared.count, 1, "two runs, one event")

        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        let download = try await anna.get("/cases/\(record.number)/files/\(file.id!)")
        XCTAssertEqual(download.status, .ok)
    }
}
