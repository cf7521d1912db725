import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Vapor
import XCTVapor
import XCTest

/// The inquiry inbox (D2): inquiries-first vs cases-first, the badge, create one case from an inquiry
/// (edited, linked, notifications queued), several at once as warranty claims, delete.
final class InquiryInboxTests: XCTestCase {
    var harness: WebHarness!
    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws { try await harness.shutdown() }

    var db: any Database { harness.app.db }

    func takeInquiriesFirst(sms: Bool = false) async throws {
        var settings = try await SettingsStore(database: db).load()
        settings.inquiriesFirst = true
        settings.smsEnabled = sms
        try await SettingsStore(database: db).save(settings)
    }

    /// Anna sends one through the portal's ordinary new-case form; returns its redirect.
    @discardableResult
    func send(_ subject: String, as browser: Browser) async throws -> XCTHTTPResponse {
        let husA = try await ObjectRecord.query(on: db).filter(\.$name == "Solgläntan hus A").first()!
        try await browser.get("/cases/new")
        return try await browser.post("/cases/new/confirm", ["subject": subject, "description": "Text om \(subject)",
                                                             "object": String(husA.id!), "work_site_address": "Gläntvägen 2"])
    }

    func testCasesFirstMakesACaseAndInquiriesFirstMakesAnInquiryTheSenderCanRead() async throws {
        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        let direct = try await send("Direkt ärende", as: anna)
        XCTAssertTrue(direct.headers.first(name: .location)?.hasPrefix("/cases/") == true)
        let directCase = try await CaseRecord.query(on: db).filter(\.$subject == "Direkt ärende").count()
        XCTAssertEqual(directCase, 1)
        let none = try await InquiryRecord.query(on: db).count()
        XCTAssertEqual(none, 0)

        try await takeInquiriesFirst()
        let casesBefore = try await CaseRecord.query(on: db).count()
        let queued = try await send("Mögelfläck vid fönstret", as: anna)
        XCTAssertEqual(queued.status, .seeOther)
        let inquiry = try await InquiryRecord.query(on: db).filter(\.$subject == "Mögelfläck vid fönstret").first()!
        XCTAssertEqual(queued.headers.first(name: .location), "/inquiries/\(inquiry.id!)?notice=received")
        let casesAfter = try await CaseRecord.query(on: db).count()
        XCTAssertEqual(casesAfter, casesBefore, "no case, no case number is used")
        XCTAssertEqual(inquiry.status, .new)
        XCTAssertEqual(inquiry.senderName, "Anna Lindqvist")
        XCTAssertEqual(inquiry.senderEmail, "anna@solglantan.example")
        XCTAssertNotNil(inquiry.customerId)

        // The sender sees what she sent; another user of the same customer does not; nor does a stranger.
        try await anna.get("/inquiries/\(inquiry.id!)?notice=received")
        XCTAssertTrue(anna.lastBody.contains("Text om Mögelfläck vid fönstret"))
        try await anna.get("/inquiries")
        XCTAssertTrue(anna.lastBody.contains("Mögelfläck vid fönstret"))
        let erik = harness.browser()
        try await erik.portalLogin("norrsken", "erik")
        let foreign = try await erik.get("/inquiries/\(inquiry.id!)").status
        XCTAssertEqual(foreign, .notFound)
        try await erik.get("/inquiries")
        XCTAssertFalse(erik.lastBody.contains("Mögelfläck"))
        try await anna.get("/cases?q=M%C3%B6gelfl%C3%A4ck")
        XCTAssertFalse(anna.lastBody.contains("Mögelfläck vid fönstret"), "an inquiry is not a case in the portal's list or search")
    }

