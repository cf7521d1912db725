import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Vapor
import XCTVapor
import XCTest

/// Settings (D5) and branding (C8): admins only, strict validation that loses nothing typed, an audit
/// line per change, colours that cannot carry CSS, a logo proven by its bytes.
final class BackOfficeSettingsTests: XCTestCase {
    var harness: WebHarness!
    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws { try await harness.shutdown() }

    func admin() async throws -> Browser {
        let browser = harness.browser()
        try await browser.staffLogin("admin@example.com")
        return browser
    }

    func settings() async throws -> PortalSettings { try await SettingsStore(database: harness.app.db).load() }

    func auditDetails() async throws -> [String] {
        try await AuditEventRecord.query(on: harness.app.db).filter(\.$action == AuditAction.settingsChanged.rawValue)
            .sort(\.$id).all().compactMap(\.details)
    }

    func testAHandlerGets403OnEverySettingsPageAndAPortalUserGetsTheStaffLogin() async throws {
        let handler = harness.browser()
        try await handler.staffLogin("handler@example.com")
        for path in ["/staff/settings", "/staff/settings/catalogue", "/staff/settings/types", "/staff/settings/branding"] {
            let page = try await handler.get(path).status
            XCTAssertEqual(page, .forbidden, path)
        }
        try await handler.get("/staff")
        XCTAssertFalse(handler.lastBody.contains("href=\"/staff/settings\""), "a handler is not offered the settings")
        let post = try await handler.post("/staff/settings", ["intake": "inquiries", "login_field": "any", "password_min_length": "6"]).status
        XCTAssertEqual(post, .forbidden)
        let branding = try await handler.post("/staff/settings/branding", ["colour_page_bg": "#000000", "action": "save"]).status
        XCTAssertEqual(branding, .forbidden)
        let unchanged = try await settings()
        XCTAssertFalse(unchanged.inquiriesFirst)
        XCTAssertEqual(unchanged.branding.colours, [:])

        let customer = harness.browser()
        try await customer.portalLogin("solglantan", "anna")
        let answer = try await customer.get("/staff/settings")
        XCTAssertEqual(answer.status, .seeOther)
        XCTAssertEqual(answer.headers.first(name: .location), "/staff/login")
    }

    func testGeneralSettingsAreSavedWithAnAuditLineEachAndBadInputKeepsEverything() async throws {
        let admin = try await admin()
        try await admin.get("/staff/settings")
        XCTAssertTrue(admin.lastBody.contains("name=\"intake\" value=\"cases\" checked"))

        let bad = try await admin.post("/staff/settings", ["intake": "inquiries", "login_field": "telepathy", "password_min_length": "abc",
                                                           "sms_enabled": "1", "column_priority": "1"])
        XCTAssertEqual(bad.status, .unprocessableEntity)
        XCTAssertTrue(admin.lastBody.contains("Skriv ett heltal från 4 till 72."))
        XCTAssertTrue(admin.lastBody.contains("value=\"abc\""), "what was typed is kept")
        XCTAssertTrue(admin.lastBody.contains("name=\"intake\" value=\"inquiries\" checked"))
        XCTAssertTrue(admin.lastBody.contains("name=\"sms_enabled\" value=\"1\" checked"))
        XCTAssertTrue(admin.lastBody.contains("name=\"column_priority\" value=\"1\" checked"))
        let untouched = try await settings()
        XCTAssertFalse(untouched.inquiriesFirst, "nothing is saved while anything is wrong")
        let tooLong = try await admin.post("/staff/settings", ["intake": "cases", "login_field": "any", "password_min_length": "200"]).status
        XCTAssertEqual(tooLong, .unprocessableEntity)

        let saved = try await admin.post("/staff/settings", [
            "intake": "inquiries", "login_field": "customer_number", "password_min_length": "8", "password_digit": "1",
            "password_forbid_letters": "1", "sms_enabled": "1", "self_registration_open": "1", "customer_edit_priority": "1",
            "column_priority": "1", "column_customer": "1"])
        XCTAssertEqual(saved.status, .seeOther)
        let now = try await settings()
        XCTAssertTrue(now.inquiriesFirst)
        XCTAssertEqual(now.organisationLoginField, .customerNumber)
        XCTAssertEqual(now.passwordPolicy, PasswordPolicy(minimumLength: 8, requiresDigit: true, requiresUppercase: false, forbiddenCharacters: "åäö"))
        XCTAssertTrue(now.smsEnabled)
        XCTAssertTrue(now.selfRegistrationOpen)
        XCTAssertFalse(now.customerMayEditCategory)
        XCTAssertTrue(now.customerMayEditPriority)
        XCTAssertEqual(now.extraListColumns, [.priority, .customer])
        let lines = try await auditDetails()
        XCTAssertTrue(lines.contains("inquiries_first: no → yes"))
        XCTAssertTrue(lines.contains("password_minimum_length: 6 → 8"))
        XCTAssertTrue(lines.contains("organisation_login_field: any → customer_number"))
        XCTAssertTrue(lines.contains("extra_list_columns: category, object → priority, customer"))
        let actors = try await AuditEventRecord.query(on: harness.app.db).filter(\.$action == AuditAction.settingsChanged.rawValue).all().map(\.actorName)
        XCTAssertTrue(actors.allSatisfy { $0 == "Maria Admin" })

        // The password rule reaches the portal's user administration.
        let policy = try await settings().passwordPolicy
        XCTAssertEqual(policy.problems(with: "Abcdefg1").isEmpty, true)
        XCTAssertTrue(policy.problems(with: "Åbcdefg1").contains(.forbiddenCharacter))
    }

