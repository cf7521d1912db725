import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Vapor
import XCTVapor
import XCTest

/// Issue 11 points 1, 3, 4 and 5 through the real app: the staff case page shows what the customer
/// sent and the unread box, staff handle files (case, customer, object) and create cases and link
/// contacts, and a user without a contact gets a receipt.
final class StaffLoopTests: XCTestCase {
    var harness: WebHarness!
    var db: any Database { harness.app.db }
    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws { try await harness.shutdown() }

    /// A Solgläntan case that Anna (contact of customer 1001) registered, handled by Henrik.
    func annasCase() async throws -> CaseRecord {
        let customer = try await Demo.customer("1001", on: db)
        let record = try await CaseRecord.query(on: db).filter(\.$customerId == customer.id!).filter(\.$origin == .portal)
            .filter(\.$status != .closed).sort(\.$number, .descending).first()!
        let anna = try await PortalUserRecord.query(on: db).filter(\.$username == "anna").first()!
        let handler = try await StaffUserRecord.query(on: db).filter(\.$email == "handler@example.com").first()!
        (record.createdByUserId, record.handlerId) = (anna.id, handler.id)
        (record.workSiteAddress, record.referenceName) = ("Gläntvägen 2, lgh 1203", "Portkod 4512")
        try await record.save(on: db)
        try await CaseFieldValueRecord(caseId: record.id!, fieldId: nil, label: "Våning", value: "3", sortOrder: 0).create(on: db)
        return record
    }

    func staff() async throws -> Browser {
        let browser = harness.browser()
        try await browser.staffLogin("handler@example.com")
        return browser
    }

    func anna() async throws -> Browser {
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        return browser
    }

    // MARK: Point 1

    func testTheStaffCasePageShowsWhatTheCustomerSentAndTheirFiles() async throws {
        let record = try await annasCase()
        let anna = try await anna()
        try await anna.get("/cases/\(record.number)")
        try await anna.upload("/cases/\(record.number)/files", files: [("foto.png", "image/png", Demo.pngBytes())])
        let file = try await StoredFileRecord.query(on: db).filter(\.$caseId == record.id!).first()!
        let staff = try await staff()
        try await staff.get("/staff/cases/\(record.number)")
        let page = staff.lastBody
        let user = try await PortalUserRecord.query(on: db).filter(\.$username == "anna").first()!
        XCTAssertTrue(page.contains("Gläntvägen 2, lgh 1203"), "work-site address")
        XCTAssertTrue(page.contains("Portkod 4512"), "reference name")
        XCTAssertTrue(page.contains("<dt>Våning</dt><dd>3</dd>"), "the type's field")
        XCTAssertTrue(page.contains("mailto:\(user.email!)"), "the creator's e-mail")
        XCTAssertTrue(page.contains(user.displayName))
        XCTAssertTrue(page.contains("href=\"/staff/files/\(file.id!)\" download>foto.png</a>"), "download")
        XCTAssertTrue(page.contains("<img src=\"/staff/files/\(file.id!)?inline=1\""), "thumbnail")
        let download = try await staff.get("/staff/files/\(file.id!)")
        XCTAssertEqual(download.status, .ok)
        XCTAssertEqual(download.headers.first(name: .contentDisposition)?.hasPrefix("attachment;"), true)
        XCTAssertEqual(Array(download.body.readableBytesView), Demo.pngBytes())
        let image = try await staff.get("/staff/files/\(file.id!)?inline=1")
        XCTAssertEqual(image.headers.first(name: .contentType), "image/png")
        // The portal cannot reach the staff download.
        let fromPortal = try await anna.get("/staff/files/\(file.id!)")
        XCTAssertEqual(fromPortal.headers.first(name: .location), "/staff/login")
    }

