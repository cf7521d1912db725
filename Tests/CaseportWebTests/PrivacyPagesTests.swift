import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Vapor
import XCTVapor
import XCTest

/// E3 through HTTP: the back office's privacy page is for administrators, legal holds for every staff
/// member, the export streams a ZIP that an independent reader opens, and the public privacy page is
/// written from the settings and reachable without login.
final class PrivacyPagesTests: XCTestCase {
    var harness: WebHarness!
    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws { try await harness.shutdown() }

    func staff(_ email: String) async throws -> Browser {
        let browser = harness.browser()
        try await browser.staffLogin(email)
        try await browser.get(StaffRoute.home.path())  // the new session's CSRF token
        return browser
    }

    func testAHandlerMayHoldACaseButNotSeeThePolicyRunOrExport() async throws {
        let handler = try await staff("handler@example.com")
        for path in [StaffRoute.privacy.path()] { let awaited1 = try await handler.get(path).status; XCTAssertEqual(awaited1, .forbidden) }
        for route in [StaffRoute.privacySubmit, .privacyDryRun, .privacyRun, .privacyExport] {
            let awaited2 = try await handler.post(route.path(), ["email": "anna@solglantan.example"]).status; XCTAssertEqual(awaited2, .forbidden, route.rawValue)
        }
        let record = try await CaseRecord.query(on: harness.app.db).sort(\.$number).first()!
        let held = try await handler.post(StaffRoute.legalHold.path(), ["case_number": String(record.number), "reason": "Tvist om fakturan"])
        XCTAssertEqual(held.status, .seeOther)
        XCTAssertEqual(held.headers.first(name: .location), StaffRoute.case.path(record.number, query: ["notice": "saved"]))
        let reloaded = try await CaseRecord.find(record.id, on: harness.app.db)
        XCTAssertEqual(reloaded?.legalHoldReason, "Tvist om fakturan")
        let released = try await handler.post(StaffRoute.legalHoldRelease.path(record.number), [:])
        XCTAssertEqual(released.status, .seeOther)
        let again = try await CaseRecord.find(record.id, on: harness.app.db)
        XCTAssertNil(again?.legalHoldAt)
    }

    func testThePublicPageShowsThePolicyAsSetInEveryLanguage() async throws {
        let admin = try await staff("admin@example.com")
        let saved = try await admin.post(StaffRoute.privacySubmit.path(), [
            "action_contact_details": "anonymise", "days_contact_details": "730", "action_message_texts": "delete",
            "days_message_texts": "365", "action_files": "delete", "days_files": "90", "action_chat": "keep", "days_chat": "",
            "contact_email": "dataskydd@bosoderstrom.example", "nightly": "1",
        ])
        XCTAssertEqual(saved.status, .seeOther)
        let visitor = harness.browser()
        try await visitor.get(PortalRoute.login.path())
        XCTAssertTrue(visitor.lastBody.contains("href=\"\(PublicRoute.privacy.path())\""), "the login page links the privacy page")
        let english = try await visitor.get(PublicRoute.privacy.path(), headers: ["Accept-Language": "en"])
        XCTAssertEqual(english.status, .ok, "no login needed")
        let page = english.body.string
        XCTAssertTrue(page.contains("Anonymised 730 days after the case is closed"), page)
        XCTAssertTrue(page.contains("Deleted 365 days after the case is closed"))
        XCTAssertTrue(page.contains("Deleted 90 days after the case is closed"))
        XCTAssertTrue(page.contains("mailto:dataskydd@bosoderstrom.example"))
        let swedish = harness.browser()
        let sv = try await swedish.get(PublicRoute.privacy.path(), headers: ["Accept-Language": "sv"])
        XCTAssertTrue(sv.body.string.contains("Raderas 90 dagar efter att ärendet avslutats"), sv.body.string)
    }

    func testTheExportStreamsAZipThatPythonOpensWithThePersonsRowsAndFiles() async throws {
        let admin = try await staff("admin@example.com")
        let response = try await admin.post(StaffRoute.privacyExport.path(), ["email": "ANNA@solglantan.example"])
        XCTAssertEqual(response.status, .ok, response.body.string)
        XCTAssertEqual(response.headers.contentType?.description, "application/zip")
        XCTAssertTrue(response.headers.first(name: .contentDisposition)?.contains("attachment") == true)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString).zip")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(buffer: response.body).write(to: url)
        let script = """
            import json, sys, zipfile
            z = zipfile.ZipFile(sys.argv[1])
            assert z.testzip() is None
            users = json.loads(z.read("portal_users.json"))
            contacts = json.loads(z.read("contacts.json"))
            print(",".join(sorted({u["email"] for u in users} | {c["email"] for c in contacts})))
            print(all("passwordHash" not in u for u in users))
            print(len(json.loads(z.read("cases.json"))) > 0)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, url.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, output)
        XCTAssertEqual(output.split(separator: "\n"), ["anna@solglantan.example", "True", "True"])
        let line = try await AuditEventRecord.query(on: harness.app.db).filter(\.$action == AuditAction.dataExported.rawValue).first()
        XCTAssertEqual(line?.subject, "personal data anna@solglantan.example")
    }

    func testARunFromTheBackOfficeReportsItsCountsAndIsAudited() async throws {
        let admin = try await staff("admin@example.com")
        _ = try await admin.post(StaffRoute.privacySubmit.path(), [
            "action_contact_details": "anonymise", "days_contact_details": "0", "action_message_texts": "anonymise",
            "days_message_texts": "0", "action_files": "keep", "days_files": "", "action_chat": "keep", "days_chat": "", "contact_email": "",
        ])
        let closed = try await CaseRecord.query(on: harness.app.db).filter(\.$status == .closed).filter(\.$legalHoldAt == nil).count()
        let held = try await CaseRecord.query(on: harness.app.db).filter(\.$legalHoldAt != nil).count()
        XCTAssertEqual(held, 1, "the demo holds one closed case")
        XCTAssertGreaterThan(closed, 0, "the demo has closed cases")
        let dry = try await admin.post(StaffRoute.privacyDryRun.path(), [:])
        XCTAssertEqual(dry.status, .ok)
        XCTAssertTrue(dry.body.string.contains("id=\"retention-total\">\(closed)<"), dry.body.string)
        let run = try await admin.post(StaffRoute.privacyRun.path(), [:])
        XCTAssertTrue(run.body.string.contains("id=\"retention-total\">\(closed)<"))
        let lines = try await AuditEventRecord.query(on: harness.app.db).filter(\.$action == AuditAction.retentionRun.rawValue).count()
        XCTAssertEqual(lines, 2)
    }
}