    func testTheBadgeCountsUnprocessedInquiries() async throws {
        try await takeInquiriesFirst()
        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        try await send("Ett", as: anna)
        try await send("Två", as: anna)
        let staff = harness.browser()
        try await staff.staffLogin("handler@example.com")
        try await staff.get("/staff")
        XCTAssertTrue(staff.lastBody.contains("id=\"inbox-badge\"><span class=\"visually-hidden\">(</span>2<"))
        try await staff.get("/staff/inbox")
        let first = staff.lastBody.range(of: ">Två<")!.lowerBound, second = staff.lastBody.range(of: ">Ett<")!.lowerBound
        XCTAssertLessThan(first, second, "newest first")
        XCTAssertTrue(staff.lastBody.contains("Anna Lindqvist"))
        XCTAssertTrue(staff.lastBody.contains("Solgläntan hus A"))
    }

    func testCreateCaseFromAnInquiryIsPrefilledEditableLinkedAndQueuesNotifications() async throws {
        try await takeInquiriesFirst(sms: true)
        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        try await send("Dropp från element", as: anna)
        let inquiry = try await InquiryRecord.query(on: db).filter(\.$subject == "Dropp från element").first()!
        let supplier = try await SupplierRecord.query(on: db).filter(\.$name == "Rörläggarna i Väst AB").first()!

        let staff = harness.browser()
        try await staff.staffLogin("handler@example.com")
        try await staff.get("/staff/inbox/\(inquiry.id!)")
        XCTAssertTrue(staff.lastBody.contains("value=\"Dropp från element\""))
        XCTAssertTrue(staff.lastBody.contains("Text om Dropp från element</textarea>"))
        XCTAssertTrue(staff.lastBody.contains("value=\"anna@solglantan.example\""))
        XCTAssertTrue(staff.lastBody.contains("value=\"\(inquiry.objectId!)\" selected"))

        var fields = ["subject": "", "description": "Redigerad text", "customer": String(inquiry.customerId!),
                      "object": String(inquiry.objectId!), "supplier": "", "sender_name": "Anna Lindqvist",
                      "sender_email": "anna@solglantan.example", "sender_phone": "070-111 22 33",
                      "notify_customer": "1", "notify_supplier": "1", "send_sms": "1"]
        let bad = try await staff.post("/staff/inbox/\(inquiry.id!)", fields)
        XCTAssertEqual(bad.status, .unprocessableEntity)
        XCTAssertTrue(staff.lastBody.contains("Redigerad text</textarea>"), "nothing typed is lost")
        XCTAssertTrue(staff.lastBody.contains("Välj en leverantör att meddela."))
        let stillNew = try await InquiryRecord.find(inquiry.id, on: db)!.status
        XCTAssertEqual(stillNew, .new)

        fields["subject"] = "Dropp från element i 1102"
        fields["supplier"] = String(supplier.id!)
        let saved = try await staff.post("/staff/inbox/\(inquiry.id!)", fields)
        XCTAssertEqual(saved.status, .seeOther)
        let record = try await CaseRecord.query(on: db).filter(\.$subject == "Dropp från element i 1102").first()!
        XCTAssertEqual(saved.headers.first(name: .location), "/staff/cases/\(record.number)?notice=saved")
        XCTAssertEqual(record.description, "Redigerad text")
        XCTAssertEqual(record.objectId, inquiry.objectId)
        XCTAssertEqual(record.supplierId, supplier.id)
        XCTAssertEqual(record.origin, .portal)
        XCTAssertEqual(record.createdByUserId, inquiry.createdByUserId)
        let processed = try await InquiryRecord.find(inquiry.id, on: db)!
        XCTAssertEqual(processed.status, .processed)
        XCTAssertEqual(processed.caseId, record.id)
        XCTAssertEqual(processed.processedByName, "Henrik Handläggare")
        try await staff.get("/staff/cases/\(record.number)")
        XCTAssertTrue(staff.lastBody.contains("Skapade ärendet av kundens förfrågan"), "the timeline says where the case came from")

        let outbox = try await OutboxRecord.query(on: db).filter(\.$caseId == record.id!).sort(\.$id).all()
        XCTAssertEqual(outbox.map { "\($0.channel) \($0.kind) \($0.recipient)" }, [
            "email inquiry_accepted anna@solglantan.example", "sms inquiry_accepted 070-111 22 33",
            "email supplier_assigned order@rorlaggarna.example", "sms supplier_assigned 031-22 33 44"])
        XCTAssertTrue(outbox[0].subject.contains(String(record.number)))

        // Saving twice makes one case; the customer now reaches the case by the A7 rule.
        let again = try await staff.post("/staff/inbox/\(inquiry.id!)", fields).status
        XCTAssertEqual(again, .conflict)
        let count = try await CaseRecord.query(on: db).filter(\.$subject == "Dropp från element i 1102").count()
        XCTAssertEqual(count, 1)
        let open = try await anna.get("/cases/\(record.number)").status
        XCTAssertEqual(open, .ok)
        try await anna.get("/inquiries/\(inquiry.id!)")
        XCTAssertTrue(anna.lastBody.contains("href=\"/cases/\(record.number)\""))
        try await staff.get("/staff")
        XCTAssertFalse(staff.lastBody.contains("id=\"inbox-badge\""), "no badge when nothing waits")
    }

