import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Foundation
import XCTest

/// A tool, not a test, like `PageSnapshotDump`: writes the HTML of the case forms as they answer —
/// the staff case page and the inbox's case page with problems, the portal case page with problems,
/// the new-case type page, the new-case form with problems and its confirmation page — to CASEPORT_DUMP_FORMS, so a change to
/// how these forms are read and rendered can be checked to leave the pages as they were:
///
///     CASEPORT_DUMP_FORMS=/tmp/forms-before swift test --skip-build --filter FormPagesSnapshotDump
///     … change …
///     CASEPORT_DUMP_FORMS=/tmp/forms-after swift test --skip-build --filter FormPagesSnapshotDump
///     diff -r /tmp/forms-before /tmp/forms-after   (CSRF tokens and times are blanked)
final class FormPagesSnapshotDump: XCTestCase {
    func testDumpFormPages() async throws {
        guard let directory = ProcessInfo.processInfo.environment["CASEPORT_DUMP_FORMS"] else {
            throw XCTSkip("a tool; set CASEPORT_DUMP_FORMS=<directory> to run it")
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let harness = try await WebHarness()
        do {
            let db = harness.app.db
            let numbers = try await Demo.caseNumbers(ofCustomer: "1001", on: db).sorted()
            let number = numbers.first!
            let fault = try await CaseTypeRecord.query(on: db).sort(\.$sortOrder).first()!.id!
            let faultFields = try await CaseTypeFieldRecord.query(on: db).filter(\.$caseTypeId == fault).sort(\.$sortOrder).all()
            let husA = try await ObjectRecord.query(on: db).filter(\.$name == "Solgläntan hus A").first()!.id!
            let blank = try NSRegularExpression(pattern: #"(csrf_token"? value="|csrf_token=)[^"&]*|\d{1,4}[-./]\d{1,2}[-./]\d{2,4}( \d{1,2}[:.]\d{2})?"#)
            func save(_ name: String, _ html: String) throws {
                let blanked = blank.stringByReplacingMatches(in: html, range: NSRange(html.startIndex..., in: html), withTemplate: "$1")
                try blanked.write(toFile: "\(directory)/\(name).html", atomically: true, encoding: .utf8)
            }

            // One inquiry, sent through the portal where inquiries come first.
            var settings = try await SettingsStore(database: db).load()
            settings.inquiriesFirst = true
            try await SettingsStore(database: db).save(settings)
            let sender = harness.browser()
            try await sender.portalLogin("solglantan", "anna")
            try await sender.get("/cases/new")
            try await sender.post("/cases/new/confirm", ["subject": "Dropp", "description": "Det droppar", "object": String(husA),
                                                         "work_site_address": "Gläntvägen 2"])
            settings.inquiriesFirst = false
            try await SettingsStore(database: db).save(settings)
            let inquiry = try await InquiryRecord.query(on: db).filter(\.$subject == "Dropp").first()!.id!

            // A resolved case, for the approval form.
            let resolved = try await CaseRecord.query(on: db).filter(\.$number == numbers.last!).first()!
            resolved.status = .resolved
            try await resolved.update(on: db)

            for language in ["sv", "en"] {
                let staff = harness.browser()
                try await staff.staffLogin("admin@example.com")
                try await staff.get("/staff")
                try await staff.post("/language", ["language": language, "returnTo": "/staff"])
                let version = try await CaseRecord.query(on: db).filter(\.$number == number).first()!.version
                try await staff.get("/staff/cases/\(number)")
                try save("\(language)-staff-case", staff.lastBody)
                try await staff.post("/staff/cases/\(number)", [
                    "version": String(version), "subject": "", "description": "Ny text", "handler": "1", "supplier": "",
                    "category": "x", "type": "", "priority": "", "customer": "", "object": "999999"])
                try save("\(language)-staff-case-edit-problems", staff.lastBody)
                try await staff.post("/staff/cases/\(number)", ["subject": "Utan version"])
                try save("\(language)-staff-case-edit-no-version", staff.lastBody)
                try await staff.post("/staff/cases/\(number)", [
                    "version": "0", "subject": "Gammal", "description": "", "customer": "", "object": ""])
                try save("\(language)-staff-case-edit-stale", staff.lastBody)
                try await staff.post("/staff/cases/\(number)/status", ["version": "0", "status": "open"])
                try save("\(language)-staff-case-status-stale", staff.lastBody)
                try await staff.post("/staff/cases/\(number)/messages", ["body": "  ", "internal": "1"])
                try save("\(language)-staff-case-message-problems", staff.lastBody)

                try await staff.get("/staff/inbox/\(inquiry)")
                try save("\(language)-inbox-case", staff.lastBody)
                try await staff.post("/staff/inbox/\(inquiry)", [
                    "subject": "", "description": "Ändrad", "type": "", "category": "x", "priority": "", "customer": "",
                    "object": String(husA), "handler": "", "supplier": "", "work_site_address": "Väg 1",
                    "reference_name": "Ref", "sender_name": "", "sender_email": "inte-en-adress", "sender_phone": "",
                    "notify_customer": "1", "notify_supplier": "1"])
                try save("\(language)-inbox-case-problems", staff.lastBody)
                try await staff.get("/staff/inbox")
                try await staff.post("/staff/inbox/bulk", ["action": "create"])
                try save("\(language)-inbox-bulk-none", staff.lastBody)

                let anna = harness.browser()
                try await anna.portalLogin("solglantan", "anna")
                try await anna.get("/cases")
                try await anna.post("/language", ["language": language, "returnTo": "/cases"])
                try await anna.get("/cases/\(number)")
                try await anna.post("/cases/\(number)/messages", ["body": " ", "copy_to_me": "1"])
                try save("\(language)-portal-case-message-problems", anna.lastBody)
                try await anna.post("/cases/\(numbers.last!)/not-ok", ["comment": "  "])
                try save("\(language)-portal-case-reject-problems", anna.lastBody)
                try await anna.get("/cases/new")
                try save("\(language)-new-case-type", anna.lastBody)
                try await anna.get("/cases/new?type=\(fault)")
                try save("\(language)-new-case", anna.lastBody)
                var typed = ["type": String(fault), "subject": "", "description": "Text", "object": String(husA),
                             "work_site_address": "Väg 2", "reference_name": "", "copy_by_email": "1", "copy_email": "fel",
                             "field_\(faultFields[1].id!)": "kanske"]
                try await anna.post("/cases/new", typed)
                try save("\(language)-new-case-problems", anna.lastBody)
                typed["subject"] = "Läcka"
                typed["copy_email"] = "anna@solglantan.example"
                typed["field_\(faultFields[0].id!)"] = "12"
                typed["field_\(faultFields[1].id!)"] = "yes"
                try await anna.post("/cases/new", typed)
                try save("\(language)-new-case-confirm", anna.lastBody)
                try await anna.post("/cases/new/edit", typed)
                try save("\(language)-new-case-back", anna.lastBody)

                let board = harness.browser()
                try await board.portalLogin("solglantan", "styrelsen")
                try await board.get("/cases")
                try await board.post("/language", ["language": language, "returnTo": "/cases"])
                try await board.get("/cases/new?type=\(fault)")
                try await board.post("/cases/new", ["type": String(fault), "subject": "S", "description": "D",
                                                           "object": String(husA), "person": "new", "person_first_name": "Per",
                                                           "person_last_name": "", "person_email": "x"])
                try save("\(language)-new-case-shared-problems", board.lastBody)
                try await board.get("/cases/\(number)")
                try await board.post("/cases/\(number)/messages", ["body": "Hej", "person": "new", "person_first_name": "",
                                                                   "person_last_name": "Lund"])
                try save("\(language)-portal-case-shared-problems", board.lastBody)
            }
        } catch {
            try await harness.shutdown()
            throw error
        }
        try await harness.shutdown()
    }
}
