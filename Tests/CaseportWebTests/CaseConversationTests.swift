import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Vapor
import XCTVapor
import XCTest

/// Messages and files on the case page (B5), and that they stay within the access rule.
final class CaseConversationTests: XCTestCase {
    var harness: WebHarness!
    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws { try await harness.shutdown() }

    func annasCase() async throws -> CaseRecord {
        let customer = try await Demo.customer("1001", on: harness.app.db)
        return try await CaseRecord.query(on: harness.app.db).filter(\.$customerId == customer.id!)
            .filter(\.$status != .closed).sort(\.$number, .descending).first()!
    }

    func testAMessageIsAddedShownAndCopiedByMailWhenAsked() async throws {
        let target = try await annasCase()
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        try await browser.get("/cases/\(target.number)")
        let response = try await browser.post("/cases/\(target.number)/messages",
                                              ["body": "Hej! Kranen läcker fortfarande <b>mycket</b>.", "copy_to_me": "1"])
        XCTAssertEqual(response.status, .seeOther)
        try await browser.get("/cases/\(target.number)")
        XCTAssertTrue(browser.lastBody.contains("Kranen läcker fortfarande &lt;b&gt;mycket&lt;/b&gt;."))
        let copies = try await OutboxRecord.query(on: harness.app.db).filter(\.$kind == "message_copy").all()
        XCTAssertEqual(copies.map(\.recipient), ["anna@solglantan.example"])
        XCTAssertTrue(copies[0].body.contains("Kranen läcker fortfarande"))
    }

    func testAnEmptyMessageIsRefusedWithAMessageAndTheFormKept() async throws {
        let target = try await annasCase()
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        try await browser.get("/cases/\(target.number)")
        let response = try await browser.post("/cases/\(target.number)/messages", ["body": "   ", "copy_to_me": "1"])
        XCTAssertEqual(response.status, .unprocessableEntity)
        XCTAssertTrue(browser.lastBody.contains("Skriv ett meddelande först."))
        XCTAssertTrue(browser.lastBody.contains("name=\"copy_to_me\" value=\"1\" checked"))
    }

    func testInternalNotesNeverReachThePortalPageOrSearch() async throws {
        let target = try await annasCase()
        let note = "Intern anteckning: kundens styrelse är besvärlig, ta betalt för resan."
        try await CaseConversation(database: harness.app.db).add(caseId: target.id!, author: .init(kind: .staff, name: "Henrik"),
                                                                 body: note, isInternal: true)
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        try await browser.get("/cases/\(target.number)")
        XCTAssertFalse(browser.lastBody.contains("besvärlig"))
        try await browser.get("/cases?q=besv%C3%A4rlig")
        XCTAssertEqual(browser.listedCaseNumbers, [], "an internal note is not searchable from the portal")
        try await browser.get("/cases?q=garantitiden")
        XCTAssertEqual(browser.listedCaseNumbers, [], "nor are the demo's internal notes")
    }