    func testSeveralAtOnceBecomeWarrantyClaimsUnchangedOrAreDeleted() async throws {
        try await takeInquiriesFirst()
        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        for subject in ["Spricka i fasad", "Dörr kärvar", "Skräp", "Spam"] { try await send(subject, as: anna) }
        let inquiries = Dictionary(uniqueKeysWithValues: try await InquiryRecord.query(on: db).all().map { ($0.subject, $0) })
        let staff = harness.browser()
        try await staff.staffLogin("handler@example.com")
        try await staff.get("/staff/inbox")

        let nothing = try await staff.post("/staff/inbox/bulk", ["action": "create"]).status
        XCTAssertEqual(nothing, .unprocessableEntity)

        let created = try await staff.post("/staff/inbox/bulk", ["action": "create", "notify_customer": "1",
                                                                 "inquiry_\(inquiries["Spricka i fasad"]!.id!)": "1",
                                                                 "inquiry_\(inquiries["Dörr kärvar"]!.id!)": "1"])
        XCTAssertEqual(created.status, .seeOther)
        let warranty = try await CategoryRecord.query(on: db).filter(\.$name == "Garantiärende").first()!
        for subject in ["Spricka i fasad", "Dörr kärvar"] {
            let record = try await CaseRecord.query(on: db).filter(\.$subject == subject).first()
            XCTAssertEqual(record?.categoryId, warranty.id, subject)
            XCTAssertEqual(record?.description, "Text om \(subject)", "unchanged")
            XCTAssertEqual(record?.objectId, inquiries[subject]!.objectId)
            let linked = try await InquiryRecord.find(inquiries[subject]!.id, on: db)!.caseId
            XCTAssertEqual(linked, record?.id)
        }
        let mails = try await OutboxRecord.query(on: db).filter(\.$kind == "inquiry_accepted").count()
        XCTAssertEqual(mails, 2)

        // Deleting several asks first (issue 11): the page names them and deletes nothing yet.
        let selection = ["inquiry_\(inquiries["Skräp"]!.id!)": "1", "inquiry_\(inquiries["Spam"]!.id!)": "1"]
        let asked = try await staff.post("/staff/inbox/bulk", selection.merging(["action": "delete"]) { $1 })
        XCTAssertEqual(asked.status, .ok)
        XCTAssertTrue(staff.lastBody.contains("Radera 2 förfrågningar"), "the confirmation says how many")
        XCTAssertTrue(staff.lastBody.contains("Skräp") && staff.lastBody.contains("Spam"))
        let notYet = try await InquiryRecord.query(on: db).filter(\.$status == .new).count()
        XCTAssertEqual(notYet, 2)
        let deleted = try await staff.post("/staff/inbox/bulk", selection.merging(["action": "delete", "confirmed": "1"]) { $1 })
        XCTAssertEqual(deleted.status, .seeOther)
        let left = try await InquiryRecord.query(on: db).filter(\.$status == .new).count()
        XCTAssertEqual(left, 0)
        let remaining = try await InquiryRecord.query(on: db).count()
        XCTAssertEqual(remaining, 2, "deleted ones are gone; processed ones stay, linked")

        // Without the category it is made, once, and remembered.
        try await send("Ny garanti", as: anna)
        try await CaseRecord.query(on: db).filter(\.$categoryId == warranty.id!).set(\.$categoryId, to: nil).update()
        var settings = try await SettingsStore(database: db).load()
        settings.warrantyCategoryId = nil
        try await SettingsStore(database: db).save(settings)
        try await warranty.delete(on: db)
        let one = try await InquiryRecord.query(on: db).filter(\.$subject == "Ny garanti").first()!
        try await staff.get("/staff/inbox")
        try await staff.post("/staff/inbox/bulk", ["action": "create", "inquiry_\(one.id!)": "1"])
        let made = try await CategoryRecord.query(on: db).filter(\.$name == "Garantiärende").all()
        XCTAssertEqual(made.count, 1)
        let remembered = try await SettingsStore(database: db).load().warrantyCategoryId
        XCTAssertEqual(remembered, made.first?.id)
    }

