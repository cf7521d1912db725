import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Vapor
import XCTVapor
import XCTest

/// Issue 13 (D3, D4): the "Claim" part of the staff case page through the real app — registering a
/// claim, its forms with their CSRF token, problems shown beside the fields with what was typed kept,
/// stale pages, tasks and their media, calls, and the start page's attention rows.
final class ClaimBackOfficePagesTests: XCTestCase {
    var harness: WebHarness!
    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws { try await harness.shutdown() }

    func newCase() async throws -> CaseRecord {
        let customer = try await Demo.customer("1001", on: harness.app.db)
        return try await CaseRecord.query(on: harness.app.db).filter(\.$customerId == customer.id!)
            .filter(\.$status == .new).sort(\.$number, .descending).first()!
    }

    func reload(_ record: CaseRecord) async throws -> CaseRecord {
        try await CaseRecord.find(record.id, on: harness.app.db)!
    }

    func staff() async throws -> Browser {
        let browser = harness.browser()
        try await browser.staffLogin("handler@example.com")
        return browser
    }

    /// Registers the case as a claim through its form.
    func register(_ record: CaseRecord, with staff: Browser) async throws {
        try await staff.get("/staff/cases/\(record.number)")
        let response = try await staff.post("/staff/cases/\(record.number)/claim", [
            "version": String(record.version), "incident": "2026-11-09 13:44", "damage_type": "Vattenskada", "policyholder_type": "private",
        ])
        XCTAssertEqual(response.status, .seeOther)
    }

    func testStaffRegisterAClaimAndTheFormNeedsItsToken() async throws {
        let record = try await newCase()
        let staff = try await staff()
        try await staff.get("/staff/cases/\(record.number)")
        XCTAssertTrue(staff.lastBody.contains("id=\"claim\""), "the case page has its claim part")
        XCTAssertTrue(staff.lastBody.contains("action=\"/staff/cases/\(record.number)/claim#claim\""))
        let forged = try await staff.post("/staff/cases/\(record.number)/claim", ["version": String(record.version), "damage_type": "x",
                                                                                  "policyholder_type": "private"], csrf: false)
        XCTAssertEqual(forged.status, .forbidden)
        let missing = try await ClaimDetailsRecord.find(record.id, on: harness.app.db)
        XCTAssertNil(missing)

        let bad = try await staff.post("/staff/cases/\(record.number)/claim", [
            "version": String(record.version), "incident": "igår", "damage_type": "Vattenskada <b>", "policyholder_type": "private",
        ])
        XCTAssertEqual(bad.status, .unprocessableEntity)
        XCTAssertTrue(staff.lastBody.contains("value=\"Vattenskada &lt;b&gt;\""), "what was typed is kept, escaped")
        XCTAssertTrue(staff.lastBody.contains("value=\"igår\""))
        XCTAssertTrue(staff.lastBody.contains("id=\"claim-incident-error\""))
        XCTAssertTrue(staff.lastBody.contains("id=\"claim-register\" open"), "the form's disclosure opens again")

        try await register(record, with: staff)
        try await staff.get("/staff/cases/\(record.number)")
        XCTAssertTrue(staff.lastBody.contains("Vattenskada"))
        XCTAssertTrue(staff.lastBody.contains("/staff/cases/\(record.number)/claim/details"), "now the claim's own forms")
        let details = try await ClaimDetailsRecord.find(record.id, on: harness.app.db)
        XCTAssertEqual(details?.policyholderType, "private")
    }

