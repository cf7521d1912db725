import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import NIOCore
import Vapor
import XCTVapor
import XCTest

/// Issue 11, points 16 and 17 through the real app: Windows-1252 imports, problems named by line and
/// column in the user's language, the CSV export; the inbox's SMS switch, select all, the confirmation
/// before deleting several, the buttons below the list, and a handler's "my customers and objects".
final class InboxAndImportLoopTests: XCTestCase {
    var harness: WebHarness!
    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws { try await harness.shutdown() }
    var db: any Database { harness.app.db }

    func staff(_ email: String, language: String? = nil) async throws -> Browser {
        let browser = harness.browser()
        if let language { browser.cookies["caseport_lang"] = language }
        try await browser.staffLogin(email)
        return browser
    }

    // MARK: Point 16: import

    /// Contacts as Excel's "CSV (semicolon separated)" writes them: Windows-1252 with å ä ö Å Ä Ö æ ø €.
    static let excelContacts: [UInt8] = Array("first_name;last_name;email;phone;customer_numbers\r\n".utf8)
        + [0xC5, 0x73, 0x61] + Array(";".utf8) + [0xC4, 0x6E, 0x67, 0xF6] + Array(";asa.w1252@example.com;;1001\r\n".utf8)  // Åsa;Ängö
        + [0xD6, 0x72, 0x6A, 0x61, 0x6E] + Array(";".utf8) + [0xE5, 0xE4, 0x73] + Array(";;;1001\r\n".utf8)                // Örjan;åäs
        + [0xC6, 0x73, 0x65] + Array(";".utf8) + [0xF8, 0x73, 0x74, 0x20, 0x80] + Array(";;;1002\r\n".utf8)                 // Æse;øst €

    func testAWindows1252FileIsPreviewedAndImportedWithTheLettersRight() async throws {
        let admin = try await staff("admin@example.com")
        try await admin.get("/staff/import")
        let preview = try await admin.uploadCSVBytes(kind: "contacts", name: "kontakter.csv", bytes: Self.excelContacts)
        XCTAssertEqual(preview.status, .ok, admin.lastBody)
        XCTAssertTrue(admin.lastBody.contains("data-import-encoding>Windows-1252"), "the page says how the file was read")
        for name in ["Åsa", "Ängö", "Örjan", "åäs", "Æse", "øst €"] {
            XCTAssertTrue(admin.lastBody.contains(name), name)
        }
        let upload = try XCTUnwrap(admin.hidden("upload"))
        let done = try await admin.post("/staff/import/run", ["kind": "contacts", "upload": upload, "file_name": "kontakter.csv"])
        XCTAssertEqual(done.status, .seeOther)
        let asa = try await ContactRecord.query(on: db).filter(\.$email == "asa.w1252@example.com").first()
        XCTAssertEqual(asa?.firstName, "Åsa")
        XCTAssertEqual(asa?.lastName, "Ängö")
        let ase = try await ContactRecord.query(on: db).filter(\.$firstName == "Æse").first()
        XCTAssertEqual(ase?.lastName, "øst €")
    }

    func testABadLineIsNamedByLineAndColumnInTheUsersLanguage() async throws {
        // Windows-1252, and on line 3 a quote opened in the "name" column and never closed.
        let bytes: [UInt8] = Array("customer_number;name;short_code\r\n9101;Brf ".utf8) + [0xC5, 0x73, 0x65, 0x6E]
            + Array(";asen\r\n9102;\"Brf ".utf8) + [0xD6, 0x73, 0x74] + Array(";ost\r\n".utf8)
        let expected = [
            "sv": "ett citattecken på rad 3, kolumn 2 (name) öppnas men stängs aldrig",
            "en": "a quotation mark on line 3, column 2 (name) is opened but never closed",
            "da": "et anførselstegn på linje 3, kolonne 2 (name) åbnes, men lukkes aldrig",
            "nb": "et anførselstegn på linje 3, kolonne 2 (name) åpnes, men lukkes aldri",
        ]
        for (language, text) in expected {
            let admin = try await staff("admin@example.com", language: language)
            try await admin.get("/staff/import")
            let response = try await admin.uploadCSVBytes(kind: "customers", name: "kunder.csv", bytes: bytes)
            XCTAssertEqual(response.status, .unprocessableEntity)
            XCTAssertTrue(admin.lastBody.contains(text), "\(language): \(admin.lastBody)")
            XCTAssertFalse(admin.lastBody.contains(">UTF-8<"))
        }
        let none = try await CustomerRecord.query(on: db).filter(\.$customerNumber ~~ ["9101", "9102"]).count()
        XCTAssertEqual(none, 0)
    }