    func testCaseTypesAndFieldsAreEditedAndAUsedFieldIsDeactivatedNotDeleted() async throws {
        let admin = try await admin()
        try await admin.get("/staff/settings/types")
        let empty = try await admin.post("/staff/settings/types", ["name": "", "description": "Behåll mig"])
        XCTAssertEqual(empty.status, .unprocessableEntity)
        XCTAssertTrue(admin.lastBody.contains("Behåll mig</textarea>"))
        let taken = try await admin.post("/staff/settings/types", ["name": "felanmälan"]).status
        XCTAssertEqual(taken, .unprocessableEntity, "names are unique regardless of case")

        let created = try await admin.post("/staff/settings/types", ["name": "Skadedjur", "description": "Råttor, möss", "billable": "1"])
        XCTAssertEqual(created.status, .seeOther)
        let type = try await CaseTypeRecord.query(on: harness.app.db).filter(\.$name == "Skadedjur").first()!
        XCTAssertTrue(type.isBillable)
        try await admin.get("/staff/settings/types/\(type.id!)")

        let noOptions = try await admin.post("/staff/settings/types/\(type.id!)/fields", ["label": "Vilket djur?", "kind": "choice", "choices": " \n "])
        XCTAssertEqual(noOptions.status, .unprocessableEntity)
        XCTAssertTrue(admin.lastBody.contains("value=\"Vilket djur?\""))
        let badKind = try await admin.post("/staff/settings/types/\(type.id!)/fields", ["label": "X", "kind": "colour"]).status
        XCTAssertEqual(badKind, .unprocessableEntity)
        for (label, kind, choices) in [("Vilket djur?", "choice", "Råtta\nMus\n"), ("Sett när", "date", ""), ("Antal", "number", ""),
                                       ("Får vi gå in?", "yesno", ""), ("Var", "text", "")] {
            let added = try await admin.post("/staff/settings/types/\(type.id!)/fields",
                                             ["label": label, "kind": kind, "choices": choices, "required": label == "Vilket djur?" ? "1" : ""])
            XCTAssertEqual(added.status, .seeOther, label)
        }
        let fields = try await CaseTypeFieldRecord.query(on: harness.app.db).filter(\.$caseTypeId == type.id!).sort(\.$sortOrder).all()
        XCTAssertEqual(fields.map(\.kind), [.choice, .date, .number, .yesno, .text])
        XCTAssertEqual(fields[0].choiceList, ["Råtta", "Mus"])
        XCTAssertTrue(fields[0].isRequired)

        // The portal's new-case form asks exactly the active fields.
        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        try await anna.get("/cases/new?type=\(type.id!)")
        XCTAssertTrue(anna.lastBody.contains("Vilket djur?"))
        XCTAssertTrue(anna.lastBody.contains("Råtta"))

        // A field with values on a case is deactivated; an unused one is deleted.
        let someCase = try await CaseRecord.query(on: harness.app.db).first()!
        try await CaseFieldValueRecord(caseId: someCase.id!, fieldId: fields[1].id, label: "Sett när", value: "2026-01-01", sortOrder: 0)
            .create(on: harness.app.db)
        try await admin.post("/staff/settings/types/\(type.id!)/fields/\(fields[1].id!)/delete", [:])
        try await admin.post("/staff/settings/types/\(type.id!)/fields/\(fields[2].id!)/delete", [:])
        let deactivated = try await CaseTypeFieldRecord.find(fields[1].id, on: harness.app.db)
        XCTAssertEqual(deactivated?.isActive, false)
        let deleted = try await CaseTypeFieldRecord.find(fields[2].id, on: harness.app.db)
        XCTAssertNil(deleted)
        try await anna.get("/cases/new?type=\(type.id!)")
        XCTAssertFalse(anna.lastBody.contains("Sett när"), "a deactivated field is no longer asked")

        // A used type is deactivated and leaves the portal's choice.
        let used = try await CaseRecord.query(on: harness.app.db).filter(\.$caseTypeId != nil).first()!
        try await admin.post("/staff/settings/types/\(used.caseTypeId!)/delete", [:])
        let stillThere = try await CaseTypeRecord.find(used.caseTypeId, on: harness.app.db)
        XCTAssertEqual(stillThere?.isActive, false)
        let lines = try await auditDetails()
        XCTAssertTrue(lines.contains("case type added: – → Skadedjur"))
        XCTAssertTrue(lines.contains { $0.hasPrefix("field \(fields[1].id!) deactivated") })
    }