    func testDetailsProblemsKeepWhatWasTypedAndAStalePageIsAConflict() async throws {
        var record = try await newCase()
        let staff = try await staff()
        try await register(record, with: staff)
        record = try await reload(record)
        try await staff.get("/staff/cases/\(record.number)")
        let bad = try await staff.post("/staff/cases/\(record.number)/claim/details", [
            "version": String(record.version), "damage_type": "Brand", "policyholder_type": "business",
            "pm_name": "Pia Sørensen", "pm_phone": "ring mig", "appointment": "2026-13-40 10:00",
        ])
        XCTAssertEqual(bad.status, .unprocessableEntity)
        XCTAssertTrue(staff.lastBody.contains("value=\"ring mig\""))
        XCTAssertTrue(staff.lastBody.contains("value=\"Pia Sørensen\""))
        XCTAssertTrue(staff.lastBody.contains("id=\"claim-pm-phone-error\""))
        XCTAssertTrue(staff.lastBody.contains("id=\"claim-appointment-error\""))
        XCTAssertTrue(staff.lastBody.contains("id=\"claim-details\" open"))

        let saved = try await staff.post("/staff/cases/\(record.number)/claim/details", [
            "version": String(record.version), "damage_type": "Brand", "policyholder_type": "business",
            "pm_name": "Pia Sørensen", "pm_phone": "+45 11 11 11 11", "expert_name": "Rie Nielsen", "appointment": "2026-12-10 10:00",
        ])
        XCTAssertEqual(saved.status, .seeOther)
        try await staff.get("/staff/cases/\(record.number)")
        XCTAssertTrue(staff.lastBody.contains("Rie Nielsen"))
        // The timeline reads the new events in the reader's language (Swedish here).
        XCTAssertTrue(staff.lastBody.contains("Projektledare: Pia Sørensen"))
        XCTAssertTrue(staff.lastBody.contains("Besiktningsman tilldelad: Rie Nielsen"))

        let stale = try await staff.post("/staff/cases/\(record.number)/claim/details", [
            "version": String(record.version), "damage_type": "Storm", "policyholder_type": "business",
        ])
        XCTAssertEqual(stale.status, .conflict)
        XCTAssertTrue(staff.lastBody.contains("value=\"Storm\""), "the typed values survive a stale save")
    }

    func testTasksCallsAndMediaOnTheCasePage() async throws {
        var record = try await newCase()
        let staff = try await staff()
        try await register(record, with: staff)
        record = try await reload(record)
        try await staff.get("/staff/cases/\(record.number)")
        let badTask = try await staff.post("/staff/cases/\(record.number)/claim/tasks", [
            "version": String(record.version), "task_kind": "main_inspection", "task_title": "",
            "task_starts": "2026-12-10 08:00", "task_ends": "2026-12-09 08:00", "task_description": "Fukt i källaren",
        ])
        XCTAssertEqual(badTask.status, .unprocessableEntity)
        XCTAssertTrue(staff.lastBody.contains("Fukt i källaren</textarea>"))
        XCTAssertTrue(staff.lastBody.contains("id=\"task-new-title-error\""))
        XCTAssertTrue(staff.lastBody.contains("id=\"task-new-ends-error\""))

        let added = try await staff.post("/staff/cases/\(record.number)/claim/tasks", [
            "version": String(record.version), "task_kind": "main_inspection", "task_title": "Huvudbesiktning källare",
            "task_responsible": "Rie Nielsen", "task_phone": "+4511111111", "task_starts": "2026-12-10 08:00", "task_awaiting": "1",
        ])
        XCTAssertEqual(added.status, .seeOther)
        let task = try await ClaimTaskRecord.query(on: harness.app.db).filter(\.$caseId == record.id!).first()
        let taskId = try XCTUnwrap(task?.id)
        XCTAssertEqual(task?.awaitingSupplier, true)
        record = try await reload(record)
        try await staff.get("/staff/cases/\(record.number)")
        XCTAssertTrue(staff.lastBody.contains("Huvudbesiktning källare"))
        XCTAssertTrue(staff.lastBody.contains("Uppdrag tillagt: Huvudbesiktning källare (Huvudbesiktning)"))
        let started = try await staff.post("/staff/cases/\(record.number)/claim/tasks/\(taskId)/state",
                                           ["version": String(record.version), "state": "started"])
        XCTAssertEqual(started.status, .seeOther)
        let progress = try await ClaimSettingsStore(database: harness.app.db).progress(caseId: record.id!)
        XCTAssertNotNil(progress.firstInspectionAt, "an inspection with a responsible person is the first inspection")

        // Media: multipart with the token as the first field; stored on the task, not shared.
        try await staff.get("/staff/cases/\(record.number)")
        let refused = try await staff.upload("/staff/cases/\(record.number)/claim/tasks/\(taskId)/media",
                                             files: [(name: "fukt.png", type: "image/png", bytes: Demo.pngBytes())], csrf: false)
        XCTAssertEqual(refused.status, .forbidden)
        try await staff.get("/staff/cases/\(record.number)")
        let uploaded = try await staff.upload("/staff/cases/\(record.number)/claim/tasks/\(taskId)/media",
                                              files: [(name: "fukt.png", type: "image/png", bytes: Demo.pngBytes())])
        XCTAssertEqual(uploaded.status, .seeOther)
        let media = try await StoredFileRecord.query(on: harness.app.db).filter(\.$taskId == taskId).all()
        XCTAssertEqual(media.map(\.originalName), ["fukt.png"])
        XCTAssertEqual(media.first?.isShared, false)

        // A call: a bad length is a message beside the field, the rest kept.
        try await staff.get("/staff/cases/\(record.number)")
        let badCall = try await staff.post("/staff/cases/\(record.number)/claim/calls", [
            "call_callee": "Bente Larsen", "call_number": "11111111", "call_answered": "1", "call_length": "tre minuter",
        ])
        XCTAssertEqual(badCall.status, .unprocessableEntity)
        XCTAssertTrue(staff.lastBody.contains("value=\"Bente Larsen\""))
        XCTAssertTrue(staff.lastBody.contains("id=\"call-length-error\""))
        let call = try await staff.post("/staff/cases/\(record.number)/claim/calls", [
            "call_callee": "Bente Larsen", "call_number": "11111111", "call_answered": "1", "call_length": "3:25",
        ])
        XCTAssertEqual(call.status, .seeOther)
        try await staff.get("/staff/cases/\(record.number)")
        XCTAssertTrue(staff.lastBody.contains("Samtal: Henrik"), staff.lastBody.components(separatedBy: "timeline").last ?? "")
    }

