import CaseportCore
import CaseportOperations
import CaseportStore
@testable import CaseportWeb
import Fluent
import XCTest

/// The case forms as `PostedForm`s: each reads what a browser posts, under the names the pages use,
/// into the operation's input; names that vary (`field_<id>`, `inquiry_<id>`) come through `allKeys`.
final class CaseFormsTests: XCTestCase {
    private func decode<Form: PostedForm>(_ type: Form.Type, _ values: [String: String]) throws -> Form {
        try Form(from: FormValueDecoder(values: values))
    }

    func testTheNewCaseFormReadsItsTypesFieldsByIdAndLeavesOtherNamesOut() throws {
        let form = try decode(NewCaseForm.self, [
            "type": "3", "subject": " Läcka ", "description": "Droppar", "object": "7", "work_site_address": "Väg 1",
            "copy_by_email": "1", "copy_email": "a@example.com", "sms_phone": "070", "field_12": "yes", "field_4": "",
            "field_x": "not a field", "fields_9": "nor this", "person": "new", "person_first_name": "Per"])
        XCTAssertEqual(form.typeFields, [12: "yes", 4: ""])
        let input = form.input(language: .sv)
        XCTAssertEqual(input.typeId, 3)
        XCTAssertEqual(input.subject, " Läcka ", "the operation trims")
        XCTAssertEqual(input.object, .id(7))
        XCTAssertEqual(input.fieldValues, [12: "yes", 4: ""])
        XCTAssertEqual(input.copyEmail, "a@example.com")
        XCTAssertNil(input.smsPhone, "a phone without the tick is no request for texts")
        XCTAssertEqual(input.author, .new(firstName: "Per", lastName: "", email: nil, phone: nil))
        // The confirmation page sends back every value that means something, by its posted name.
        XCTAssertEqual(form.hiddenFields.map(\.name), ["copy_by_email", "copy_email", "description", "field_12", "object",
                                                       "person", "person_first_name", "sms_phone", "subject", "type",
                                                       "work_site_address"])
        let again = try decode(NewCaseForm.self, Dictionary(uniqueKeysWithValues: form.hiddenFields.map { ($0.name, $0.value) }))
        XCTAssertEqual(again.input(language: .sv).fieldValues, [12: "yes"])
        XCTAssertEqual(again.hiddenFields.map(\.value), form.hiddenFields.map(\.value), "a round trip loses nothing")
    }

    func testTheStaffCaseFormReadsTheSevenSelectsAndTheVersion() throws {
        let form = try decode(CaseEditForm.self, ["version": "4", "subject": "S", "description": "D", "handler": "2", "supplier": "",
                                                  "category": "x", "object": "9"])
        XCTAssertEqual(form.version, 4)
        let input = form.input(caseNumber: 1001, version: 4)
        XCTAssertEqual([input.handler, input.supplier, input.category, input.object, input.customer],
                       [.id(2), .none, .invalid, .id(9), .none])
        XCTAssertNil(try decode(CaseEditForm.self, ["version": "x"]).version, "a broken version is no version")
        XCTAssertNil(try decode(CaseStatusForm.self, ["status": "no-such", "version": "1"]).status)
        XCTAssertEqual(try decode(CaseStatusForm.self, ["status": "open", "version": "1"]).status, .open)
        XCTAssertTrue(try decode(StaffMessageForm.self, ["body": "b", "internal": "1"]).isInternal)
        XCTAssertFalse(try decode(StaffMessageForm.self, ["body": "b"]).isInternal)
    }

    func testTheInboxFormsReadTheCaseTheNoticesAndTheTickedInquiries() throws {
        let form = try decode(InquiryCaseForm.self, ["subject": "S", "type": "1", "customer": "2", "sender_name": "Anna",
                                                     "notify_supplier": "1"])
        let input = form.input(inquiryId: 5, language: .en)
        XCTAssertEqual([input.type, input.customer, input.priority], [.id(1), .id(2), .none])
        XCTAssertEqual(input.senderName, "Anna")
        XCTAssertFalse(input.notifyCustomer, "an unticked box is not sent")
        XCTAssertTrue(input.notifySupplier)
        let bulk = try decode(InboxBulkForm.self, ["action": "create", "inquiry_12": "1", "inquiry_3": "1", "inquiry_x": "1",
                                                   "notify_customer": "1"])
        XCTAssertEqual(bulk.inquiryIds, [3, 12])
        XCTAssertEqual(bulk.action, "create")
        XCTAssertTrue(bulk.notifyCustomer)
    }

    func testThePortalCaseFormsKeepTheirMeaning() throws {
        let message = try decode(PortalMessageForm.self, ["body": "Hej", "copy_to_me": "1", "person": "4"])
        XCTAssertTrue(message.copyToMe)
        XCTAssertEqual(message.person.choice, .saved(personId: 4))
        let untouched = try decode(ClassificationForm.self, ["priority": ""])
        XCTAssertNil(untouched.category, "a select not sent leaves its value alone")
        XCTAssertEqual(untouched.priority, "", "an empty one clears it")
        // Texts are cut one character past `longestValue`: a message or comment within its limit is never cut.
        XCTAssertGreaterThanOrEqual(PortalMessageForm.longestValue, InputLimits.message)
        XCTAssertGreaterThanOrEqual(ApprovalForm.longestValue, InputLimits.message)
        XCTAssertGreaterThanOrEqual(StaffMessageForm.longestValue, InputLimits.message)
    }

    /// D3: a case registered in the portal starts the staff timeline with its "created" event.
    func testTheStaffTimelineShowsACaseRegisteredInThePortal() async throws {
        let harness = try await WebHarness()
        do {
            let db = harness.app.db
            let husA = try await ObjectRecord.query(on: db).filter(\.$name == "Solgläntan hus A").first()!
            let anna = harness.browser()
            try await anna.portalLogin("solglantan", "anna")
            try await anna.get("/cases/new")
            let saved = try await anna.post("/cases/new/confirm", ["subject": "Ny läcka", "description": "Det droppar",
                                                                   "object": String(husA.id!)])
            XCTAssertEqual(saved.status, .seeOther)
            let found = try await CaseRecord.query(on: db).filter(\.$subject == "Ny läcka").first()
            let record = try XCTUnwrap(found)
            let staff = harness.browser()
            try await staff.staffLogin("admin@example.com")
            try await staff.get("/staff/cases/\(record.number)")
            XCTAssertTrue(staff.lastBody.contains("· Anna Lindqvist</span><br>Registrerade ärendet i portalen"),
                          "the timeline names the event and who registered the case")
        } catch {
            try await harness.shutdown()
            throw error
        }
        try await harness.shutdown()
    }
}
