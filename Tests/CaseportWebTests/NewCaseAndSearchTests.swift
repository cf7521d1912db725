import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Vapor
import XCTVapor
import XCTest

/// New case with its confirmation page (B4), and search with filters (B2).
final class NewCaseAndSearchTests: XCTestCase {
    var harness: WebHarness!
    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws { try await harness.shutdown() }

    func faultType() async throws -> (CaseTypeRecord, CaseTypeFieldRecord) {
        let type = try await CaseTypeRecord.query(on: harness.app.db).filter(\.$name == "Felanmälan").first()!
        let field = try await CaseTypeFieldRecord.query(on: harness.app.db).filter(\.$caseTypeId == type.id!)
            .filter(\.$label == "Lägenhetsnummer").first()!
        return (type, field)
    }

    func testTypeFirstThenFormThenConfirmationThenSaved() async throws {
        let (type, field) = try await faultType()
        let husA = try await ObjectRecord.query(on: harness.app.db).filter(\.$name == "Solgläntan hus A").first()!
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        try await browser.get("/cases/new")
        XCTAssertTrue(browser.lastBody.contains("Beställning"))
        XCTAssertTrue(browser.lastBody.contains("Debiteras"), "a billable type says so")
        try await browser.get("/cases/new?type=\(type.id!)")
        XCTAssertTrue(browser.lastBody.contains("Lägenhetsnummer"))
        XCTAssertTrue(browser.lastBody.contains("value=\"anna@solglantan.example\""), "the copy address is prefilled")

        let fields = ["type": String(type.id!), "subject": "Trasig dörrklocka", "description": "Dörrklockan i 1102 ringer inte.",
                      "object": String(husA.id!), "field_\(field.id!)": "1102", "work_site_address": "Gläntvägen 2",
                      "reference_name": "Anna", "copy_by_email": "1", "copy_email": "anna@solglantan.example"]
        let review = try await browser.post("/cases/new", fields)
        XCTAssertEqual(review.status, .ok)
        XCTAssertTrue(browser.lastBody.contains("Bekräfta nytt ärende"))
        XCTAssertTrue(browser.lastBody.contains("Solgläntan hus A, Gläntvägen 2"))
        let value1 = try await CaseRecord.query(on: harness.app.db).filter(\.$subject == "Trasig dörrklocka").count()
        XCTAssertEqual(value1, 0,
                       "nothing is saved before Confirm")

        try await browser.post("/cases/new/edit", fields)
        XCTAssertTrue(browser.lastBody.contains("value=\"Trasig dörrklocka\""), "Cancel returns the form with values kept")
        XCTAssertTrue(browser.lastBody.contains("Dörrklockan i 1102 ringer inte.</textarea>"))

        let saved = try await browser.post("/cases/new/confirm", fields)
        XCTAssertEqual(saved.status, .seeOther)
        let record = try await CaseRecord.query(on: harness.app.db).filter(\.$subject == "Trasig dörrklocka").first()!
        XCTAssertEqual(saved.headers.first(name: .location), "/cases/\(record.number)?notice=created")
        XCTAssertEqual(record.objectId, husA.id)
        XCTAssertEqual(record.customerId, husA.customerId, "the customer follows the object")
        XCTAssertEqual(record.origin, .portal)
        XCTAssertEqual(record.createdByName, "Anna Lindqvist")
        XCTAssertNotNil(record.primaryContactId)
        let values = try await CaseFieldValueRecord.query(on: harness.app.db).filter(\.$caseId == record.id!).all()
        XCTAssertEqual(values.map(\.value), ["1102"])
        let copy = try await OutboxRecord.query(on: harness.app.db).filter(\.$kind == "case_copy").first()!
        XCTAssertTrue(copy.subject.contains(String(record.number)))
        try await browser.get("/cases/\(record.number)?notice=created")
        XCTAssertTrue(browser.lastBody.contains("Ärendet är registrerat."))
        XCTAssertTrue(browser.lastBody.contains("1102"))
    }

