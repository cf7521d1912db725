import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Vapor
import XCTVapor
import XCTest

/// Issue 12, points 9 and 10: the branding's accent colour and default-logo choice, the contact line on
/// the login, lockout and error pages, and text in the reader's language — catalogue names per language,
/// system messages, the audit log.
final class ReaderLanguageTests: XCTestCase {
    var harness: WebHarness!
    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws { try await harness.shutdown() }

    func admin() async throws -> Browser {
        let browser = harness.browser()
        try await browser.staffLogin("admin@example.com")
        return browser
    }

    func settings() async throws -> PortalSettings { try await SettingsStore(database: harness.app.db).load() }

    func annasCase() async throws -> CaseRecord {
        let customer = try await Demo.customer("1001", on: harness.app.db)
        return try await CaseRecord.query(on: harness.app.db).filter(\.$customerId == customer.id!)
            .filter(\.$status != .closed).sort(\.$number, .descending).first()!
    }

    func anna(language: String) async throws -> Browser {
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        try await browser.get("/cases")  // the session's form token
        let switched = try await browser.post("/language", ["language": language, "returnTo": "/cases"])
        XCTAssertEqual(switched.status, .seeOther)
        return browser
    }

    // MARK: Branding (point 9)

    func testTheAccentColourSetsButtonsAndLinksWithReadableTextAndThePageHasPickers() async throws {
        let admin = try await admin()
        try await admin.get("/staff/settings/branding")
        XCTAssertTrue(admin.lastBody.contains("type=\"color\""), "a colour picker beside each hex field")
        XCTAssertTrue(admin.lastBody.contains("name=\"colour_accent\""))
        XCTAssertFalse(admin.lastBody.contains("hint-warning"), "the defaults are readable")

        // A light accent: buttons get dark text, and the page warns that links on white are hard to read.
        let preview = try await admin.post("/staff/settings/branding", ["colour_accent": "#ffd700", "action": "preview"])
        XCTAssertEqual(preview.status, .ok)
        XCTAssertTrue(admin.lastBody.contains("preview.css?accent=%23ffd700"))
        XCTAssertTrue(admin.lastBody.contains("hint-warning"))
        XCTAssertTrue(admin.lastBody.contains("Svag kontrast (1,4:1"), admin.lastBody)
        let sample = try await admin.get("/staff/settings/branding/preview.css?accent=%23ffd700")
        XCTAssertEqual(sample.body.string, ".branding-preview{--accent:#ffd700;--accent-text:#102a43;}\n")

        let saved = try await admin.post("/staff/settings/branding", ["colour_accent": "#7A1F5C", "action": "save"]).status
        XCTAssertEqual(saved, .seeOther)
        let branding = try await settings().branding
        XCTAssertEqual(branding.colours, ["accent": "#7a1f5c"])
        let css = try await harness.browser().get("/branding.css?v=\(branding.revision)")
        XCTAssertEqual(css.body.string, ":root{--accent:#7a1f5c;--accent-text:#ffffff;}\n")

        // A light menu background gets dark menu text too.
        XCTAssertEqual(Branding.readableText(on: "#f0f0f0"), Branding.darkText)
        XCTAssertEqual(Branding.readableText(on: "#102a43"), "#ffffff")
        XCTAssertEqual((Branding.contrast("#000000", "#ffffff") * 10).rounded() / 10, 21)
    }

    func testUseTheCompanysDefaultLogoClearsTheCustomLogo() async throws {
        let admin = try await admin()
        try await admin.get("/staff/settings/branding")
        XCTAssertTrue(admin.lastBody.contains("name=\"use_default\" value=\"on\" aria-describedby=\"use-default-hint\" checked"),
                      "no logo yet: the default is ticked")
        let uploaded = try await admin.upload("/staff/settings/branding/logo", files: [("logo.png", "image/png", Demo.pngBytes())], field: "logo")
        XCTAssertEqual(uploaded.status, .seeOther, "a chosen file is uploaded even with the default ticked")
        let key = try await settings().branding.logoKey
        XCTAssertNotNil(key)
        try await admin.get("/staff/settings/branding")
        XCTAssertTrue(admin.lastBody.contains("class=\"brand-logo\" src=\"/branding/logo"), "the preview shows the logo")
        XCTAssertFalse(admin.lastBody.contains("aria-describedby=\"use-default-hint\" checked"))

        // Ticking "use the company's default logo" with no file clears the custom logo.
        // The form token is the body's first part (issue 12 point 3: never in the address).
        let cleared = try await admin.upload("/staff/settings/branding/logo", files: [(name: "", type: "application/octet-stream", bytes: [])],
                                             field: "logo", fields: [("use_default", "on")])
        XCTAssertEqual(cleared.status, .seeOther)
        let after = try await settings().branding
        XCTAssertNil(after.logoKey)
        let anna = try await anna(language: "sv")
        try await anna.get("/cases")
        XCTAssertFalse(anna.lastBody.contains("brand-logo"))
        XCTAssertTrue(anna.lastBody.contains(">Caseport<"))
    }