    func testStaffUploadAFileTheCustomerSeesAndRemoveItAfterConfirming() async throws {
        let record = try await annasCase()
        let staff = try await staff()
        try await staff.get("/staff/cases/\(record.number)")
        let none = try await staff.upload("/staff/cases/\(record.number)/files", files: [], field: "files")
        XCTAssertEqual(none.status, .unprocessableEntity)
        XCTAssertTrue(staff.lastBody.contains("files-error"))
        try await staff.get("/staff/cases/\(record.number)")
        let forged = try await staff.upload("/staff/cases/\(record.number)/files", files: [("x.pdf", "application/pdf", [1])], csrf: false)
        XCTAssertEqual(forged.status, .forbidden)
        let uploaded = try await staff.upload("/staff/cases/\(record.number)/files",
                                              files: [("Offert <1>.pdf", "application/pdf", Array("%PDF-1.4 offert".utf8))])
        XCTAssertEqual(uploaded.headers.first(name: .location), "/staff/cases/\(record.number)?notice=uploaded#files")
        let file = try await StoredFileRecord.query(on: db).filter(\.$caseId == record.id!).first()!
        XCTAssertEqual(file.contentType, "application/pdf", "the sniffed type")
        XCTAssertNotEqual(file.storageKey, "Offert <1>.pdf", "a generated name")
        XCTAssertNil(file.uploadedByUserId)
        let stored = try await harness.stored(file.storageKey)
        XCTAssertNotNil(stored)

        let anna = try await anna()
        try await anna.get("/cases/\(record.number)")
        XCTAssertTrue(anna.lastBody.contains("Offert &lt;1&gt;.pdf"), "the customer sees the file, escaped")

        // Removing asks first: a page naming the file; only its POST removes.
        try await staff.get("/staff/files/\(file.id!)/remove")
        XCTAssertTrue(staff.lastBody.contains("action=\"/staff/files/\(file.id!)/remove\""))
        XCTAssertTrue(staff.lastBody.contains("href=\"/staff/cases/\(record.number)#files\""), "a way back")
        let stillThere = try await StoredFileRecord.find(file.id, on: db)
        XCTAssertNil(stillThere?.removedAt)
        // Issue 12 point 7: a POST without the confirmation page's field removes nothing and asks again.
        let unconfirmed = try await staff.post("/staff/files/\(file.id!)/remove", [:])
        XCTAssertEqual(unconfirmed.status, .ok)
        XCTAssertTrue(staff.lastBody.contains("name=\"confirm\" value=\"1\""))
        let notYet = try await StoredFileRecord.find(file.id, on: db)
        XCTAssertNil(notYet?.removedAt)
        let keptBytes = try await harness.stored(file.storageKey)
        XCTAssertNotNil(keptBytes, "the bytes are kept")
        let removed = try await staff.post("/staff/files/\(file.id!)/remove", ["confirm": "1"])
        XCTAssertEqual(removed.headers.first(name: .location), "/staff/cases/\(record.number)?notice=removed#files")
        let bytes = try await harness.stored(file.storageKey)
        XCTAssertNil(bytes, "the bytes are deleted")
        try await anna.get("/cases/\(record.number)")
        XCTAssertFalse(anna.lastBody.contains("href=\"/cases/\(record.number)/files/\(file.id!)\""))
        let events = try await CaseEvents.timeline(caseId: record.id!, on: db)
        XCTAssertEqual(Array(events.prefix(2).map(\.event)), [.fileRemoved(name: "Offert <1>.pdf"), .filesUploaded(names: ["Offert <1>.pdf"])])
        let again = try await staff.get("/staff/files/\(file.id!)/remove")
        XCTAssertEqual(again.status, .notFound)
    }

    func testCustomerAndObjectFilesFromTheStaffPagesAppearOnThePortalsDocumentsPage() async throws {
        let customer = try await Demo.customer("1001", on: db)
        let husA = try await ObjectRecord.query(on: db).filter(\.$name == "Solgläntan hus A").first()!
        let staff = try await staff()
        try await staff.get("/staff/customers/\(customer.id!)")
        XCTAssertTrue(staff.lastBody.contains("Ordningsregler Solgläntan.txt"), "the customer page lists its files")
        XCTAssertTrue(staff.lastBody.contains("href=\"/staff/cases/new?customer=\(customer.id!)\""), "and offers a new case")
        let toCustomer = try await staff.upload("/staff/customers/\(customer.id!)/files",
                                                files: [("Stadgar.pdf", "application/pdf", Array("%PDF-1.4".utf8))])
        XCTAssertEqual(toCustomer.headers.first(name: .location), "/staff/customers/\(customer.id!)?notice=uploaded#files")
        try await staff.get("/staff/objects/\(husA.id!)")
        try await staff.upload("/staff/objects/\(husA.id!)/files", files: [("Ritning hus A.pdf", "application/pdf", Array("%PDF-1.4".utf8))])

        let anna = try await anna()
        try await anna.get("/files")
        XCTAssertTrue(anna.lastBody.contains("Stadgar.pdf"))
        XCTAssertTrue(anna.lastBody.contains("Ritning hus A.pdf"))
        let erik = harness.browser()
        try await erik.portalLogin("norrsken", "erik")
        try await erik.get("/files")
        XCTAssertFalse(erik.lastBody.contains("Stadgar.pdf"), "another customer's users do not see them")
        XCTAssertFalse(erik.lastBody.contains("Ritning hus A.pdf"))

        let file = try await StoredFileRecord.query(on: db).filter(\.$originalName == "Stadgar.pdf").first()!
        try await staff.get("/staff/files/\(file.id!)/remove")
        XCTAssertTrue(staff.lastBody.contains("href=\"/staff/customers/\(customer.id!)#files\""))
        let removed = try await staff.post("/staff/files/\(file.id!)/remove", ["confirm": "1"])
        XCTAssertEqual(removed.headers.first(name: .location), "/staff/customers/\(customer.id!)?notice=removed#files")
        try await anna.get("/files")
        XCTAssertFalse(anna.lastBody.contains("Stadgar.pdf"))
        let lines = try await AuditEventRecord.query(on: db).filter(\.$action == AuditAction.masterDataChanged.rawValue).all()
        XCTAssertTrue(lines.contains { $0.details == "file removed: Stadgar.pdf" })
    }

