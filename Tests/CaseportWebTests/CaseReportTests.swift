import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Foundation
import Vapor
import XCTVapor
import XCTest

/// The case report PDF (E2) through HTTP: the access rule, the headers, and — checked by Debian's
/// qpdf and poppler-utils — the file itself: an embedded subset font, every customer-visible message
/// of a 200-message case as extractable text, no internal note, and "page n of N" in each language.
final class CaseReportTests: XCTestCase {
    var harness: WebHarness!
    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws { try await harness.shutdown() }

    func solglantanCase() async throws -> CaseRecord {
        let number = try await Demo.caseNumbers(ofCustomer: "1001", on: harness.app.db).sorted().first!
        return try await CaseRecord.query(on: harness.app.db).filter(\.$number == number).first()!
    }

    func testAnotherCustomersCaseIsA404ExactlyLikeAMissingOne() async throws {
        let db = harness.app.db
        let norrsken = try await CustomerRecord.query(on: db).filter(\.$customerNumber == "1002").first()!
        let theirs = try await CaseRecord.query(on: db).filter(\.$customerId == norrsken.id!).first()!
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        let forbidden = try await browser.get(PortalRoute.caseReport.path(theirs.number))
        let forbiddenBody = browser.lastBody
        let missing = try await browser.get(PortalRoute.caseReport.path(99_999_999))
        XCTAssertEqual(forbidden.status, .notFound)
        XCTAssertEqual(missing.status, .notFound)
        XCTAssertNotEqual(forbidden.headers.first(name: .contentType), "application/pdf")
        XCTAssertEqual(forbiddenBody.replacingOccurrences(of: "/cases/\(theirs.number)", with: "/cases/N"),
                       browser.lastBody.replacingOccurrences(of: "/cases/99999999", with: "/cases/N"))
        XCTAssertFalse(forbiddenBody.contains(theirs.subject))

        let mine = try await solglantanCase()
        let allowed = try await browser.get(PortalRoute.caseReport.path(mine.number))
        XCTAssertEqual(allowed.status, .ok)
        XCTAssertEqual(allowed.headers.first(name: .contentType), "application/pdf")
        XCTAssertEqual(allowed.headers.first(name: .contentDisposition)?.hasPrefix("attachment; filename=\"arende-\(mine.number).pdf\""), true,
                       allowed.headers.first(name: .contentDisposition) ?? "")
        XCTAssertTrue(allowed.body.string.hasPrefix("%PDF-1.7"))
    }

    func testTheReportNeedsASignIn() async throws {
        let mine = try await solglantanCase()
        let portal = try await harness.browser().get(PortalRoute.caseReport.path(mine.number))
        XCTAssertEqual(portal.status, .seeOther)
        XCTAssertEqual(portal.headers.first(name: .location), "/login")
        let staff = try await harness.browser().get(StaffRoute.caseReport.path(mine.number))
        XCTAssertEqual(staff.status, .seeOther)
        XCTAssertNotEqual(staff.headers.first(name: .contentType), "application/pdf")
    }

    func testStaffGetTheReportOfAnyCase() async throws {
        let db = harness.app.db
        let norrsken = try await CustomerRecord.query(on: db).filter(\.$customerNumber == "1002").first()!
        let theirs = try await CaseRecord.query(on: db).filter(\.$customerId == norrsken.id!).first()!
        let browser = harness.browser()
        try await browser.staffLogin("admin@example.com")
        let response = try await browser.get(StaffRoute.caseReport.path(theirs.number))
        XCTAssertEqual(response.status, .ok)
        XCTAssertEqual(response.headers.first(name: .contentType), "application/pdf")
        let missing = try await browser.get(StaffRoute.caseReport.path(99_999_999))
        XCTAssertEqual(missing.status, .notFound)
        // The staff case page links the report; so does the portal's.
        try await browser.get(StaffRoute.case.path(theirs.number))
        XCTAssertTrue(browser.lastBody.contains("href=\"\(StaffRoute.caseReport.path(theirs.number))\""))
        let portal = harness.browser()
        try await portal.portalLogin("solglantan", "anna")
        let mine = try await solglantanCase()
        try await portal.get(PortalRoute.case.path(mine.number))
        XCTAssertTrue(portal.lastBody.contains("href=\"\(PortalRoute.caseReport.path(mine.number))\""))
    }