    func testTheInboxPagesBeyondOneHundred() async throws {
        let customer = try await Demo.customer("1001", on: db)
        for index in 1...105 {
            var new = NewCase(subject: "Förfrågan \(index)", description: "x", createdByName: "Anna Lindqvist", origin: .portal)
            new.customerId = customer.id
            new.createdAt = Date(timeIntervalSince1970: 1_800_000_000 + Double(index))
            try await Inquiries(database: db).submit(new, senderEmail: nil, senderPhone: nil)
        }
        let staff = harness.browser()
        try await staff.staffLogin("handler@example.com")
        try await staff.get("/staff/inbox")
        XCTAssertTrue(staff.lastBody.contains(">Förfrågan 105<"))
        XCTAssertFalse(staff.lastBody.contains(">Förfrågan 5<"))
        XCTAssertTrue(staff.lastBody.contains("href=\"/staff/inbox?page=2\" rel=\"next\""))
        try await staff.get("/staff/inbox?page=2")
        XCTAssertTrue(staff.lastBody.contains(">Förfrågan 5<"))
        XCTAssertTrue(staff.lastBody.contains(">Förfrågan 1<"))
        XCTAssertFalse(staff.lastBody.contains(">Förfrågan 6<"))
        try await staff.get("/staff/inbox?page=999")
        XCTAssertTrue(staff.lastBody.contains(">Förfrågan 1<"), "a page past the end shows the last one")
    }

    func testDeleteOneAndForeignIds() async throws {
        try await takeInquiriesFirst()
        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        try await send("Ta bort mig", as: anna)
        let inquiry = try await InquiryRecord.query(on: db).first()!
        let staff = harness.browser()
        try await staff.staffLogin("handler@example.com")
        try await staff.get("/staff/inbox/\(inquiry.id!)")
        // Issue 12 point 7: the inquiry's "Delete" asks first; the question deletes nothing.
        let asked = try await staff.post("/staff/inbox/\(inquiry.id!)/delete", [:])
        XCTAssertEqual(asked.status, .ok)
        XCTAssertTrue(staff.lastBody.contains("name=\"confirmed\" value=\"1\""))
        XCTAssertTrue(staff.lastBody.contains("href=\"/staff/inbox/\(inquiry.id!)\""), "Cancel returns to the inquiry")
        let kept = try await InquiryRecord.find(inquiry.id, on: db)
        XCTAssertNotNil(kept)
        let response = try await staff.post("/staff/inbox/\(inquiry.id!)/delete", ["confirmed": "1"])
        XCTAssertEqual(response.status, .seeOther)
        let gone = try await InquiryRecord.find(inquiry.id, on: db)
        XCTAssertNil(gone)
        let missing = try await staff.get("/staff/inbox/99999").status
        XCTAssertEqual(missing, .notFound)
        let bogus = try await staff.post("/staff/inbox/bulk", ["action": "create", "inquiry_99999": "1"]).status
        XCTAssertEqual(bogus, .seeOther, "ids that are not waiting are skipped")
        let portalUser = try await anna.get("/staff/inbox")
        XCTAssertEqual(portalUser.headers.first(name: .location), "/staff/login")
    }
}