    /// Issue 12: the only customer or object a user may choose is filled in; with several, nothing is.
    /// Issue 12 point 5: photos chosen on the confirmation page come with "Confirm" (multipart, the form
    /// token as the first part) and land on the new case, each in the line that announces it; too many
    /// files bring the confirmation page back with everything typed and nothing created.
    func testPhotosChosenOnTheConfirmationPageLandOnTheNewCase() async throws {
        let (type, field) = try await faultType()
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        try await browser.get("/cases/new?type=\(type.id!)")
        let fields = [("type", String(type.id!)), ("subject", "Fuktfläck ovanför diskbänken i 1102"), ("description", "En brun fläck över diskbänken."),
                      ("field_\(field.id!)", "1102")]
        try await browser.post("/cases/new", Dictionary(uniqueKeysWithValues: fields))
        XCTAssertTrue(browser.lastBody.contains("enctype=\"multipart/form-data\""), "the confirmation takes files")
        XCTAssertTrue(browser.lastBody.contains("name=\"files\""))
        XCTAssertFalse(browser.lastBody.contains("csrf_token="), "no token in any address")

        let tooMany = (0...UploadReceiver.maximumFiles).map { ("bild\($0).png", "image/png", Demo.pngBytes()) }
        let refused = try await browser.upload("/cases/new/confirm", files: tooMany, fields: fields)
        XCTAssertEqual(refused.status, .badRequest)
        XCTAssertTrue(browser.lastBody.contains("value=\"Fuktfläck ovanför diskbänken i 1102\""), "what was typed comes back")
        let none = try await CaseRecord.query(on: harness.app.db).filter(\.$subject == "Fuktfläck ovanför diskbänken i 1102").count()
        XCTAssertEqual(none, 0, "a refused upload creates no case")

        let saved = try await browser.upload("/cases/new/confirm", files: [("fläcken.png", "image/png", Demo.pngBytes())],
                                             fields: fields)
        XCTAssertEqual(saved.status, .seeOther)
        let record = try await CaseRecord.query(on: harness.app.db).filter(\.$subject == "Fuktfläck ovanför diskbänken i 1102").first()!
        XCTAssertEqual(saved.headers.first(name: .location), "/cases/\(record.number)?notice=created")
        let file = try await StoredFileRecord.query(on: harness.app.db).filter(\.$caseId == record.id!).first()
        XCTAssertEqual(file?.originalName, "fläcken.png")
        XCTAssertNotNil(file?.messageId, "the file shows as a chip in its line")
        try await browser.get("/cases/\(record.number)")
        XCTAssertTrue(browser.lastBody.contains("/cases/\(record.number)/files/\(file!.id!)"))

        // Without the token the post is refused and nothing is created.
        let forged = try await browser.upload("/cases/new/confirm", files: [], csrf: false,
                                              fields: fields.map { ($0.0, $0.0 == "subject" ? "Utan token" : $0.1) })
        XCTAssertEqual(forged.status, .forbidden)
        let unsaved = try await CaseRecord.query(on: harness.app.db).filter(\.$subject == "Utan token").count()
        XCTAssertEqual(unsaved, 0)
    }

    func testTheOnlyChoiceIsFilledInAndSeveralAreLeftToTheUser() async throws {
        let (type, _) = try await faultType()
        let db = harness.app.db
        func objectOptions(_ browser: Browser) -> String {
            let select = browser.lastBody.components(separatedBy: "<select id=\"object\"").dropFirst().first ?? ""
            return select.components(separatedBy: "</select>")[0]
        }
        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        try await anna.get("/cases/new?type=\(type.id!)")
        let several = objectOptions(anna)
        XCTAssertTrue(several.contains("Solgläntan hus A") && several.contains("Solgläntan hus B"))
        XCTAssertFalse(several.contains(" selected>"), "with several objects none is chosen for her")

        // Staff deactivate hus B (D6): hus A is the only object left to choose, and it is chosen.
        let husA = try await ObjectRecord.query(on: db).filter(\.$name == "Solgläntan hus A").first()!
        let husB = try await ObjectRecord.query(on: db).filter(\.$name == "Solgläntan hus B").first()!
        husB.isActive = false
        try await husB.update(on: db)
        try await anna.get("/cases/new?type=\(type.id!)")
        let one = objectOptions(anna)
        XCTAssertFalse(one.contains("Solgläntan hus B"))
        XCTAssertTrue(one.contains("<option value=\"\(husA.id!)\" selected>"), "the only object is filled in")
    }