    /// 200 customer-visible messages (one long, one with the names that need the embedded font) and an
    /// internal note: the PDF passes qpdf, embeds subset fonts with ToUnicode maps, and pdftotext
    /// gives back every message, the names, the page numbers — and not the note.
    func testACaseWith200MessagesPassesThePopplerChecks() async throws {
        let missing = ["qpdf", "pdffonts", "pdftotext"].filter { !FileManager.default.isExecutableFile(atPath: "/usr/bin/\($0)") }
        if !missing.isEmpty { throw XCTSkip("not installed: \(missing.joined(separator: ", ")) (apt-get install poppler-utils qpdf; CI has them)") }
        let record = try await solglantanCase()
        let db = harness.app.db
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        for number in 1...200 {
            let message = CaseMessageRecord()
            message.caseId = record.id!
            message.authorKind = number % 2 == 0 ? .staff : .customer
            message.authorName = number % 2 == 0 ? "Fastighetsservice" : "Anna Åberg"
            message.body = switch number {
            case 1: "åäöÆØ Łukasz Čapek"
            case 100: "Message 100 is long. " + String(repeating: "It goes on and on, så att raderna bryts. ", count: 80) + "The end of message 100."
            default: "Message \(number) of the report test."
            }
            message.isInternal = false
            message.createdAt = start.addingTimeInterval(Double(number) * 60)
            try await message.create(on: db)
        }
        let note = CaseMessageRecord()
        note.caseId = record.id!
        note.authorKind = .staff
        note.authorName = "Intern"
        note.body = "Internal note that the customer must never read"
        note.isInternal = true
        note.createdAt = start
        try await note.create(on: db)

        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        for language in Language.allCases {
            try await browser.post(PortalRoute.language.path(), ["language": language.rawValue, "returnTo": "/"])
            let response = try await browser.get(PortalRoute.caseReport.path(record.number))
            XCTAssertEqual(response.status, .ok)
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("caseport-report-\(UUID().uuidString).pdf")
            try Data(buffer: response.body).write(to: url)
            defer { try? FileManager.default.removeItem(at: url) }

            let text = try Self.run("pdftotext", ["-enc", "UTF-8", url.path, "-"])
            let pages = text.components(separatedBy: "\u{0C}").filter { !$0.isEmpty }.count
            XCTAssertGreaterThan(pages, 4, "\(language)")
            let label = harness.app.caseport.translations.text("report_page_of", in: language)
            for page in [1, pages] {
                let expected = label.replacingOccurrences(of: "{page}", with: "\(page)").replacingOccurrences(of: "{pages}", with: "\(pages)")
                XCTAssertTrue(text.contains(expected), "\(language): \(expected)")
            }
            guard language == .en else { continue }
            XCTAssertTrue(text.contains("Page 1 of \(pages)"))
            XCTAssertTrue(text.contains("åäöÆØ Łukasz Čapek"))
            for number in 2...200 where number != 100 {
                XCTAssertTrue(text.contains("Message \(number) of the report test."), "message \(number)")
            }
            XCTAssertTrue(text.contains("Message 100 is long."))
            XCTAssertTrue(text.contains("The end of message 100."))
            XCTAssertFalse(text.contains("Internal note"), "an internal note is never in the customer's report")

            let check = try Self.run("qpdf", ["--check", url.path])
            XCTAssertTrue(check.contains("No syntax or stream encoding errors found"), check)
            let fonts = try Self.run("pdffonts", [url.path]).split(separator: "\n").dropFirst(2)
            XCTAssertEqual(fonts.count, 2)
            for row in fonts {
                let columns = row.split(separator: " ")
                XCTAssertNotNil(columns[0].range(of: #"^[A-Z]{6}\+DejaVuSans"#, options: .regularExpression), String(row))
                XCTAssertEqual(Array(columns[4...6]), ["yes", "yes", "yes"], "emb, sub, uni: \(row)")
            }
        }
    }

    static func run(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/\(tool)")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