    func testTheStartPageCountsTheSeedsRowsAndListsTheirCases() async throws {
        var record = try await newCase()
        let staff = try await staff()
        let me = try await StaffUserRecord.query(on: harness.app.db).filter(\.$email == "handler@example.com").first()!
        record.handlerId = me.id
        try await record.save(on: harness.app.db)
        try await register(record, with: staff)
        record = try await reload(record)
        try await staff.get("/staff/cases/\(record.number)")
        let today = ClaimTimeText.formatDay(Date(), language: .sv)
        let reminded = try await staff.post("/staff/cases/\(record.number)/claim/reminder", ["reminder_day": today, "reminder_note": "Ring kunden"])
        XCTAssertEqual(reminded.status, .seeOther)
        _ = try await staff.post("/staff/cases/\(record.number)/claim/tasks", [
            "version": String(record.version), "task_kind": "repair", "task_title": "Golv", "task_awaiting": "1",
        ])
        // A document a supplier sent, not reviewed.
        let supplier = SupplierRecord(name: "Easyfix")
        try await supplier.create(on: harness.app.db)
        let file = StoredFileRecord()
        file.caseId = record.id
        file.storageKey = "supplier-doc"
        file.originalName = "rapport.pdf"
        file.contentType = "application/pdf"
        file.byteSize = 10
        file.uploaderName = "Henrik"
        file.createdAt = Date()
        file.supplierId = supplier.id
        try await file.create(on: harness.app.db)

        try await staff.get("/staff")
        let body = staff.lastBody
        func count(_ key: String) -> String? {
            guard let range = body.range(of: "id=\"attention-\(key)\"><span class=\"visually-hidden\">[^<]*</span><strong>([^<]*)</strong>",
                                         options: .regularExpression) else { return nil }
            return String(body[range]).components(separatedBy: "<strong>").last?.replacingOccurrences(of: "</strong>", with: "")
        }
        XCTAssertEqual(count("reminders_today"), "1")
        XCTAssertEqual(count("reminders_tomorrow"), "0")
        XCTAssertEqual(count("awaiting_supplier"), "1")
        XCTAssertEqual(count("supplier_uploads"), "1")
        // The demo's invoice specification waiting for Anna's approval: its cases.
        let waiting = try await InvoiceSpecificationRecord.query(on: harness.app.db).filter(\.$state == "waiting").all().map { $0.id! }
        let waitingCases = Set(try await SpecificationRowRecord.query(on: harness.app.db).filter(\.$specificationId ~~ waiting).all().map(\.caseId))
        XCTAssertFalse(waitingCases.isEmpty)
        XCTAssertEqual(count("invoices_waiting"), String(waitingCases.count))

        try await staff.get("/staff/attention/reminders_today")
        XCTAssertTrue(staff.lastBody.contains("Ring kunden"))
        XCTAssertTrue(staff.lastBody.contains("/staff/cases/\(record.number)\""))
        try await staff.get("/staff/attention/supplier_uploads")
        XCTAssertTrue(staff.lastBody.contains("rapport.pdf"))
        let reviewed = try await staff.post("/staff/files/\(file.id!)/reviewed", [:])
        XCTAssertEqual(reviewed.status, .seeOther)
        let after = try await StoredFileRecord.find(file.id, on: harness.app.db)
        XCTAssertNotNil(after?.reviewedAt)
        try await staff.get("/staff/attention/supplier_uploads")
        XCTAssertFalse(staff.lastBody.contains("rapport.pdf"))
        let unknown = try await staff.get("/staff/attention/everything")
        XCTAssertEqual(unknown.status, .notFound)
    }