    /// Issue 17 point 5: the form's types, fields and categories are kept at the change stamp, and the
    /// user's customers and objects per user at it. A change by staff shows on the user's next page, and
    /// a customer the user lost access to is neither offered nor accepted on "Confirm".
    func testWhatTheFormKeepsFollowsChangesByStaff() async throws {
        let (type, _) = try await faultType()
        let db = harness.app.db
        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        try await anna.get("/cases/new")
        XCTAssertTrue(anna.lastBody.contains("Beställning"))
        try await anna.get("/cases/new?type=\(type.id!)")
        XCTAssertTrue(anna.lastBody.contains(">Hiss</option>"))
        XCTAssertFalse(anna.lastBody.contains("Portkod"))

        let order = try await CaseTypeRecord.query(on: db).filter(\.$name == "Beställning").first()!
        order.isActive = false
        try await order.update(on: db)
        let lift = try await CategoryRecord.query(on: db).filter(\.$name == "Hiss").first()!
        lift.isActive = false
        try await lift.update(on: db)
        try await CaseTypeFieldRecord(caseTypeId: type.id!, label: "Portkod", kind: .text, sortOrder: 9).create(on: db)

        try await anna.get("/cases/new")
        XCTAssertFalse(anna.lastBody.contains("Beställning"), "a deactivated type is no longer offered")
        XCTAssertTrue(anna.lastBody.contains("Felanmälan"))
        let retired = try await anna.get("/cases/new?type=\(order.id!)")
        XCTAssertEqual(retired.status, .unprocessableEntity)
        try await anna.get("/cases/new?type=\(type.id!)")
        XCTAssertTrue(anna.lastBody.contains("Portkod"), "a new field is asked")
        XCTAssertFalse(anna.lastBody.contains(">Hiss</option>"), "a deactivated category is not offered")

        // Anna's contact loses its link to Solgläntan: its objects are no longer hers to choose.
        let husA = try await ObjectRecord.query(on: db).filter(\.$name == "Solgläntan hus A").first()!
        XCTAssertTrue(anna.lastBody.contains("Solgläntan hus A"))
        try await ContactCustomerLink.query(on: db).filter(\.$customerId == husA.customerId).delete()
        try await anna.get("/cases/new?type=\(type.id!)")
        XCTAssertFalse(anna.lastBody.contains("Solgläntan hus A"))
        let field = try await CaseTypeFieldRecord.query(on: db).filter(\.$caseTypeId == type.id!).filter(\.$isRequired == true).all()
        var fields = ["type": String(type.id!), "subject": "Efter ändringen", "description": "x", "object": String(husA.id!)]
        for required in field { fields["field_\(required.id!)"] = "1" }
        let refused = try await anna.post("/cases/new/confirm", fields)
        XCTAssertEqual(refused.status, .unprocessableEntity)
        let saved = try await CaseRecord.query(on: db).filter(\.$subject == "Efter ändringen").count()
        XCTAssertEqual(saved, 0)
    }

    func testInvalidInputComesBackWithEachProblemAndNothingLost() async throws {
        let (type, field) = try await faultType()
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        try await browser.get("/cases/new?type=\(type.id!)")
        let response = try await browser.post("/cases/new", [
            "type": String(type.id!), "subject": "", "description": "Beskrivning som ska finnas kvar",
            "field_\(field.id!)": "", "copy_by_email": "1", "copy_email": "inte-en-adress",
        ])
        XCTAssertEqual(response.status, .unprocessableEntity)
        XCTAssertTrue(browser.lastBody.contains("id=\"subject-error\""))
        XCTAssertTrue(browser.lastBody.contains("id=\"field_\(field.id!)-error\""))
        XCTAssertTrue(browser.lastBody.contains("id=\"copy-email-error\""))
        XCTAssertTrue(browser.lastBody.contains("Beskrivning som ska finnas kvar</textarea>"))
        XCTAssertTrue(browser.lastBody.contains("value=\"inte-en-adress\""))
    }

    func testACaseCannotBePutOnAnotherCustomerEvenWithAForgedForm() async throws {
        let norrsken = try await Demo.customer("1002", on: harness.app.db)
        let theirObject = try await ObjectRecord.query(on: harness.app.db).filter(\.$customerId == norrsken.id!).first()!
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        try await browser.get("/cases/new")
        for forged in [["customer": String(norrsken.id!)], ["object": String(theirObject.id!)]] {
            var fields = ["subject": "Försök", "description": "x"]
            fields.merge(forged) { $1 }
            let response = try await browser.post("/cases/new/confirm", fields)
            XCTAssertEqual(response.status, .unprocessableEntity, "\(forged)")
        }
        let value2 = try await CaseRecord.query(on: harness.app.db).filter(\.$subject == "Försök").count()
        XCTAssertEqual(value2, 0)
    }

