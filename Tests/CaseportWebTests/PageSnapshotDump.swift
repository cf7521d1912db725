import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Foundation
import XCTest

/// A tool, not a test: writes the HTML of a fixed set of pages (demo data, Swedish and English) to
/// the directory in CASEPORT_DUMP_PAGES, so a change to templates or page contexts can be checked
/// to leave the pages as they were:
///
///     CASEPORT_DUMP_PAGES=/tmp/pages-before swift test --skip-build --filter PageSnapshotDump
///     … change …
///     CASEPORT_DUMP_PAGES=/tmp/pages-after swift test --skip-build --filter PageSnapshotDump
///     diff -r /tmp/pages-before /tmp/pages-after   (CSRF tokens are blanked)
final class PageSnapshotDump: XCTestCase {
    func testDumpPages() async throws {
        guard let directory = ProcessInfo.processInfo.environment["CASEPORT_DUMP_PAGES"] else {
            throw XCTSkip("a tool; set CASEPORT_DUMP_PAGES=<directory> to run it")
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let harness = try await WebHarness()
        do {
            let db = harness.app.db
            let number = try await Demo.caseNumbers(ofCustomer: "1001", on: db).sorted().first!
            let customer = try await Demo.customer("1001", on: db).id!
            let contact = try await ContactRecord.query(on: db).first()!.id!
            let type = try await CaseTypeRecord.query(on: db).first()!.id!
            let anna = try await PortalUserRecord.query(on: db).filter(\.$username == "anna").first()!.id!
            let token = try NSRegularExpression(pattern: #"(csrf_token"? value="|csrf_token=)[^"&]*"#)
            for language in ["sv", "en"] {
                func dump(_ browser: Browser, _ name: String, _ path: String) async throws {
                    let html = try await browser.get(path).body.string
                    let blanked = token.stringByReplacingMatches(in: html, range: NSRange(html.startIndex..., in: html), withTemplate: "$1")
                    try blanked.write(toFile: "\(directory)/\(language)-\(name).html", atomically: true, encoding: .utf8)
                }
                let visitor = harness.browser()
                visitor.cookies["caseport_lang"] = language
                try await dump(visitor, "login", "/login")
                try await dump(visitor, "staff-login", "/staff/login")
                try await dump(visitor, "not-found", "/no-such-page")
                let portal = harness.browser()
                try await portal.portalLogin("solglantan", "anna")
                try await portal.get("/cases")
                try await portal.post("/language", ["language": language, "returnTo": "/cases"])
                for (name, path) in [("cases", "/cases"), ("cases-filtered", "/cases?q=a&state=all&from=x"),
                                     ("case", "/cases/\(number)?notice=message"), ("new-case", "/cases/new"),
                                     ("files", "/files"), ("users", "/users"), ("user", "/users/\(anna)"),
                                     ("new-case-type", "/cases/new?type=\(type)")] {
                    try await dump(portal, name, path)
                }
                let staff = harness.browser()
                try await staff.staffLogin("admin@example.com")
                try await staff.get("/staff")
                try await staff.post("/language", ["language": language, "returnTo": "/staff"])
                for (name, path) in [("staff-home", "/staff"), ("staff-cases", "/staff/cases"),
                                     ("staff-cases-filtered", "/staff/cases?status=active&q=a"),
                                     ("staff-case", "/staff/cases/\(number)?notice=saved"), ("staff-inbox", "/staff/inbox"),
                                     ("staff-settings", "/staff/settings?notice=saved"), ("staff-catalogue", "/staff/settings/catalogue"),
                                     ("staff-types", "/staff/settings/types"), ("staff-type", "/staff/settings/types/\(type)"),
                                     ("staff-branding", "/staff/settings/branding"), ("staff-customers", "/staff/customers"),
                                     ("staff-customer", "/staff/customers/\(customer)?notice=saved"), ("staff-objects", "/staff/objects?customer=\(customer)"),
                                     ("staff-contact", "/staff/contacts/\(contact)"), ("staff-portal-users", "/staff/portal-users"),
                                     ("staff-portal-user", "/staff/portal-users/\(anna)"), ("staff-users", "/staff/staff-users"),
                                     ("staff-audit", "/staff/audit"), ("staff-outbox", "/staff/outbox"), ("staff-import", "/staff/import")] {
                    try await dump(staff, name, path)
                }
            }
        } catch {
            try await harness.shutdown()
            throw error
        }
        try await harness.shutdown()
    }
}
