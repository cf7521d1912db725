@testable import CaseportPDF
import Foundation
import XCTest

/// The report checked by independent tools (Debian's qpdf and poppler-utils): the file's structure,
/// the embedded subset font with its ToUnicode map, and the text a reader extracts.
final class PopplerCheckTests: XCTestCase {
    func testQpdfFindsNoProblem() throws {
        try PDFTools.require(["qpdf"])
        let url = try PDFTools.write(PDFWriterTests.sampleReport(messages: 40, logo: ImageTests.samplePNG()).render(fonts: Fixtures.fonts))
        defer { try? FileManager.default.removeItem(at: url) }
        let check = try PDFTools.run("qpdf", ["--check", url.path])
        XCTAssertEqual(check.status, 0, check.output)
        XCTAssertTrue(check.output.contains("No syntax or stream encoding errors found"), check.output)
    }

    /// The logo: a translucent PNG becomes an RGB image with a soft mask; a report without a usable
    /// logo (a GIF) has no image at all.
    func testTheLogoIsAnImageWithItsAlphaAsSoftMask() throws {
        try PDFTools.require(["pdfimages"])
        let url = try PDFTools.write(PDFWriterTests.sampleReport(messages: 1, logo: ImageTests.samplePNG()).render(fonts: Fixtures.fonts))
        defer { try? FileManager.default.removeItem(at: url) }
        let rows = try PDFTools.run("pdfimages", ["-list", url.path]).output.split(separator: "\n").dropFirst(2)
        XCTAssertEqual(rows.map { $0.split(separator: " ")[2] }, ["image", "smask"], rows.joined(separator: "\n"))
        XCTAssertEqual(rows.first?.split(separator: " ")[3...4].joined(separator: " "), "3 2")

        let plain = try PDFTools.write(PDFWriterTests.sampleReport(messages: 1, logo: Array("GIF89a".utf8)).render(fonts: Fixtures.fonts))
        defer { try? FileManager.default.removeItem(at: plain) }
        XCTAssertEqual(try PDFTools.run("pdfimages", ["-list", plain.path]).output.split(separator: "\n").count, 2, "header lines only")
    }

    func testFontsAreEmbeddedSubsetsWithUnicodeMaps() throws {
        try PDFTools.require(["pdffonts"])
        let url = try PDFTools.write(PDFWriterTests.sampleReport(messages: 5).render(fonts: Fixtures.fonts))
        defer { try? FileManager.default.removeItem(at: url) }
        let fonts = try PDFTools.run("pdffonts", [url.path])
        XCTAssertEqual(fonts.status, 0, fonts.output)
        let rows = fonts.output.split(separator: "\n").dropFirst(2)
        XCTAssertEqual(rows.count, 2, fonts.output)
        for (row, name) in zip(rows, ["DejaVuSans", "DejaVuSans-Bold"]) {
            let columns = row.split(separator: " ", omittingEmptySubsequences: true)
            // name, type (2 words), encoding, emb, sub, uni, object, generation
            XCTAssertTrue(columns[0].range(of: #"^[A-Z]{6}\+"# + name + "$", options: .regularExpression) != nil, String(row))
            XCTAssertEqual(columns[1...2].joined(separator: " "), "CID TrueType", String(row))
            XCTAssertEqual(columns[3], "Identity-H", String(row))
            XCTAssertEqual(Array(columns[4...6]), ["yes", "yes", "yes"], "emb, sub, uni: \(row)")
        }
    }

    func testTextComesBackOutIncludingEveryMessageAndThePageNumbers() throws {
        try PDFTools.require(["pdftotext"])
        let report = PDFWriterTests.sampleReport(messages: 200)
        let url = try PDFTools.write(report.render(fonts: Fixtures.fonts))
        defer { try? FileManager.default.removeItem(at: url) }
        let text = try PDFTools.run("pdftotext", ["-enc", "UTF-8", url.path, "-"]).output
        XCTAssertTrue(text.contains("åäöÆØ Łukasz Čapek"), text.prefix(500).description)
        for number in 1...200 { XCTAssertTrue(text.contains("Message number \(number)."), "message \(number)") }
        let pages = text.components(separatedBy: "\u{0C}").filter { !$0.isEmpty }.count
        XCTAssertGreaterThan(pages, 3)
        for page in 1...pages { XCTAssertTrue(text.contains("Page \(page) of \(pages)"), "page \(page) of \(pages)") }
        XCTAssertTrue(text.contains("photo-30.jpg"), "the files table, broken across pages, ends")
    }
}