    // MARK: Point 3

    func testStaffCreateACaseTheCustomerSeesAsTheCompanys() async throws {
        let customer = try await Demo.customer("1001", on: db)
        let annaContact = try await ContactRecord.query(on: db).filter(\.$firstName == "Anna").first()!
        let staff = try await staff()
        try await staff.get("/staff/cases/new?customer=\(customer.id!)")
        XCTAssertTrue(staff.lastBody.contains("<option value=\"\(customer.id!)\" selected>"), "the customer is chosen")
        XCTAssertTrue(staff.lastBody.contains("<option value=\"\(annaContact.id!)\">"), "and its contacts offered")
        let refused = try await staff.post("/staff/cases/new", ["subject": "", "description": "Behåll mig", "customer": String(customer.id!)])
        XCTAssertEqual(refused.status, .unprocessableEntity)
        XCTAssertTrue(staff.lastBody.contains("Behåll mig</textarea>"), "what was typed stays")
        let saved = try await staff.post("/staff/cases/new", ["subject": "Byte av termostater", "description": "Alla lägenheter",
                                                              "customer": String(customer.id!), "contact": String(annaContact.id!),
                                                              "work_site_address": "Gläntvägen 2"])
        XCTAssertEqual(saved.status, .seeOther)
        let record = try await CaseRecord.query(on: db).filter(\.$subject == "Byte av termostater").first()!
        XCTAssertEqual(saved.headers.first(name: .location), "/staff/cases/\(record.number)?notice=created")
        XCTAssertEqual(record.origin, .backOffice)
        let events = try await CaseEvents.timeline(caseId: record.id!, on: db)
        XCTAssertEqual(events.map(\.event), [.created(channel: .backOffice)])

        let anna = try await anna()
        try await anna.get("/cases")
        XCTAssertTrue(anna.listedCaseNumbers.contains(record.number))
        try await anna.get("/cases/\(record.number)")
        XCTAssertTrue(anna.lastBody.contains("Skapat av oss"), "the portal's 'by the company' marker")
    }

    func testLinkingAContactOnTheCasePageLetsItsUserSeeTheCase() async throws {
        let record = try await annasCase()
        let erikContact = try await ContactRecord.query(on: db).filter(\.$firstName == "Erik").first()!
        let erik = harness.browser()
        try await erik.portalLogin("norrsken", "erik")
        let before = try await erik.get("/cases/\(record.number)")
        XCTAssertEqual(before.status, .notFound, "another customer's case")
        let staff = try await staff()
        try await staff.get("/staff/cases/\(record.number)")
        let linked = try await staff.post("/staff/cases/\(record.number)/contacts", ["contact": String(erikContact.id!)])
        XCTAssertEqual(linked.headers.first(name: .location), "/staff/cases/\(record.number)?notice=added#contacts")
        let after = try await erik.get("/cases/\(record.number)")
        XCTAssertEqual(after.status, .ok, "A7: the cases the contact is linked to")
        let twice = try await staff.post("/staff/cases/\(record.number)/contacts", ["contact": String(erikContact.id!)])
        XCTAssertEqual(twice.status, .unprocessableEntity)
        try await staff.get("/staff/cases/\(record.number)")
        XCTAssertTrue(staff.lastBody.contains("Kopplade kontakten Erik Bergström till ärendet"), "on the timeline")
        // Issue 12 point 7: unlinking asks first, naming the contact; the question changes nothing.
        let asked = try await staff.post("/staff/cases/\(record.number)/contacts/\(erikContact.id!)/remove", [:])
        XCTAssertEqual(asked.status, .ok)
        XCTAssertTrue(staff.lastBody.contains("Erik Bergström"))
        XCTAssertTrue(staff.lastBody.contains("href=\"/staff/cases/\(record.number)#contacts\""))
        let stillLinked = try await erik.get("/cases/\(record.number)")
        XCTAssertEqual(stillLinked.status, .ok)
        let unlinked = try await staff.post("/staff/cases/\(record.number)/contacts/\(erikContact.id!)/remove", ["confirm": "1"])
        XCTAssertEqual(unlinked.status, .seeOther)
        let gone = try await erik.get("/cases/\(record.number)")
        XCTAssertEqual(gone.status, .notFound)
        if let primary = record.primaryContactId {
            try await staff.get("/staff/cases/\(record.number)")
            let refused = try await staff.post("/staff/cases/\(record.number)/contacts/\(primary)/remove", ["confirm": "1"])
            XCTAssertEqual(refused.status, .unprocessableEntity, "the contact person stays")
        }
    }