    // MARK: Whom to contact

    func testTheContactLineShowsOnLoginLockoutAndErrorPagesOnlyWhenSet() async throws {
        let visitor = harness.browser()
        try await visitor.get("/login")
        XCTAssertFalse(visitor.lastBody.contains("contact-line"), "not set: not shown")
        let customer = try await anna(language: "sv")
        try await customer.get("/cases")
        let number = try XCTUnwrap(customer.listedCaseNumbers.first)
        try await customer.get("/cases/\(number)")
        XCTAssertFalse(customer.lastBody.contains("contact-company"), "no company contact on the case page while none is set")

        let admin = try await admin()
        try await admin.get("/staff/settings")
        var form = ["intake": "cases", "login_field": "any", "password_min_length": "8", "customer_answer_returns": "1"]
        form["contact_phone"] = "hej"
        form["contact_email"] = "kundtjanst@"
        let refused = try await admin.post("/staff/settings", form)
        XCTAssertEqual(refused.status, .unprocessableEntity)
        XCTAssertTrue(admin.lastBody.contains("Skriv ett telefonnummer"))
        XCTAssertTrue(admin.lastBody.contains("Skriv en e-postadress"))
        XCTAssertTrue(admin.lastBody.contains("value=\"kundtjanst@\""), "nothing typed is lost")
        form["contact_phone"] = "+46 31-12 34 56"
        form["contact_email"] = "kundtjanst@example.com"
        let saved = try await admin.post("/staff/settings", form).status
        XCTAssertEqual(saved, .seeOther)
        let stored = try await settings()
        XCTAssertEqual(stored.contactPhone, "+46 31-12 34 56")
        XCTAssertEqual(stored.contactEmail, "kundtjanst@example.com")

        try await visitor.get("/login")
        XCTAssertTrue(visitor.lastBody.contains("<a href=\"tel:+4631123456\">+46 31-12 34 56</a>"), visitor.lastBody)
        XCTAssertTrue(visitor.lastBody.contains("<a href=\"mailto:kundtjanst@example.com\">kundtjanst@example.com</a>"))
        XCTAssertTrue(visitor.lastBody.contains("Frågor eller låst konto? Kontakta oss:"))

        // The case page's contact box adds the company's switchboard (issue 12 point 1: name, phone, e-mail).
        try await customer.get("/cases/\(number)")
        XCTAssertTrue(customer.lastBody.contains("class=\"contact-company\""), customer.lastBody)
        XCTAssertTrue(customer.lastBody.contains("href=\"tel:+4631123456\""))

        // Locked out: the page that says so names whom to call.
        let locked = harness.browser()
        try await locked.get("/login")
        for _ in 0..<6 {
            try await locked.post("/login", ["organisation": "solglantan", "username": "anna", "password": "fel-lösenord"])
        }
        XCTAssertTrue(locked.lastBody.contains("Kontot är låst") || locked.lastBody.contains("låst i 20 minuter"), locked.lastBody)
        XCTAssertTrue(locked.lastBody.contains("mailto:kundtjanst@example.com"))

        // An error page, in English for an English reader.
        try await visitor.post("/language", ["language": "en", "returnTo": "/login"])
        let missing = try await visitor.get("/no-such-page")
        XCTAssertEqual(missing.status, .notFound)
        XCTAssertTrue(visitor.lastBody.contains("Questions or locked out? Contact us:"))
        XCTAssertTrue(visitor.lastBody.contains("mailto:kundtjanst@example.com"))
    }

    // MARK: Catalogue names per language