    func testObjectLoginCreatesOnItsObjectAndAUserWithoutContactOnNothing() async throws {
        let nordstjarnan = try await ObjectRecord.query(on: harness.app.db).filter(\.$name == "Nordstjärnan 4").first()!
        let objectLogin = harness.browser()
        try await objectLogin.portalLogin("norrsken", "nordstjarnan")
        try await objectLogin.get("/cases/new")
        let value3 = try await objectLogin.post("/cases/new/confirm", ["subject": "Från objektet", "description": "x"]).status
        XCTAssertEqual(value3, .seeOther)
        let made = try await CaseRecord.query(on: harness.app.db).filter(\.$subject == "Från objektet").first()!
        XCTAssertEqual(made.objectId, nordstjarnan.id)
        XCTAssertEqual(made.customerId, nordstjarnan.customerId)

        let styrelsen = try await PortalUserRecord.query(on: harness.app.db).filter(\.$usernameKey == "styrelsen").first()!
        styrelsen.contactId = nil
        styrelsen.isShared = false
        try await styrelsen.save(on: harness.app.db)
        let bare = harness.browser()
        try await bare.portalLogin("solglantan", "styrelsen")
        try await bare.get("/cases/new")
        let value4 = try await bare.post("/cases/new/confirm", ["subject": "Utan kontakt", "description": "x"]).status
        XCTAssertEqual(value4, .seeOther)
        let loose = try await CaseRecord.query(on: harness.app.db).filter(\.$subject == "Utan kontakt").first()!
        XCTAssertNil(loose.customerId)
        XCTAssertNil(loose.objectId)
        XCTAssertNil(loose.primaryContactId)
    }

    func testSearchFindsWordsWithSwedishLettersNumbersAndMessagesWithinTheRule() async throws {
        let db = harness.app.db
        let annas = try await Demo.caseNumbers(ofCustomer: "1001", on: db)
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")

        try await browser.get("/cases?q=L%C3%A4ckande")
        let hits = browser.listedCaseNumbers
        XCTAssertFalse(hits.isEmpty)
        let subjects = try await CaseRecord.query(on: db).filter(\.$number ~~ hits).all().map(\.subject)
        XCTAssertTrue(subjects.allSatisfy { $0.lowercased().contains("läckande") })
        XCTAssertTrue(Set(hits).isSubset(of: annas), "never another customer's case")

        try await browser.get("/cases?q=l%C3%A4ck")
        let prefixHits = browser.listedCaseNumbers
        XCTAssertTrue(Set(hits).isSubset(of: Set(prefixHits)), "a word's beginning finds it")
        let prefixTexts = try await CaseRecord.query(on: db).filter(\.$number ~~ prefixHits).all().map { "\($0.subject) \($0.description)".lowercased() }
        XCTAssertTrue(prefixTexts.allSatisfy { $0.contains("läck") }, "and only cases with a word starting so (läckage too)")

        let one = annas.sorted()[3]
        try await browser.get("/cases?q=\(one)")
        XCTAssertEqual(browser.listedCaseNumbers, [one])

        try await browser.get("/cases?q=portkoden")
        XCTAssertFalse(browser.listedCaseNumbers.isEmpty, "customer messages are searchable")
        XCTAssertTrue(Set(browser.listedCaseNumbers).isSubset(of: annas))
        XCTAssertTrue(browser.lastBody.contains("value=\"portkoden\""), "the query stays in the form")

        // A word only in another customer's case finds nothing.
        let norrsken = try await Demo.customer("1002", on: db)
        let theirs = try await CaseRecord.query(on: db).filter(\.$customerId == norrsken.id!).first()!
        theirs.subject = "Kylaggregat på taket"
        try await theirs.save(on: db)
        try await CaseSearchIndex.refresh(caseId: theirs.id!, on: db)
        try await browser.get("/cases?q=kylaggregat")
        XCTAssertEqual(browser.listedCaseNumbers, [])
        let erik = harness.browser()
        try await erik.portalLogin("1002", "faktura")
        try await erik.get("/cases?q=kylaggregat")
        XCTAssertEqual(erik.listedCaseNumbers, [theirs.number], "while its own customer finds it")
    }