    func testAFileMarkedUTF8WithOtherBytesNamesWhere() async throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("customer_number;name;short_code\n9201;G".utf8) + [0xF6] + Array("ta;g\n".utf8)
        let admin = try await staff("admin@example.com", language: "en")
        try await admin.get("/staff/import")
        let response = try await admin.uploadCSVBytes(kind: "customers", name: "kunder.csv", bytes: bytes)
        XCTAssertEqual(response.status, .unprocessableEntity)
        XCTAssertTrue(admin.lastBody.contains("on line 2, column 2 (name) there are characters that are not UTF-8"), admin.lastBody)
    }

    // MARK: Point 16: export

    func testMasterDataIsExportedAsExcelReadyCSVForAdministratorsOnly() async throws {
        let solglantan = try await Demo.customer("1001", on: db)
        let contact = ContactRecord(firstName: "=HYPERLINK(\"http://evil\")", lastName: "Öberg; Åsa", email: nil, phone: "+46 70 000")
        try await contact.create(on: db)
        try await ContactCustomerLink(contactId: contact.id!, customerId: solglantan.id!).create(on: db)

        let admin = try await staff("admin@example.com")
        try await admin.get("/staff/import")
        XCTAssertTrue(admin.lastBody.contains("href=\"/staff/export/contacts\""), "the import page links the exports")
        let response = try await admin.get("/staff/export/contacts")
        XCTAssertEqual(response.status, .ok)
        XCTAssertEqual(response.headers.contentType?.subType, "csv")
        XCTAssertEqual(response.headers.first(name: .contentDisposition), "attachment; filename=\"caseport-contacts.csv\"")
        let bytes = Array(response.body.readableBytesView)
        XCTAssertEqual(Array(bytes.prefix(3)), [0xEF, 0xBB, 0xBF], "UTF-8 with a byte-order mark, so Excel reads å ä ö")
        let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("first_name;last_name;email;phone;customer_numbers\r\n"))
        XCTAssertTrue(text.contains("\"'=HYPERLINK(\"\"http://evil\"\")\";\"Öberg; Åsa\";;'+46 70 000;1001\r\n"), text)
        for line in text.split(separator: "\r\n") {
            XCTAssertFalse(line.hasPrefix("=") || line.contains(";=") || line.contains(";+") || line.contains(";@") || line.contains(";-"),
                           "no cell starts a formula: \(line)")
        }
        let audit = try await AuditEventRecord.query(on: db).filter(\.$action == "data_exported").all()
        XCTAssertEqual(audit.map(\.subject), ["export contacts"])

        for kind in ["customers", "objects", "users"] {
            let other = try await admin.get("/staff/export/\(kind)")
            XCTAssertEqual(other.status, .ok, kind)
            let header = String(decoding: Array(other.body.readableBytesView).dropFirst(3), as: UTF8.self).prefix { $0 != "\r\n" }
            XCTAssertEqual(String(header), ImportKind(rawValue: kind)!.columns.map(\.name).joined(separator: ";"))
        }
        let unknown = try await admin.get("/staff/export/cases").status
        XCTAssertEqual(unknown, .notFound)

        let handler = try await staff("handler@example.com")
        let refused = try await handler.get("/staff/export/contacts").status
        XCTAssertEqual(refused, .forbidden)
    }

    func testAnExportedFileImportsBackAsTheSameRegister() async throws {
        let admin = try await staff("admin@example.com")
        let exported = try await admin.get("/staff/export/customers")
        let bytes = Array(exported.body.readableBytesView)
        try await admin.get("/staff/import")
        try await admin.uploadCSVBytes(kind: "customers", name: "caseport-customers.csv", bytes: bytes)
        let total = try await CustomerRecord.query(on: db).count()
        XCTAssertTrue(admin.lastBody.contains("data-import-bad>\(total)<"), "every row is already in the register, none is misread")
        XCTAssertTrue(admin.lastBody.contains("data-import-encoding>UTF-8 (med BOM)"))
    }

    // MARK: Point 17: inbox

    func takeInquiriesFirst(sms: Bool) async throws {
        var settings = try await SettingsStore(database: db).load()
        settings.inquiriesFirst = true
        settings.smsEnabled = sms
        try await SettingsStore(database: db).save(settings)
    }

    /// An inquiry from a customer/object, written straight to the store.
    @discardableResult
    func inquiry(_ subject: String, customer: String, object: String? = nil) async throws -> InquiryRecord {
        let owner = try await Demo.customer(customer, on: db)
        var new = NewCase(subject: subject, description: "Text om \(subject)", createdByName: "Anna Lindqvist", origin: .portal)
        new.customerId = owner.id
        if let object { new.objectId = try await ObjectRecord.query(on: db).filter(\.$name == object).first()!.id }
        return try await Inquiries(database: db).submit(new, senderEmail: "anna@solglantan.example", senderPhone: "070-111 22 33")
    }

    func testTheListHasSelectAllAndItsButtonsBelowAndTheSMSSwitchWhenSMSIsOn() async throws {
        try await takeInquiriesFirst(sms: false)
        try await inquiry("Läcka i taket", customer: "1001")
        let handler = try await staff("handler@example.com")
        try await handler.get("/staff/inbox")
        let body = handler.lastBody
        XCTAssertTrue(body.contains("data-select-all=\"inquiry\""))
        XCTAssertTrue(body.contains("<script src=\"/js/select-all.js\" defer></script>"))
        let table = try XCTUnwrap(body.range(of: "</table>")), buttons = try XCTUnwrap(body.range(of: "name=\"action\" value=\"delete\""))
        XCTAssertLessThan(table.lowerBound, buttons.lowerBound, "the actions are below the list, as the AP seed shows")
        XCTAssertFalse(body.contains("name=\"send_sms\""), "no SMS switch when the deployment has no SMS")

        try await takeInquiriesFirst(sms: true)
        try await handler.get("/staff/inbox")
        XCTAssertTrue(handler.lastBody.contains("role=\"switch\" name=\"send_sms\" value=\"1\">"), "off until switched on")
        let one = try await InquiryRecord.query(on: db).first()!
        try await handler.get("/staff/inbox/\(one.id!)")
        XCTAssertTrue(handler.lastBody.contains("role=\"switch\" name=\"send_sms\" value=\"1\">"))
        XCTAssertTrue(handler.lastBody.contains("Skicka även sms"))
    }

    func testSavingWithoutTheSwitchSendsNoSMSAndWithItDoes() async throws {
        try await takeInquiriesFirst(sms: true)
        let quiet = try await inquiry("Utan sms", customer: "1001"), loud = try await inquiry("Med sms", customer: "1001")
        let handler = try await staff("handler@example.com")
        func save(_ inquiry: InquiryRecord, sms: Bool) async throws -> CaseRecord {
            try await handler.get("/staff/inbox/\(inquiry.id!)")
            var fields = ["subject": inquiry.subject, "description": "x", "customer": String(inquiry.customerId!), "sender_name": "Anna",
                          "sender_email": "anna@solglantan.example", "sender_phone": "070-111 22 33", "notify_customer": "1"]
            if sms { fields["send_sms"] = "1" }
            let response = try await handler.post("/staff/inbox/\(inquiry.id!)", fields)
            XCTAssertEqual(response.status, .seeOther, handler.lastBody)
            return try await CaseRecord.query(on: db).filter(\.$subject == inquiry.subject).first()!
        }
        let withoutSMS = try await save(quiet, sms: false), withSMS = try await save(loud, sms: true)
        let first = try await OutboxRecord.query(on: db).filter(\.$caseId == withoutSMS.id!).all().map(\.channel)
        XCTAssertEqual(first, ["email"])
        let second = try await OutboxRecord.query(on: db).filter(\.$caseId == withSMS.id!).all().map(\.channel).sorted()
        XCTAssertEqual(second, ["email", "sms"])
    }

    func testDeletingOneNeedsNoConfirmationButSeveralDoAndCancelKeepsThem() async throws {
        try await takeInquiriesFirst(sms: false)
        let a = try await inquiry("Ett", customer: "1001"), b = try await inquiry("Två", customer: "1001")
        let c = try await inquiry("Tre", customer: "1001")
        let handler = try await staff("handler@example.com", language: "en")
        try await handler.get("/staff/inbox")
        let asked = try await handler.post("/staff/inbox/bulk", ["action": "delete", "inquiry_\(a.id!)": "1", "inquiry_\(b.id!)": "1"])
        XCTAssertEqual(asked.status, .ok)
        XCTAssertTrue(handler.lastBody.contains("These 2 inquiries will be deleted. This cannot be undone."))
        XCTAssertTrue(handler.lastBody.contains("name=\"confirmed\" value=\"1\""))
        XCTAssertTrue(handler.lastBody.contains("name=\"inquiry_\(a.id!)\" value=\"1\"") && handler.lastBody.contains("name=\"inquiry_\(b.id!)\" value=\"1\""))
        XCTAssertFalse(handler.lastBody.contains("name=\"inquiry_\(c.id!)\""), "only the selected ones")
        XCTAssertTrue(handler.lastBody.contains("href=\"/staff/inbox\">Cancel</a>"))
        let kept = try await InquiryRecord.query(on: db).count()
        XCTAssertEqual(kept, 3, "asking deletes nothing")

        let confirmed = try await handler.post("/staff/inbox/bulk", ["action": "delete", "confirmed": "1",
                                                                     "inquiry_\(a.id!)": "1", "inquiry_\(b.id!)": "1"])
        XCTAssertEqual(confirmed.status, .seeOther)
        XCTAssertEqual(confirmed.headers.first(name: .location), "/staff/inbox?notice=deleted&n=2")
        // Issue 12 point 7: one selected inquiry asks first too, in the singular.
        let single = try await handler.post("/staff/inbox/bulk", ["action": "delete", "inquiry_\(c.id!)": "1"])
        XCTAssertEqual(single.status, .ok, "one is not deleted without the confirmation")
        XCTAssertTrue(handler.lastBody.contains("This inquiry will be deleted. This cannot be undone."))
        let notYet = try await InquiryRecord.query(on: db).count()
        XCTAssertEqual(notYet, 1)
        let singleConfirmed = try await handler.post("/staff/inbox/bulk", ["action": "delete", "confirmed": "1", "inquiry_\(c.id!)": "1"])
        XCTAssertEqual(singleConfirmed.status, .seeOther)
        let left = try await InquiryRecord.query(on: db).count()
        XCTAssertEqual(left, 0)
    }

    func testAHandlerSeesOnlyTheirCustomersAndObjectsWhenTheyChooseAndAdminsSeeAll() async throws {
        try await takeInquiriesFirst(sms: false)
        try await inquiry("Solgläntan allmänt", customer: "1001")
        try await inquiry("Norrsken allmänt", customer: "1002")
        let henrik = try await StaffUserRecord.query(on: db).filter(\.$email == "handler@example.com").first()!
        let solglantan = try await Demo.customer("1001", on: db), norrsken = try await Demo.customer("1002", on: db)
        XCTAssertEqual(solglantan.handlerId, henrik.id, "the demo makes Henrik responsible for Solgläntan")

        let handler = try await staff("handler@example.com")
        try await handler.get("/staff/inbox")
        XCTAssertTrue(handler.lastBody.contains("Solgläntan allmänt") && handler.lastBody.contains("Norrsken allmänt"), "all by default")
        XCTAssertTrue(handler.lastBody.contains("href=\"/staff/inbox?mine=1\""))
        try await handler.get("/staff/inbox?mine=1")
        XCTAssertTrue(handler.lastBody.contains("Solgläntan allmänt"))
        XCTAssertFalse(handler.lastBody.contains("Norrsken allmänt"))
        XCTAssertTrue(handler.lastBody.contains("data-inbox-total>1<"))
        XCTAssertTrue(handler.lastBody.contains("<input type=\"hidden\" name=\"mine\" value=\"1\">"), "actions return to the same view")

        // An administrator sees everything; the choice is not offered and the parameter changes nothing.
        let admin = try await staff("admin@example.com")
        try await admin.get("/staff/inbox?mine=1")
        XCTAssertTrue(admin.lastBody.contains("Norrsken allmänt"))
        XCTAssertFalse(admin.lastBody.contains("href=\"/staff/inbox?mine=1\""))

        // The administrator assigns Norrsken to Henrik on the customer form, then takes it back.
        try await admin.get("/staff/customers/\(norrsken.id!)")
        XCTAssertTrue(admin.lastBody.contains("<select id=\"handler\" name=\"handler\""))
        XCTAssertTrue(admin.lastBody.contains("<option value=\"\(henrik.id!)\">Henrik Handläggare</option>"))
        func saveNorrsken(handler: String) async throws -> XCTHTTPResponse {
            try await admin.post("/staff/customers/\(norrsken.id!)", [
                "name": norrsken.name, "short_code": norrsken.shortCode, "customer_number": "1002", "is_active": "1", "handler": handler])
        }
        let saved = try await saveNorrsken(handler: String(henrik.id!))
        XCTAssertEqual(saved.status, .seeOther, admin.lastBody)
        try await admin.get("/staff/customers/\(norrsken.id!)")
        XCTAssertTrue(admin.lastBody.contains("<option value=\"\(henrik.id!)\" selected>Henrik Handläggare</option>"))
        try await handler.get("/staff/inbox?mine=1")
        XCTAssertTrue(handler.lastBody.contains("Norrsken allmänt"))
        let tampered = try await saveNorrsken(handler: "99999")
        XCTAssertEqual(tampered.status, .unprocessableEntity)
        let cleared = try await saveNorrsken(handler: "")
        XCTAssertEqual(cleared.status, .seeOther)
        let none = try await CustomerRecord.find(norrsken.id, on: db)?.handlerId
        XCTAssertNil(none)
        try await handler.get("/staff/inbox?mine=1")
        XCTAssertFalse(handler.lastBody.contains("Norrsken allmänt"))

        // One object of Norrsken can be Henrik's too: its inquiries are his, the customer's others are not.
        let nordstjarnan = try await ObjectRecord.query(on: db).filter(\.$name == "Nordstjärnan 4").first()!
        try await inquiry("Norrsken objekt", customer: "1002", object: nordstjarnan.name)
        try await admin.get("/staff/objects/\(nordstjarnan.id!)")
        let objectSaved = try await admin.post("/staff/objects/\(nordstjarnan.id!)", [
            "name": nordstjarnan.name, "address": nordstjarnan.address, "customer_number": "1002", "is_active": "1",
            "handler": String(henrik.id!)])
        XCTAssertEqual(objectSaved.status, .seeOther, admin.lastBody)
        try await handler.get("/staff/inbox?mine=1")
        XCTAssertTrue(handler.lastBody.contains("Norrsken objekt"))
        XCTAssertFalse(handler.lastBody.contains("Norrsken allmänt"))
    }
}

extension Browser {
    /// Uploads raw bytes to the import, as a browser sends a file it does not read.
    @discardableResult
    func uploadCSVBytes(kind: String, name: String, bytes: [UInt8]) async throws -> XCTHTTPResponse {
        let boundary = "----caseport-test-\(UUID().uuidString)"
        var body = ByteBuffer()
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n\(csrfToken ?? "")\r\n")
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n\(kind)\r\n")
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(name)\"\r\nContent-Type: text/csv\r\n\r\n")
        body.writeBytes(bytes)
        body.writeString("\r\n--\(boundary)--\r\n")
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        return try await send(.POST, "/staff/import", headers: headers, body: body)
    }
}