    func testCategoriesAndPrioritiesValidateAndDeactivateWhenUsed() async throws {
        let admin = try await admin()
        try await admin.get("/staff/settings/catalogue")
        let bad = try await admin.post("/staff/settings/catalogue/categories", ["name": "Tak", "order": "först"])
        XCTAssertEqual(bad.status, .unprocessableEntity)
        XCTAssertTrue(admin.lastBody.contains("value=\"först\""))
        XCTAssertTrue(admin.lastBody.contains("value=\"Tak\""))
        let duplicate = try await admin.post("/staff/settings/catalogue/categories", ["name": "vvs"]).status
        XCTAssertEqual(duplicate, .unprocessableEntity)
        let added = try await admin.post("/staff/settings/catalogue/categories", ["name": "Tak"]).status
        XCTAssertEqual(added, .seeOther)
        let tak = try await CategoryRecord.query(on: harness.app.db).filter(\.$name == "Tak").first()!
        try await admin.post("/staff/settings/catalogue/categories/\(tak.id!)/delete", [:])
        let gone = try await CategoryRecord.find(tak.id, on: harness.app.db)
        XCTAssertNil(gone, "an unused category is deleted")

        let usedCase = try await CaseRecord.query(on: harness.app.db).filter(\.$categoryId != nil).first()!
        try await admin.post("/staff/settings/catalogue/categories/\(usedCase.categoryId!)/delete", [:])
        let kept = try await CategoryRecord.find(usedCase.categoryId, on: harness.app.db)
        XCTAssertEqual(kept?.isActive, false, "a used category is deactivated, not deleted")

        let priority = try await PriorityRecord.query(on: harness.app.db).sort(\.$rank).first()!
        let renamed = try await admin.post("/staff/settings/catalogue/priorities/\(priority.id!)", ["name": "Brådskande", "order": "0", "active": "1"]).status
        XCTAssertEqual(renamed, .seeOther)
        let lines = try await auditDetails()
        XCTAssertTrue(lines.contains("priority \(priority.id!) name: \(priority.name) → Brådskande"))

        // A deactivated priority is no longer offered to customers who may change it.
        var settings = try await SettingsStore(database: harness.app.db).load()
        settings.customerMayEditPriority = true
        try await SettingsStore(database: harness.app.db).save(settings)
        try await admin.post("/staff/settings/catalogue/priorities", ["name": "Tillfällig"])
        let temporary = try await PriorityRecord.query(on: harness.app.db).filter(\.$name == "Tillfällig").first()!
        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        let open = try await CaseRecord.query(on: harness.app.db).filter(\.$customerId == usedCase.customerId!)
            .filter(\.$status == .new).first()!
        try await anna.get("/cases/\(open.number)")
        XCTAssertTrue(anna.lastBody.contains(">Tillfällig<"))
        try await admin.post("/staff/settings/catalogue/priorities/\(temporary.id!)", ["name": "Tillfällig", "order": String(temporary.rank)])
        let inactive = try await PriorityRecord.find(temporary.id, on: harness.app.db)!.isActive
        XCTAssertFalse(inactive)
        try await anna.get("/cases/\(open.number)")
        XCTAssertFalse(anna.lastBody.contains(">Tillfällig<"))
    }

