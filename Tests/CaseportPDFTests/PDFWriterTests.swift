@testable import CaseportPDF
import Foundation
import XCTest

final class PDFWriterTests: XCTestCase {
    /// Every xref entry points at the first byte of "n 0 obj", and startxref at "xref".
    func testCrossReferenceOffsetsPointAtTheirObjects() throws {
        var writer = PDFObjectWriter()
        let catalog = writer.reserve(), pages = writer.reserve(), stream = writer.reserve()
        // Written out of order on purpose: offsets follow the writing, numbers the reservation.
        writer.writeStream(stream, data: Array(String(repeating: "BT ET\n", count: 40).utf8))
        writer.write(pages, "<< /Type /Pages /Kids [] /Count 0 >>")
        writer.write(catalog, "<< /Type /Catalog /Pages \(pages) 0 R >>")
        let bytes = writer.finish(root: catalog, info: nil)
        try assertCrossReference(bytes, objects: 3)
    }

    func testADocumentsCrossReferenceIsExact() throws {
        let bytes = Self.sampleReport(messages: 3).render(fonts: Fixtures.fonts)
        let text = String(decoding: bytes, as: UTF8.self)
        let count = try XCTUnwrap(Int(text.components(separatedBy: "/Size ").last?.prefix(while: \.isNumber) ?? ""))
        try assertCrossReference(bytes, objects: count - 1)
    }

    func assertCrossReference(_ bytes: [UInt8], objects: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let text = String(decoding: bytes, as: Unicode.ASCII.self)
        let startxref = try XCTUnwrap(text.range(of: "startxref\n", options: .backwards))
        let xrefOffset = try XCTUnwrap(Int(text[startxref.upperBound...].prefix(while: \.isNumber)))
        XCTAssertEqual(String(decoding: bytes[xrefOffset..<(xrefOffset + 4)], as: UTF8.self), "xref", file: file, line: line)
        var at = xrefOffset + "xref\n0 \(objects + 1)\n".utf8.count
        XCTAssertEqual(String(decoding: bytes[at..<(at + 20)], as: UTF8.self), "0000000000 65535 f\r\n", file: file, line: line)
        for number in 1...objects {
            at += 20
            let entry = String(decoding: bytes[at..<(at + 20)], as: UTF8.self)
            XCTAssertTrue(entry.hasSuffix(" 00000 n\r\n"), entry, file: file, line: line)
            let offset = try XCTUnwrap(Int(entry.prefix(10)))
            let header = "\(number) 0 obj\n"
            XCTAssertEqual(String(decoding: bytes[offset..<(offset + header.utf8.count)], as: UTF8.self), header, file: file, line: line)
        }
    }

    func testNumbersAndTextStrings() {
        XCTAssertEqual(PDFSyntax.number(12), "12")
        XCTAssertEqual(PDFSyntax.number(12.5), "12.5")
        XCTAssertEqual(PDFSyntax.number(-0.3333), "-0.333")
        XCTAssertEqual(PDFSyntax.number(595.2756), "595.276")
        XCTAssertEqual(PDFSyntax.textString("Å"), "<FEFF00C5>")
    }

    func testWrappingNeverExceedsTheWidthAndKeepsEveryWord() {
        let font = Fixtures.fonts.regular
        let text = "Vattenläckan i tvättstugan på plan 2 har återkommit. Łukasz Čapek tittade på den i går.\n\nOchEttMycketLångtOrdUtanMellanslagSomMåsteDelasPåFleraRader."
        let lines = FlowLayout.wrap(text, width: 120, measure: { font.width(of: $0, size: 10) })
        for line in lines { XCTAssertLessThanOrEqual(font.width(of: line, size: 10), 120, line) }
        XCTAssertEqual(lines.joined(separator: " ").split(separator: " ").joined(), text.split(whereSeparator: \.isWhitespace).joined())
        XCTAssertTrue(lines.contains(""), "the blank line between paragraphs stays")
    }

    func testALongFileNameBreaksAfterAHyphenWhenOneFits() {
        let font = Fixtures.fonts.regular
        let lines = FlowLayout.wrap("foto-tvättstugan-från-söder-med-ett-långt-filnamn.jpg", width: 100, measure: { font.width(of: $0, size: 10) })
        XCTAssertGreaterThan(lines.count, 1)
        for line in lines.dropLast() { XCTAssertTrue(line.hasSuffix("-"), line) }
        XCTAssertEqual(lines.joined(), "foto-tvättstugan-från-söder-med-ett-långt-filnamn.jpg")
    }

    func testEncodingHandsOutCIDsInOrderOfFirstUse() {
        let font = EmbeddedFont(font: Fixtures.fonts.regular, resourceName: "F1")
        XCTAssertEqual(font.encode("abba"), "<0001000200020001>")
        XCTAssertEqual(font.encode("c\u{E000}"), "<00030000>", "a character the font lacks is .notdef")
        let cmap = font.toUnicodeCMap()
        XCTAssertTrue(cmap.contains("<0001> <0061>"))
        XCTAssertTrue(cmap.contains("<0003> <0063>"))
        XCTAssertTrue(cmap.contains("3 beginbfchar"))
    }

    static func sampleReport(messages: Int, logo: [UInt8]? = nil) -> CaseReport {
        CaseReport(
            title: "Case 1042 – åäöÆØ Łukasz Čapek",
            details: [("Status", "Open"), ("Customer", "Brf Solgläntan"), ("Empty", "")],
            descriptionHeading: "Description", description: "The pipe leaks.\nAgain.",
            messagesHeading: "Messages", noMessages: "No messages.",
            messages: (1...max(messages, 1)).prefix(messages).map { number in
                CaseReport.Message(author: "Łukasz Čapek", date: "2026-12-0\(number % 9 + 1) 10:00",
                                   body: "Message number \(number). " + String(repeating: "Lorem ipsum dolor sit amet, åäö. ", count: number % 7 == 0 ? 40 : 2))
            },
            files: .init(heading: "Files", columns: [.init("Name", fraction: 0.5), .init("Size", fraction: 0.2, alignRight: true), .init("Uploaded by", fraction: 0.3)],
                         rows: (1...30).map { ["photo-\($0).jpg", "\($0) kB", "Anna Ørsted"] }),
            noFiles: "No files.",
            footer: "Fastighetsservice AB · 2026-12-04",
            pageLabel: { "Page \($0) of \($1)" },
            logo: logo)
    }
}