    /// Issue 17, session 29: the portal's list and search read their rows without the catalogue's names and
    /// name them from the names kept at the change stamp, default names included; a renamed category shows on
    /// the next page, and a translated one in the reader's language.
    func testTheListAndSearchNameTheirRowsFromTheCatalogueAndFollowARename() async throws {
        let db = harness.app.db
        let target = try await annasCase()
        let category = try await CategoryRecord.query(on: db).filter(\.$name == "VVS").first()!
        let type = try await CaseTypeRecord.query(on: db).filter(\.$isActive == true).sort(\.$sortOrder).first()!
        let priority = try await PriorityRecord.query(on: db).sort(\.$id).first()!
        target.categoryId = category.id
        target.caseTypeId = type.id
        target.priorityId = priority.id
        target.lastActivityAt = Date()  // first in the list
        try await target.update(on: db)
        var settings = try await settings()
        settings.extraListColumns = [.category, .caseType, .priority]
        try await SettingsStore(database: db).save(settings)

        let swedish = try await anna(language: "sv")
        for path in ["/cases", "/cases?q=\(target.number)"] {
            try await swedish.get(path)
            for name in ["VVS", type.name, priority.name] {
                XCTAssertTrue(swedish.lastBody.contains(">\(name.escapedHTML)</td>"), "\(path): \(name) in the row")
            }
        }

        category.name = "Rör och VVS"
        try await category.update(on: db)
        try await swedish.get("/cases")
        XCTAssertTrue(swedish.lastBody.contains(">Rör och VVS</td>"), "a renamed category on the next page")
        try await CatalogueNames(database: db).replace(.priority, id: priority.id!, with: [.en: "Top of the list"])
        let english = try await anna(language: "en")
        try await english.get("/cases?q=\(target.number)")
        XCTAssertTrue(english.lastBody.contains(">Top of the list</td>"), "a priority in the reader's language")
        XCTAssertTrue(english.lastBody.contains(">Rör och VVS</td>"), "no English name: the default")
    }

    func testCatalogueNamesShowInTheReadersLanguageWithTheDefaultAsFallback() async throws {
        let target = try await annasCase()
        let category = try await CategoryRecord.query(on: harness.app.db).filter(\.$name == "VVS").first()!
        target.categoryId = category.id
        try await target.update(on: harness.app.db)
        var settings = try await settings()
        settings.extraListColumns = [.category]
        try await SettingsStore(database: harness.app.db).save(settings)

        let admin = try await admin()
        try await admin.get("/staff/settings/catalogue")
        XCTAssertTrue(admin.lastBody.contains("name=\"name_en\""), "the catalogue page asks for the names per language")
        let tooLong = try await admin.post("/staff/settings/catalogue/categories/\(category.id!)",
                                           ["name": "VVS", "order": String(category.sortOrder), "active": "1", "names": "1",
                                            "name_en": String(repeating: "x", count: 101), "name_da": "VVS-arbejde"])
        XCTAssertEqual(tooLong.status, .unprocessableEntity)
        XCTAssertTrue(admin.lastBody.contains("value=\"VVS-arbejde\""), "nothing typed is lost")
        let saved = try await admin.post("/staff/settings/catalogue/categories/\(category.id!)",
                                         ["name": "VVS", "order": String(category.sortOrder), "active": "1", "names": "1",
                                          "name_en": "Plumbing", "name_da": "", "name_nb": "Rørlegger", "name_sv": ""]).status
        XCTAssertEqual(saved, .seeOther)
        // A form without the names (an older page) leaves them as they are.
        try await admin.post("/staff/settings/catalogue/categories/\(category.id!)",
                             ["name": "VVS", "order": String(category.sortOrder), "active": "1"])
        let stored = try await CatalogueNames(database: harness.app.db).load().names(.category, category.id!)
        XCTAssertEqual(stored, [.en: "Plumbing", .nb: "Rørlegger"])

        let english = try await anna(language: "en")
        try await english.get("/cases/\(target.number)")
        XCTAssertTrue(english.lastBody.contains("Plumbing"), "the reader's language")
        try await english.get("/cases")
        XCTAssertTrue(english.lastBody.contains("Plumbing"), "the list's category column and filter")

        let danish = try await anna(language: "da")
        try await danish.get("/cases/\(target.number)")
        XCTAssertTrue(danish.lastBody.contains(">VVS<") || danish.lastBody.contains("VVS</"), "no Danish name: the default")
        XCTAssertFalse(danish.lastBody.contains("Plumbing"))
        let norwegian = try await anna(language: "nb")
        try await norwegian.get("/cases/\(target.number)")
        XCTAssertTrue(norwegian.lastBody.contains("Rørlegger"))

        // Case types and their fields carry names per language too.
        let type = try await CaseTypeRecord.query(on: harness.app.db).filter(\.$isActive == true).sort(\.$sortOrder).first()!
        let typeSaved = try await admin.post("/staff/settings/types/\(type.id!)",
                                             ["name": type.name, "description": type.description, "order": String(type.sortOrder),
                                              "active": "1", "approval": "approved", "names": "1", "name_en": "Fault report (en)"]).status
        XCTAssertEqual(typeSaved, .seeOther)
        try await english.get("/cases/new")
        XCTAssertTrue(english.lastBody.contains("Fault report (en)"), english.lastBody)
        try await danish.get("/cases/new")
        XCTAssertTrue(danish.lastBody.contains(type.name))
        if let field = try await CaseTypeFieldRecord.query(on: harness.app.db).filter(\.$caseTypeId == type.id!)
            .filter(\.$isActive == true).first() {
            let fieldSaved = try await admin.post("/staff/settings/types/\(type.id!)/fields/\(field.id!)",
                                                  ["label": field.label, "kind": field.kind.rawValue, "choices": field.choices,
                                                   "order": String(field.sortOrder), "active": "1", "required": field.isRequired ? "1" : "",
                                                   "names": "1", "name_en": "Flat number (en)"]).status
            XCTAssertEqual(fieldSaved, .seeOther)
            try await english.get("/cases/new?type=\(type.id!)")
            XCTAssertTrue(english.lastBody.contains("Flat number (en)"))
            try await danish.get("/cases/new?type=\(type.id!)")
            XCTAssertTrue(danish.lastBody.contains(field.label))
        }
    }