    func testCustomerContactAndDocumentsAreCountedApartOnTheStartPageAndTheCase() async throws {
        let record = try await newCase()
        let customer = harness.browser()
        try await customer.portalLogin("solglantan", "anna")
        try await customer.get("/cases/\(record.number)")
        let wrote = try await customer.post("/cases/\(record.number)/messages", ["body": "Det droppar fortfarande"])
        XCTAssertEqual(wrote.status, .seeOther)
        let attention = ClaimAttention(database: harness.app.db, now: Date())
        let me = try await StaffUserRecord.query(on: harness.app.db).filter(\.$email == "handler@example.com").first()!
        let contact = try await attention.caseIds(.customerContact, staffId: me.id!)
        let documents = try await attention.caseIds(.customerDocuments, staffId: me.id!)
        XCTAssertTrue(contact.contains(record.id!))
        XCTAssertFalse(documents.contains(record.id!), "a message is not a document")

        let staff = try await staff()
        try await staff.get("/staff/cases/\(record.number)")
        XCTAssertTrue(staff.lastBody.contains("Kundkontakt <span class=\"badge\">1</span>"))
        try await staff.post("/staff/cases/\(record.number)/read", [:])
        let cleared = try await attention.caseIds(.customerContact, staffId: me.id!)
        XCTAssertFalse(cleared.contains(record.id!), "mark as read clears the row")
    }

    func testAnAdministratorSetsAHandlersMobile() async throws {
        let admin = harness.browser()
        try await admin.staffLogin("admin@example.com")
        let henrik = try await StaffUserRecord.query(on: harness.app.db).filter(\.$email == "handler@example.com").first()!
        try await admin.get("/staff/staff-users/\(henrik.id!)")
        XCTAssertTrue(admin.lastBody.contains("name=\"mobile\""))
        let fields = ["name": henrik.name, "email": henrik.email, "role": "handler", "is_active": "1"]
        let bad = try await admin.post("/staff/staff-users/\(henrik.id!)", fields.merging(["mobile": "ring receptionen"]) { $1 })
        XCTAssertEqual(bad.status, .unprocessableEntity)
        XCTAssertTrue(admin.lastBody.contains("value=\"ring receptionen\""))
        XCTAssertTrue(admin.lastBody.contains("id=\"mobile-error\""))
        let saved = try await admin.post("/staff/staff-users/\(henrik.id!)", fields.merging(["mobile": "+45 11 11 11 11"]) { $1 })
        XCTAssertEqual(saved.status, .seeOther)
        let stored = try await StaffUserRecord.find(henrik.id, on: harness.app.db)
        XCTAssertEqual(stored?.mobile, "+45 11 11 11 11")
    }
}
