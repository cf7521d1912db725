import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import NIOCore
import Vapor
import XCTVapor
import XCTest

/// D6 CSV import: preview first (nothing written), then all or nothing, admins only.
final class MasterDataImportTests: XCTestCase {
    var harness: WebHarness!
    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws { try await harness.shutdown() }
    var db: any Database { harness.app.db }

    func admin() async throws -> Browser {
        let browser = harness.browser()
        try await browser.staffLogin("admin@example.com")
        try await browser.get("/staff/import")
        return browser
    }

    func contactsCSV(_ count: Int, prefix: String = "imp") -> String {
        var lines = ["first_name;last_name;email;phone;customer_numbers"]
        for index in 0..<count {
            lines.append("Förnamn\(index);\"Efternamn, \(index)\";\(prefix)\(index)@example.com;070-\(index);\(index.isMultiple(of: 2) ? "1001" : "1001|1002")")
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    func testAPreviewWritesNothingAndAnImportWritesEveryRowWithLinks() async throws {
        let browser = try await admin()
        let before = try await ContactRecord.query(on: db).count()
        let preview = try await browser.uploadCSV(kind: "contacts", name: "kontakter.csv", csv: contactsCSV(300))
        XCTAssertEqual(preview.status, .ok)
        XCTAssertTrue(browser.lastBody.contains("data-import-total>300<"))
        let afterPreview = try await ContactRecord.query(on: db).count()
        XCTAssertEqual(afterPreview, before, "the preview writes nothing")

        let upload = try XCTUnwrap(browser.hidden("upload"))
        let done = try await browser.post("/staff/import/run", ["kind": "contacts", "upload": upload, "file_name": "kontakter.csv"])
        XCTAssertEqual(done.status, .seeOther)
        let after = try await ContactRecord.query(on: db).count()
        XCTAssertEqual(after, before + 300)
        let sample = try await ContactRecord.query(on: db).filter(\.$email == "imp7@example.com").first()
        XCTAssertEqual(sample?.lastName, "Efternamn, 7")
        XCTAssertEqual(sample?.firstName, "Förnamn7")
        let links = try await ContactCustomerLink.query(on: db).filter(\.$contactId == sample!.id!).all().map(\.customerId).sorted()
        let c1 = try await Demo.customer("1001", on: db).id!, c2 = try await Demo.customer("1002", on: db).id!
        XCTAssertEqual(links, [c1, c2].sorted(), "row 7 is linked to both customers, to the right contact")
        let line = try await AuditEventRecord.query(on: db).filter(\.$action == "data_imported").first()
        XCTAssertEqual(line?.details, "300 rows from kontakter.csv")
        XCTAssertEqual(line?.actorName, "Maria Admin")

        // The same file again: every row is now a duplicate of the database.
        try await browser.uploadCSV(kind: "contacts", name: "kontakter.csv", csv: contactsCSV(300))
        XCTAssertTrue(browser.lastBody.contains("data-import-bad>300<"))
    }

    func testOneBadRowMeansNothingIsWrittenAndEveryProblemIsShown() async throws {
        let browser = try await admin()
        var csv = contactsCSV(250)
        csv += "Bad;Row;not-an-email;;\r\n;NoFirst;x@example.com;;7777\r\nDup;Row;imp3@example.com;;\r\n"
        let preview = try await browser.uploadCSV(kind: "contacts", name: "k.csv", csv: csv)
        XCTAssertEqual(preview.status, .unprocessableEntity)
        XCTAssertTrue(browser.lastBody.contains("data-import-bad>3<"))
        XCTAssertTrue(browser.lastBody.contains("data-import-line=\"252\""))
        XCTAssertTrue(browser.lastBody.contains("email är inte en e-postadress"))
        XCTAssertTrue(browser.lastBody.contains("ingen kund har nummer 7777"))
        XCTAssertTrue(browser.lastBody.contains("finns även på rad 5"))
        XCTAssertFalse(browser.lastBody.contains("/staff/import/run"), "no import button while rows have problems")
        let count = try await ContactRecord.query(on: db).filter(\.$email == "imp1@example.com").count()
        XCTAssertEqual(count, 0)
    }

    func testTheWriteChecksAgainAndWritesNothingWhenTheRegisterChanged() async throws {
        let browser = try await admin()
        try await browser.uploadCSV(kind: "contacts", name: "k.csv", csv: contactsCSV(200))
        let upload = try XCTUnwrap(browser.hidden("upload"))
        // Meanwhile someone adds a contact with one of the file's addresses.
        try await ContactRecord(firstName: "Kvick", lastName: "Person", email: "imp150@example.com").create(on: db)
        let before = try await ContactRecord.query(on: db).count()
        let response = try await browser.post("/staff/import/run", ["kind": "contacts", "upload": upload])
        XCTAssertEqual(response.status, .unprocessableEntity)
        XCTAssertTrue(browser.lastBody.contains("data-import-line=\"152\""))
        let after = try await ContactRecord.query(on: db).count()
        XCTAssertEqual(after, before, "all or nothing")
        let links = try await AuditEventRecord.query(on: db).filter(\.$action == "data_imported").count()
        XCTAssertEqual(links, 0)
    }

    func testCustomersObjectsAndUsersImport() async throws {
        let browser = try await admin()
        try await browser.uploadCSV(kind: "customers", name: "c.csv",
                                    csv: "customer_number,name,short_code,single_user\n2001,Brf Eken,eken,nej\n2002,\"Brf Björk, Umeå\",bjork,ja\n")
        try await browser.post("/staff/import/run", ["kind": "customers", "upload": try XCTUnwrap(browser.hidden("upload"))])
        let bjork = try await Demo.customer("2002", on: db)
        XCTAssertEqual(bjork.name, "Brf Björk, Umeå")
        XCTAssertTrue(bjork.singleUser)
        XCTAssertEqual(bjork.shortCodeKey, "bjork")

        try await browser.uploadCSV(kind: "objects", name: "o.csv", csv: "customer_number;name;address\n2001;Eken 1;Ekvägen 1\n2001;Eken 2;Ekvägen 2\n")
        try await browser.post("/staff/import/run", ["kind": "objects", "upload": try XCTUnwrap(browser.hidden("upload"))])
        let objects = try await ObjectRecord.query(on: db).filter(\.$customerId == (try await Demo.customer("2001", on: db)).id!).count()
        XCTAssertEqual(objects, 2)

        try await browser.uploadCSV(kind: "users", name: "u.csv",
                                    csv: "customer_number,username,first_name,last_name,email,is_admin\n2001,eva,Eva,Ek,eva@example.com,ja\n")
        XCTAssertTrue(browser.lastBody.contains("name=\"send_login_details\""), "users can be sent login details")
        try await browser.post("/staff/import/run", ["kind": "users", "upload": try XCTUnwrap(browser.hidden("upload")),
                                                     "send_login_details": "1"])
        let eva = try await PortalUserRecord.query(on: db).filter(\.$usernameKey == "eva").first()
        XCTAssertEqual(eva?.isAdmin, true)
        XCTAssertEqual(eva?.isActive, true)
        // Nobody knows the imported password: the login fails until the set-password link is used.
        let login = harness.browser()
        try await login.portalLogin("eken", "eva", password: "Secret12")
        XCTAssertNil(login.cookies["caseport_portal"])
        let mail = try await OutboxRecord.query(on: db).filter(\.$kind == "login_details").filter(\.$recipient == "eva@example.com").first()
        let body = try XCTUnwrap(mail?.body)
        let token = try XCTUnwrap(body.components(separatedBy: "token=").last?.prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        let eve = harness.browser()
        try await eve.get("/password/set?token=\(token)")
        try await eve.post("/password/set", ["token": String(token), "password": "Secret12", "password_confirm": "Secret12"])
        try await eve.portalLogin("eken", "eva", password: "Secret12")
        XCTAssertNotNil(eve.cookies["caseport_portal"], "the link from the import sets a working password")
        let line = try await AuditEventRecord.query(on: db).filter(\.$action == "data_imported").sort(\.$id, .descending).first()
        XCTAssertEqual(line?.details, "1 rows from a CSV file, login details queued for 1")
    }

    func testAFileThatIsNotCSVOrLacksAColumnGetsAMessage() async throws {
        let browser = try await admin()
        let broken = try await browser.uploadCSV(kind: "contacts", name: "x.csv", csv: "first_name,last_name\n\"open,1\n")
        XCTAssertEqual(broken.status, .unprocessableEntity)
        XCTAssertTrue(browser.lastBody.contains("Filen kan inte läsas som CSV"))
        let missing = try await browser.uploadCSV(kind: "objects", name: "x.csv", csv: "name,address\nA,B\n")
        XCTAssertEqual(missing.status, .unprocessableEntity)
        XCTAssertTrue(browser.lastBody.contains("Kolumn saknas: customer_number"))
        // The upload form carries its CSRF token in the action URL; without it the post is refused.
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=x")
        let forged = try await browser.send(.POST, "/staff/import", headers: headers, body: ByteBuffer(string: "--x--\r\n"))
        XCTAssertEqual(forged.status, .forbidden)
        let noToken = try await browser.post("/staff/customers/new", ["name": "X", "short_code": "x", "customer_number": "8"], csrf: false)
        XCTAssertEqual(noToken.status, .forbidden)
        let expired = try await browser.post("/staff/import/run", ["kind": "contacts", "upload": String(repeating: "a", count: 43)])
        XCTAssertEqual(expired.status, .unprocessableEntity)
    }
}

extension Browser {
    /// Posts the import form as the browser does: multipart, the CSRF token the first field.
    @discardableResult
    func uploadCSV(kind: String, name: String, csv: String) async throws -> XCTHTTPResponse {
        let boundary = "----caseport-test-\(UUID().uuidString)"
        var body = ByteBuffer()
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n\(csrfToken ?? "")\r\n")
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n\(kind)\r\n")
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(name)\"\r\nContent-Type: text/csv\r\n\r\n")
        body.writeString(csv)
        body.writeString("\r\n--\(boundary)--\r\n")
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        return try await send(.POST, "/staff/import", headers: headers, body: body)
    }

    /// The value of a hidden field on the last page.
    func hidden(_ name: String) -> String? {
        guard let range = lastBody.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(lastBody[range.upperBound...].prefix { $0 != "\"" })
    }
}