    /// Each branch of the access rule finds its cases by search: object link, contact link, object owner.
    func testSearchFollowsEveryBranchOfTheAccessRule() async throws {
        let db = harness.app.db
        let solglantan = try await Demo.customer("1001", on: db)
        let nordstjarnan = try await ObjectRecord.query(on: db).filter(\.$name == "Nordstjärnan 4").first()!
        let erikContact = try await ContactRecord.query(on: db).filter(\.$firstName == "Erik").first()!
        var onErikObject = NewCase(subject: "Frostskadad vattenmätare", description: "x", createdByName: "T", origin: .backOffice)
        onErikObject.customerId = solglantan.id   // another customer, on erik's object
        onErikObject.objectId = nordstjarnan.id
        let first = try await CaseCreation.create(onErikObject, on: db)
        var linkedOnly = NewCase(subject: "Frostskadad ledning i förrådet", description: "y", createdByName: "T", origin: .backOffice)
        linkedOnly.otherContactIds = [erikContact.id!]
        let second = try await CaseCreation.create(linkedOnly, on: db)

        let erik = harness.browser()
        try await erik.portalLogin("norrsken", "erik")
        try await erik.get("/cases?q=frostskadad")
        XCTAssertEqual(Set(erik.listedCaseNumbers), [first.number, second.number])
        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        try await anna.get("/cases?q=frostskadad")
        XCTAssertEqual(anna.listedCaseNumbers, [first.number], "anna sees her customer's case, not erik's personal one")
    }

    func testFiltersNarrowAndOfferOnlyWhatTheViewerMaySee() async throws {
        let db = harness.app.db
        let norrsken = try await Demo.customer("1002", on: db)
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        try await browser.get("/cases")
        XCTAssertTrue(browser.lastBody.contains("Brf Solgläntan"))
        XCTAssertFalse(browser.lastBody.contains("Fastighets AB Norrsken"), "other customers are not offered")
        XCTAssertFalse(browser.lastBody.contains("Nordstjärnan"))

        try await browser.get("/cases?state=closed")
        let closed = browser.listedCaseNumbers
        XCTAssertFalse(closed.isEmpty)
        let statuses = try await CaseRecord.query(on: db).filter(\.$number ~~ closed).all().map(\.status)
        XCTAssertTrue(statuses.allSatisfy { $0 == .closed })
        try await browser.get("/cases?state=active")
        XCTAssertTrue(Set(browser.listedCaseNumbers).isDisjoint(with: closed))

        let all = try await allPages(browser, "/cases")
        try await browser.get("/cases?customer=\(norrsken.id!)")
        let withForeignFilter = try await allPages(browser, "/cases?customer=\(norrsken.id!)")
        XCTAssertEqual(Set(withForeignFilter), Set(all), "a foreign customer id is no filter and never widens the list")

        let husB = try await ObjectRecord.query(on: db).filter(\.$name == "Solgläntan hus B").first()!
        let onB = try await allPages(browser, "/cases?object=\(husB.id!)")
        let expected = try await CaseRecord.query(on: db).filter(\.$objectId == husB.id!).all().map(\.number)
        XCTAssertEqual(Set(onB), Set(expected))

        let response = try await browser.get("/cases?from=2026-13-45")
        XCTAssertEqual(response.status, .ok)
        XCTAssertTrue(browser.lastBody.contains("Skriv datumet som ÅÅÅÅ-MM-DD."))
        try await browser.get("/cases?from=2000-01-01&to=2000-12-31")
        XCTAssertEqual(browser.listedCaseNumbers, [])
        XCTAssertTrue(browser.lastBody.contains("Inga ärenden matchar sökningen."))
    }

    func allPages(_ browser: Browser, _ path: String) async throws -> [Int] {
        var numbers: [Int] = []
        for page in 1...20 {
            let separator = path.contains("?") ? "&" : "?"
            try await browser.get("\(path)\(separator)page=\(page)")
            numbers += browser.listedCaseNumbers
            if !browser.lastBody.contains("rel=\"next\"") { break }
        }
        return numbers
    }
}