    func testColoursAreStrictlyHexAndCannotInjectCSS() async throws {
        let admin = try await admin()
        try await admin.get("/staff/settings/branding")
        for evil in ["red;}body{display:none", "#fff", "#12345g", "#123456;x", "</style><script>", "#1234567", "rgb(0,0,0)", "#12345\u{FF10}"] {
            let response = try await admin.post("/staff/settings/branding", ["colour_page_bg": evil, "action": "save"])
            XCTAssertEqual(response.status, .unprocessableEntity, evil)
            XCTAssertTrue(admin.lastBody.contains("Skriv färgen som # och sex hexadecimala siffror"), evil)
        }
        let stored = try await settings().branding
        XCTAssertEqual(stored.colours, [:])
        XCTAssertEqual(Branding.normalisedColour(" #A1B2C3 "), "#a1b2c3")

        // The preview stylesheet takes only strict values, whatever the query says.
        let preview = try await admin.get("/staff/settings/branding/preview.css?page-bg=%23abcdef&menu-bg=red%3B%7Dbody%7Bx%3Ay&heading=%23123456%3B%7D")
        XCTAssertEqual(preview.body.string, ".branding-preview{--page-bg:#abcdef;}\n")

        // Preview renders the typed colours without saving them.
        let previewPage = try await admin.post("/staff/settings/branding", ["colour_menu_bg": "#aa0000", "action": "preview"])
        XCTAssertEqual(previewPage.status, .ok)
        XCTAssertTrue(admin.lastBody.contains("preview.css?menu-bg=%23aa0000"))
        XCTAssertTrue(admin.lastBody.contains("value=\"#aa0000\""))
        let notYet = try await settings().branding.colours
        XCTAssertEqual(notYet, [:])

        let saved = try await admin.post("/staff/settings/branding", ["colour_menu_bg": "#AA0000", "colour_heading": "#102a43", "action": "save"]).status
        XCTAssertEqual(saved, .seeOther)
        let branding = try await settings().branding
        XCTAssertEqual(branding.colours, ["menu-bg": "#aa0000"], "the standard colour is not stored")
        XCTAssertEqual(branding.revision, 1)
        let lines = try await auditDetails()
        XCTAssertEqual(lines, ["branding menu-bg: #102a43 → #aa0000"])

        // The portal links the stylesheet, which sets the custom property and may be cached for good.
        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        try await anna.get("/cases")
        XCTAssertTrue(anna.lastBody.contains("href=\"/branding.css?v=1\""))
        let css = try await anna.get("/branding.css?v=1")
        XCTAssertEqual(css.body.string, ":root{--menu-bg:#aa0000;--menu-text:#ffffff;}\n", "with the text readable on it (issue 12)")
        XCTAssertEqual(css.headers.first(name: .cacheControl), "public, max-age=31536000, immutable")
        XCTAssertEqual(css.headers.contentType?.description.hasPrefix("text/css"), true)

        // Even a tampered settings row cannot put anything but a colour into the stylesheet.
        var tampered = try await settings()
        tampered.branding.colours["text"] = "red;}body{display:none"
        try await SettingsStore(database: harness.app.db).save(tampered)
        let still = try await anna.get("/branding.css?v=1")
        XCTAssertEqual(still.body.string, ":root{--menu-bg:#aa0000;--menu-text:#ffffff;}\n")
    }

    func testTheLogoMustBeAnImageByItsBytesAndIsShownInTheHeaders() async throws {
        let admin = try await admin()
        try await admin.get("/staff/settings/branding")
        let svg = Array("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".utf8)
        let refused = try await admin.upload("/staff/settings/branding/logo", files: [(name: "logo.png", type: "image/png", bytes: svg)], field: "logo")
        XCTAssertEqual(refused.status, .unprocessableEntity)
        XCTAssertTrue(admin.lastBody.contains("Filen är inte en PNG-"))
        let none = try await settings().branding.logoKey
        XCTAssertNil(none)

        try await admin.get("/staff/settings/branding")
        let accepted = try await admin.upload("/staff/settings/branding/logo", files: [(name: "logo.bin", type: "application/octet-stream",
                                                                                         bytes: Demo.pngBytes())], field: "logo")
        XCTAssertEqual(accepted.status, .seeOther)
        let branding = try await settings().branding
        XCTAssertNotNil(branding.logoKey)
        XCTAssertEqual(branding.logoType, "image/png")

        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        try await anna.get("/cases")
        XCTAssertTrue(anna.lastBody.contains("class=\"brand-logo\" src=\"/branding/logo?v=\(branding.revision)\""))
        let logo = try await anna.get("/branding/logo?v=\(branding.revision)")
        XCTAssertEqual(logo.status, .ok)
        XCTAssertEqual(logo.headers.contentType?.description, "image/png")
        XCTAssertEqual(Array(logo.body.readableBytesView), Demo.pngBytes())
        try await admin.get("/staff")
        XCTAssertTrue(admin.lastBody.contains("class=\"brand-logo\""), "the back office header shows it too")

        try await admin.post("/staff/settings/branding/logo/delete", [:])
        try await anna.get("/cases")
        XCTAssertFalse(anna.lastBody.contains("brand-logo"))
        XCTAssertTrue(anna.lastBody.contains(">Caseport<"), "the company default returns")
        let gone = try await anna.get("/branding/logo").status
        XCTAssertEqual(gone, .notFound)
    }
}