    // MARK: Point 4

    func testAUserWithoutAContactGetsAReceiptNotA404() async throws {
        let solglantan = try await Demo.customer("1001", on: db)
        let user = PortalUserRecord(organisationId: solglantan.id!, username: "utan", loginKind: .contact, contactId: nil,
                                    firstName: "Utan", lastName: "Kontakt", email: "utan@example.com",
                                    passwordHash: try await harness.app.caseport.passwords.hash(DemoData.password))
        try await user.create(on: db)
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "utan")
        try await browser.get("/cases/new")
        let saved = try await browser.post("/cases/new/confirm", ["subject": "Trasig lampa", "description": "I trapphuset"])
        let record = try await CaseRecord.query(on: db).filter(\.$subject == "Trasig lampa").first()
        let number = try XCTUnwrap(record?.number)
        XCTAssertEqual(saved.headers.first(name: .location), "/cases/new/receipt?number=\(number)")
        let receipt = try await browser.get("/cases/new/receipt?number=\(number)")
        XCTAssertEqual(receipt.status, .ok)
        XCTAssertTrue(browser.lastBody.contains("Ditt ärende har fått nummer \(number)."))
        let direct = try await browser.get("/cases/\(number)")
        XCTAssertEqual(direct.status, .notFound, "A7: sees no cases, still")
        let bad = try await browser.get("/cases/new/receipt?number=abc")
        XCTAssertEqual(bad.status, .notFound)
        // Anna can open her new case as before.
        let anna = try await anna()
        try await anna.get("/cases/new")
        let husA = try await ObjectRecord.query(on: db).filter(\.$name == "Solgläntan hus A").first()!
        let annas = try await anna.post("/cases/new/confirm", ["subject": "Annas", "description": "x", "object": String(husA.id!)])
        XCTAssertEqual(annas.headers.first(name: .location)?.contains("notice=created"), true)
    }

    // MARK: Point 5

    func testTheUnreadBoxNamesTheCustomersMessagesAndUploadsSinceTheLastRead() async throws {
        let record = try await annasCase()
        try await CaseRecord.query(on: db).set(\.$hasUnreadActivity, to: false).update()
        let anna = try await anna()
        try await anna.get("/cases/\(record.number)")
        try await anna.post("/cases/\(record.number)/messages", ["body": "Första frågan"])
        let staff = try await staff()
        try await staff.get("/staff/cases/\(record.number)")
        XCTAssertTrue(staff.lastBody.contains("data-unread"))
        XCTAssertTrue(staff.lastBody.contains("Första frågan"))
        try await staff.post("/staff/cases/\(record.number)/read", [:])
        try await staff.get("/staff/cases/\(record.number)")
        XCTAssertFalse(staff.lastBody.contains("data-unread"), "read: no box")

        try await anna.get("/cases/\(record.number)")
        try await anna.post("/cases/\(record.number)/messages", ["body": "Andra frågan"])
        try await anna.get("/cases/\(record.number)")
        try await anna.upload("/cases/\(record.number)/files", files: [("skada.png", "image/png", Demo.pngBytes())])
        try await staff.get("/staff/cases/\(record.number)")
        let page = staff.lastBody
        let box = try XCTUnwrap(page.range(of: "data-unread").map { String(page[$0.lowerBound...].prefix(2_000)) })
        XCTAssertTrue(box.contains("Andra frågan"))
        XCTAssertFalse(box.contains("Första frågan"), "only what came after the last read")
        XCTAssertTrue(box.contains(">skada.png</a>"))
        XCTAssertLessThan(page.range(of: "data-unread")!.lowerBound, page.range(of: "id=\"messages\"")!.lowerBound, "above the messages")
    }
}