    // MARK: System messages

    func testASystemMessageReadsInEachReadersLanguage() async throws {
        let target = try await annasCase()
        let swedish = try await anna(language: "sv")
        try await swedish.get("/cases/\(target.number)")
        let response = try await swedish.upload("/cases/\(target.number)/files", files: [("kran.png", "image/png", Demo.pngBytes())])
        XCTAssertEqual(response.status, .seeOther)
        try await swedish.get("/cases/\(target.number)")
        XCTAssertTrue(swedish.lastBody.contains("Filen kran.png laddades upp."))
        let english = try await anna(language: "en")
        try await english.get("/cases/\(target.number)")
        XCTAssertTrue(english.lastBody.contains("The file kran.png was uploaded."), "written in Swedish, read in English")
        XCTAssertFalse(english.lastBody.contains("Filen kran.png laddades upp."))

        // A message stored before the key existed keeps its text.
        let old = CaseMessageRecord()
        old.caseId = target.id!
        old.authorKind = .system
        old.authorName = "Caseport"
        old.body = "Gammalt systemmeddelande"
        old.isInternal = false
        old.createdAt = Date()
        try await old.create(on: harness.app.db)
        try await english.get("/cases/\(target.number)")
        XCTAssertTrue(english.lastBody.contains("Gammalt systemmeddelande"))

        // Staff read it in their language too.
        let admin = try await admin()
        try await admin.get("/staff")
        try await admin.post("/language", ["language": "en", "returnTo": "/staff"])
        try await admin.get("/staff/cases/\(target.number)")
        XCTAssertTrue(admin.lastBody.contains("The file kran.png was uploaded."))
    }

    // MARK: The audit log

    func testTheAuditLogReadsInTheReadersLanguageWithNames() async throws {
        let admin = try await admin()
        try await admin.get("/staff/settings/catalogue")
        let priority = try await PriorityRecord.query(on: harness.app.db).sort(\.$rank).first()!
        let renamed = try await admin.post("/staff/settings/catalogue/priorities/\(priority.id!)",
                                           ["name": "Brådskande", "order": String(priority.rank), "active": "1"]).status
        XCTAssertEqual(renamed, .seeOther)
        try await admin.get("/staff/settings")
        try await admin.post("/staff/settings", ["intake": "cases", "login_field": "any", "password_min_length": "8",
                                                 "customer_answer_returns": "1", "sms_enabled": "1"])

        try await admin.get("/staff/audit")
        XCTAssertTrue(admin.lastBody.contains("Prioritet »Brådskande«: Namn: \(priority.name) → Brådskande"), admin.lastBody)
        XCTAssertTrue(admin.lastBody.contains(">Prioriteter<"), "the subject in Swedish")
        XCTAssertFalse(admin.lastBody.contains("priority \(priority.id!) name"), "no ids")

        try await admin.post("/language", ["language": "en", "returnTo": "/staff/audit"])
        try await admin.get("/staff/audit")
        XCTAssertTrue(admin.lastBody.contains("Priority »Brådskande«: Name: \(priority.name) → Brådskande"), admin.lastBody)
        XCTAssertTrue(admin.lastBody.contains(">Priorities<"))
        XCTAssertTrue(admin.lastBody.contains("SMS is switched on: No → Yes"), admin.lastBody)
        // A login's subject names the account, not its id.
        let adminId = try await StaffUserRecord.query(on: harness.app.db).filter(\.$email == "admin@example.com").first()!.id!
        XCTAssertFalse(admin.lastBody.contains(">staff user \(adminId)<"))
        XCTAssertTrue(admin.lastBody.contains("<td data-label=\"Subject\">Maria Admin</td>"), "the staff member's name")
    }
}
