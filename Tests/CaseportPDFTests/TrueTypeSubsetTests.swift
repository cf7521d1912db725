@testable import CaseportPDF
import Foundation
import XCTest

final class TrueTypeSubsetTests: XCTestCase {
    let font = Fixtures.fonts.regular

    func glyphs(_ text: String) -> [UInt16] {
        var seen = Set<UInt16>()
        return text.unicodeScalars.map { font.glyph(for: $0) }.filter { seen.insert($0).inserted }
    }

    func testKeepsNotdefAndTheUsedGlyphsInOrder() throws {
        let used = glyphs("Hello")
        let subset = TrueTypeSubset(font: font, glyphs: used)
        XCTAssertEqual(subset.originalGlyphIds, [0] + used, ".notdef first, then H e l o")
        let reread = try TrueTypeFont(data: subset.data)
        XCTAssertEqual(reread.numGlyphs, 5)
        for (new, old) in subset.originalGlyphIds.enumerated() {
            XCTAssertEqual(reread.advance(of: UInt16(new)), font.advance(of: old), "width of glyph \(old)")
            let original = Array(font.outline(of: old))
            XCTAssertEqual(Array(reread.outline(of: UInt16(new)).prefix(original.count)), original, "outline of glyph \(old)")
        }
        XCTAssertLessThan(subset.data.count, 20_000, "a subset of five glyphs is small (the font is \(font.data.count) bytes)")
    }

    func testCompositeGlyphsBringTheirComponentsRenumbered() throws {
        // Find letters DejaVu builds from components (accented letters usually are).
        let composites = "åäöÅÄÖČŁéü".unicodeScalars.map { font.glyph(for: $0) }.filter { !font.components(of: $0).isEmpty }
        let composite = try XCTUnwrap(composites.first, "DejaVu Sans has composite accented letters")
        let components = font.components(of: composite)
        XCTAssertGreaterThanOrEqual(components.count, 2)

        let subset = TrueTypeSubset(font: font, glyphs: [composite])
        let expected = Set([UInt16(0), composite]).union(components.flatMap { [$0] + font.components(of: $0) })
        XCTAssertEqual(Set(subset.originalGlyphIds), expected)
        XCTAssertEqual(subset.newGlyphIds[composite], 1, "the requested glyph comes first")

        let reread = try TrueTypeFont(data: subset.data)
        XCTAssertEqual(reread.numGlyphs, expected.count)
        let newComponents = reread.components(of: 1)
        XCTAssertEqual(newComponents, components.map { subset.newGlyphIds[$0]! }, "component indices point into the subset")
        for component in newComponents { XCTAssertLessThan(Int(component), reread.numGlyphs) }
    }

    func testTableChecksumsAndTheWholeFileChecksum() throws {
        let subset = TrueTypeSubset(font: font, glyphs: glyphs("åäöÆØ Łukasz Čapek"))
        XCTAssertEqual(TrueTypeSubset.checksum(subset.data[...]), 0xB1B0_AFBA, "head.checkSumAdjustment balances the file")
        let reader = ByteReader(subset.data)
        let count = Int(try reader.u16(at: 4))
        var tags = [String]()
        for index in 0..<count {
            let entry = 12 + 16 * index
            let tag = String(decoding: try reader.bytes(at: entry, count: 4), as: UTF8.self)
            tags.append(tag)
            let offset = Int(try reader.u32(at: entry + 8)), length = Int(try reader.u32(at: entry + 12))
            XCTAssertEqual(offset % 4, 0, "\(tag) is 4-byte aligned")
            if tag != "head" {
                XCTAssertEqual(TrueTypeSubset.checksum(subset.data[offset..<(offset + length)]), try reader.u32(at: entry + 4), tag)
            }
        }
        XCTAssertEqual(tags, tags.sorted())
        for required in ["head", "hhea", "maxp", "hmtx", "loca", "glyf", "post"] { XCTAssertTrue(tags.contains(required), required) }
    }

    func testUnknownGlyphIdsAreIgnored() throws {
        let subset = TrueTypeSubset(font: font, glyphs: [UInt16(font.numGlyphs + 5), 0, 0])
        XCTAssertEqual(subset.originalGlyphIds, [0])
        XCTAssertEqual(try TrueTypeFont(data: subset.data).numGlyphs, 1)
    }
}