    func testSharedAccountPicksAPersonWhoIsSavedForNextTime() async throws {
        let target = try await annasCase()
        // The demo's board account already has one saved person.
        let before = try await AccountPersonRecord.query(on: harness.app.db).count()
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "styrelsen")
        try await browser.get("/cases/\(target.number)")
        XCTAssertTrue(browser.lastBody.contains("id=\"person\""))
        let missing = try await browser.post("/cases/\(target.number)/messages", ["body": "Hej", "person": "new"])
        XCTAssertEqual(missing.status, .unprocessableEntity, "a new person needs a name")
        XCTAssertTrue(browser.lastBody.contains("Fyll i det här fältet."))
        try await browser.post("/cases/\(target.number)/messages", ["body": "Hej från styrelsen", "person": "new",
                                                                    "person_first_name": "Örjan", "person_last_name": "Ström"])
        try await browser.get("/cases/\(target.number)")
        XCTAssertTrue(browser.lastBody.contains("<strong>Örjan Ström</strong>"))
        let person = try await AccountPersonRecord.query(on: harness.app.db).filter(\.$firstName == "Örjan").first()!
        XCTAssertTrue(browser.lastBody.contains("<option value=\"\(person.id!)\""), "offered next time")
        try await browser.post("/cases/\(target.number)/messages", ["body": "Igen", "person": String(person.id!)])
        let value1 = try await AccountPersonRecord.query(on: harness.app.db).count()
        XCTAssertEqual(value1, before + 1)
        // Issue 12: this device remembers the choice; the next form starts with Örjan chosen.
        try await browser.get("/cases/\(target.number)")
        XCTAssertTrue(browser.lastBody.contains("<option value=\"\(person.id!)\" selected>Örjan Ström</option>"))
        let other = harness.browser()
        try await other.portalLogin("solglantan", "styrelsen")
        try await other.get("/cases/\(target.number)")
        XCTAssertFalse(other.lastBody.contains("<option value=\"\(person.id!)\" selected>"), "another device chooses anew")
    }

    func testUploadDownloadAndRemoveOwnFileEachWriteAMessage() async throws {
        let target = try await annasCase()
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        try await browser.get("/cases/\(target.number)")
        let response = try await browser.upload("/cases/\(target.number)/files", files: [
            ("kran.png", "image/png", Demo.pngBytes()),
            ("protokoll.txt", "text/plain", Array("Protokoll från stämman".utf8)),
        ])
        XCTAssertEqual(response.status, .seeOther)
        let files = try await StoredFileRecord.query(on: harness.app.db).filter(\.$caseId == target.id!).sort(\.$id).all()
        XCTAssertEqual(files.map(\.originalName), ["kran.png", "protokoll.txt"])
        XCTAssertEqual(files.map(\.contentType), ["image/png", "application/octet-stream"])
        try await browser.get("/cases/\(target.number)")
        XCTAssertTrue(browser.lastBody.contains("Filen kran.png laddades upp."))
        XCTAssertTrue(browser.lastBody.contains("<img src=\"/cases/\(target.number)/files/\(files[0].id!)?inline=1\""))

        let download = try await browser.get("/cases/\(target.number)/files/\(files[1].id!)")
        XCTAssertEqual(download.status, .ok)
        XCTAssertEqual(download.body.string, "Protokoll från stämman")
        XCTAssertEqual(download.headers.first(name: .contentType), "application/octet-stream")
        XCTAssertTrue(download.headers.first(name: .contentDisposition)?.hasPrefix("attachment;") ?? false)
        let image = try await browser.get("/cases/\(target.number)/files/\(files[0].id!)?inline=1")
        XCTAssertEqual(image.headers.first(name: .contentType), "image/png")
        XCTAssertTrue(image.headers.first(name: .contentDisposition)?.hasPrefix("inline;") ?? false)

        // Issue 12 point 7: the confirmation page and a POST without the confirmation change nothing.
        let confirmPage = try await browser.get("/cases/\(target.number)/files/\(files[1].id!)/remove")
        XCTAssertEqual(confirmPage.status, .ok)
        XCTAssertTrue(browser.lastBody.contains("protokoll.txt"))
        XCTAssertTrue(browser.lastBody.contains("name=\"confirm\" value=\"1\""))
        let unconfirmed = try await browser.post("/cases/\(target.number)/files/\(files[1].id!)/remove", [:])
        XCTAssertEqual(unconfirmed.status, .ok, "without the confirmation the page asks again")
        let kept = try await harness.app.caseport.storage.size(key: files[1].storageKey)
        XCTAssertNotNil(kept, "nothing was removed before the confirmation")
        let stillThere = try await browser.get("/cases/\(target.number)/files/\(files[1].id!)").status
        XCTAssertEqual(stillThere, .ok)
        let removed = try await browser.post("/cases/\(target.number)/files/\(files[1].id!)/remove", ["confirm": "1"])
        XCTAssertEqual(removed.status, .seeOther)
        try await browser.get("/cases/\(target.number)")
        XCTAssertTrue(browser.lastBody.contains("Filen protokoll.txt togs bort."))
        let value2 = try await browser.get("/cases/\(target.number)/files/\(files[1].id!)").status
        XCTAssertEqual(value2, .notFound)
        let removedSize = try await harness.app.caseport.storage.size(key: files[1].storageKey)
        XCTAssertNil(removedSize, "the bytes are gone from storage")
    }

    func testScriptableFilesAreServedAsDownloadsOnly() async throws {
        let target = try await annasCase()
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        try await browser.get("/cases/\(target.number)")
        try await browser.upload("/cases/\(target.number)/files", files: [
            ("bild.svg", "image/svg+xml", Array("<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>".utf8)),
            ("sida.html", "text/html", Array("<script>alert(1)</script>".utf8)),
            ("../../etc/passwd", "text/plain", Array("x".utf8)),
        ])
        let files = try await StoredFileRecord.query(on: harness.app.db).filter(\.$caseId == target.id!).sort(\.$id).all()
        XCTAssertEqual(files.map(\.originalName), ["bild.svg", "sida.html", "passwd"])
        for file in files {
            XCTAssertFalse(file.storageKey.contains("."), "stored under a generated name")
            let response = try await browser.get("/cases/\(target.number)/files/\(file.id!)?inline=1")
            XCTAssertEqual(response.headers.first(name: .contentType), "application/octet-stream", file.originalName)
            XCTAssertTrue(response.headers.first(name: .contentDisposition)?.hasPrefix("attachment;") ?? false)
            XCTAssertTrue(response.headers.first(name: "Content-Security-Policy")?.contains("sandbox") ?? false)
        }
    }

    func testAnOversizedUploadIsRefusedAndLeavesNothingBehind() async throws {
        let target = try await annasCase()
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        try await browser.get("/cases/\(target.number)")
        let big = [UInt8](repeating: 0x41, count: UploadReceiver.maximumFileBytes + 1)
        let response = try await browser.upload("/cases/\(target.number)/files", files: [("small.txt", "text/plain", [0x42]), ("big.bin", "application/octet-stream", big)])
        XCTAssertEqual(response.status, .payloadTooLarge)
        XCTAssertTrue(browser.lastBody.contains("större än 30 MB"))
        let value3 = try await StoredFileRecord.query(on: harness.app.db).filter(\.$caseId == target.id!).count()
        XCTAssertEqual(value3, 0)
        let incoming = harness.incomingDirectory.path
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: incoming)) ?? [], [], "no half-written file is left")
    }

    func testUploadWithoutTheCSRFTokenIsRefused() async throws {
        let target = try await annasCase()
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        let response = try await browser.upload("/cases/\(target.number)/files", files: [("a.txt", "text/plain", [0x41])], csrf: false)
        XCTAssertEqual(response.status, .forbidden)
        let value4 = try await StoredFileRecord.query(on: harness.app.db).count()
        XCTAssertEqual(value4, 3, "only the demo's documents")
    }

    func testAnotherCustomersUserCannotReachTheCaseItsFilesOrPostToIt() async throws {
        let target = try await annasCase()
        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        try await anna.get("/cases/\(target.number)")
        try await anna.upload("/cases/\(target.number)/files", files: [("hemligt.txt", "text/plain", Array("hemligt".utf8))])
        let file = try await StoredFileRecord.query(on: harness.app.db).filter(\.$caseId == target.id!).first()!

        let erik = harness.browser()
        try await erik.portalLogin("norrsken", "erik")
        try await erik.get("/cases")
        let value5 = try await erik.get("/cases/\(target.number)").status
        XCTAssertEqual(value5, .notFound)
        let value6 = try await erik.get("/cases/\(target.number)/files/\(file.id!)").status
        XCTAssertEqual(value6, .notFound)
        let value7 = try await erik.get("/files/\(file.id!)").status
        XCTAssertEqual(value7, .notFound)
        let value8 = try await erik.post("/cases/\(target.number)/messages", ["body": "intrång"]).status
        XCTAssertEqual(value8, .notFound)
        let value9 = try await erik.upload("/cases/\(target.number)/files", files: [("x.txt", "text/plain", [1])]).status
        XCTAssertEqual(value9, .notFound)
        let value10 = try await erik.post("/cases/\(target.number)/files/\(file.id!)/remove", ["confirm": "1"]).status
        XCTAssertEqual(value10, .notFound)
        let value11 = try await CaseMessageRecord.query(on: harness.app.db).filter(\.$body == "intrång").count()
        XCTAssertEqual(value11, 0)

        // A file of erik's own case is not reachable through anna's case number either.
        let styrelsen = harness.browser()
        try await styrelsen.portalLogin("solglantan", "styrelsen")
        try await styrelsen.get("/cases/\(target.number)")
        let value12 = try await styrelsen.post("/cases/\(target.number)/files/\(file.id!)/remove", ["confirm": "1"]).status
        XCTAssertEqual(value12, .forbidden,
                       "only the uploader removes a file")
    }

    func testOpeningACaseClearsItsNewInformationMarker() async throws {
        let target = try await annasCase()
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        try await browser.get("/cases")
        XCTAssertFalse(browser.lastBody.contains("data-case-number=\"\(target.number)\" class=\"has-news\""))
        try await CaseConversation(database: harness.app.db).add(caseId: target.id!, author: .init(kind: .staff, name: "Henrik"),
                                                                 body: "Vi kommer på tisdag.", at: Date())
        try await browser.get("/cases")
        XCTAssertTrue(browser.lastBody.contains("data-case-number=\"\(target.number)\" class=\"has-news\""))
        try await browser.get("/cases/\(target.number)")
        try await browser.get("/cases")
        XCTAssertFalse(browser.lastBody.contains("data-case-number=\"\(target.number)\" class=\"has-news\""))
    }

    func testCustomerMayChangeCategoryAndPriorityOnlyWhenAllowedAndOpen() async throws {
        let target = try await annasCase()
        let category = try await CategoryRecord.query(on: harness.app.db).filter(\.$name == "El").first()!
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        try await browser.get("/cases/\(target.number)")
        let value13 = try await browser.post("/cases/\(target.number)/classification",
                                             ["category": String(category.id!), "version": String(target.version)]).status
        XCTAssertEqual(value13, .seeOther)
        let value14 = try await CaseRecord.find(target.id, on: harness.app.db)?.categoryId
        XCTAssertEqual(value14, category.id)

        var settings = try await SettingsStore(database: harness.app.db).load()
        settings.customerMayEditCategory = false
        settings.customerMayEditPriority = false
        try await SettingsStore(database: harness.app.db).save(settings)
        try await browser.get("/cases/\(target.number)")
        XCTAssertFalse(browser.lastBody.contains("/classification"))
        let value15 = try await browser.post("/cases/\(target.number)/classification", ["category": ""]).status
        XCTAssertEqual(value15, .forbidden)
    }

    /// Issue 9 (f): a deactivated category is not offered and is refused when its id is sent anyway,
    /// unless it is the case's current category.
    func testADeactivatedCategoryIsRefusedUnlessItIsTheCurrentOne() async throws {
        let target = try await annasCase()
        let retired = try await CategoryRecord.query(on: harness.app.db).filter(\.$name == "El").first()!
        let other = try await CategoryRecord.query(on: harness.app.db).filter(\.$id != retired.id!)
            .filter(\.$isActive == true).first()!
        target.categoryId = other.id
        try await target.save(on: harness.app.db)
        retired.isActive = false
        try await retired.save(on: harness.app.db)

        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        try await browser.get("/cases/\(target.number)")
        let select = browser.lastBody.components(separatedBy: "id=\"edit-category\"").last?.components(separatedBy: "</select>").first ?? ""
        XCTAssertTrue(select.contains("<option value=\"\(other.id!)\" selected>"))
        XCTAssertFalse(select.contains("<option value=\"\(retired.id!)\""), "not offered")
        let forged = try await browser.post("/cases/\(target.number)/classification", ["category": String(retired.id!)]).status
        XCTAssertEqual(forged, .badRequest)
        let unchanged = try await CaseRecord.find(target.id, on: harness.app.db)?.categoryId
        XCTAssertEqual(unchanged, other.id)

        // A case that already has the deactivated category keeps it when the form is saved.
        target.categoryId = retired.id
        try await target.save(on: harness.app.db)
        try await browser.get("/cases/\(target.number)")
        let ownSelect = browser.lastBody.components(separatedBy: "id=\"edit-category\"").last?.components(separatedBy: "</select>").first ?? ""
        XCTAssertTrue(ownSelect.contains("<option value=\"\(retired.id!)\" selected>"), "the case's own category stays in the list")
        let version = try await CaseRecord.find(target.id, on: harness.app.db)!.version
        let kept = try await browser.post("/cases/\(target.number)/classification",
                                          ["category": String(retired.id!), "version": String(version)]).status
        XCTAssertEqual(kept, .seeOther)
        let value = try await CaseRecord.find(target.id, on: harness.app.db)?.categoryId
        XCTAssertEqual(value, retired.id)
    }
}
