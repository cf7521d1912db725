@testable import CaseportPDF
import Foundation
import XCTest

final class TrueTypeFontTests: XCTestCase {
    func testReadsDejaVuSans() throws {
        let font = Fixtures.fonts.regular
        XCTAssertEqual(font.unitsPerEm, 2048)
        XCTAssertEqual(font.postScriptName, "DejaVuSans")
        XCTAssertGreaterThan(font.numGlyphs, 5000)
        XCTAssertEqual(Fixtures.fonts.bold.postScriptName, "DejaVuSans-Bold")
    }

    func testCharacterMapFindsTheLettersOfTheNordicAndCentralEuropeanNames() {
        let font = Fixtures.fonts.regular
        var seen = Set<UInt16>()
        for character in "åäöÆØŁukaszČapek".unicodeScalars {
            let glyph = font.glyph(for: character)
            XCTAssertNotEqual(glyph, 0, "no glyph for \(character)")
            seen.insert(glyph)
        }
        XCTAssertEqual(seen.count, Set("åäöÆØŁukaszČapek".unicodeScalars).count, "different letters, different glyphs")
        XCTAssertEqual(font.glyph(for: "\u{E000}"), 0, "a private-use character maps to .notdef")
        // The space is narrower than the capital M.
        XCTAssertLessThan(font.advance(of: font.glyph(for: " ")), font.advance(of: font.glyph(for: "M")))
    }

    /// A format 4 subtable built by hand: one delta segment (A–C), one segment through the glyph id
    /// array (x–y), and the closing 0xFFFF segment.
    func testFormat4Segments() throws {
        var table = [UInt8]()
        let segments = 3
        table.appendU16(4); table.appendU16(0); table.appendU16(0)
        table.appendU16(UInt16(segments * 2)); table.appendU16(0); table.appendU16(0); table.appendU16(0)
        for end in [0x43, 0x79, 0xFFFF] { table.appendU16(UInt16(end)) }
        table.appendU16(0) // reservedPad
        for start in [0x41, 0x78, 0xFFFF] { table.appendU16(UInt16(start)) }
        for delta in [UInt16(truncatingIfNeeded: 10 - 0x41), 0, 1] { table.appendU16(delta) }
        // idRangeOffset: segment 1 points to the glyph array that follows (2 entries after its own slot → 4 bytes).
        for offset in [0, 4, 0] { table.appendU16(UInt16(offset)) }
        table.appendU16(77); table.appendU16(0) // glyphs for x, y (0 = missing)
        let map = try TrueTypeFont.readFormat4(ByteReader(table), at: 0)
        XCTAssertEqual(map[0x41], 10)
        XCTAssertEqual(map[0x43], 12)
        XCTAssertEqual(map[0x78], 77)
        XCTAssertNil(map[0x79], "glyph 0 in the array means no glyph")
        XCTAssertNil(map[0x44])
        XCTAssertNil(map[0xFFFF])
    }

    func testFormat12Groups() throws {
        var table = [UInt8]()
        table.appendU16(12); table.appendU16(0); table.appendU32(0); table.appendU32(0)
        table.appendU32(2)
        for value in [UInt32(0x1F600), 0x1F602, 500, 0x41, 0x41, 7] { table.appendU32(value) }
        let map = try TrueTypeFont.readFormat12(ByteReader(table), at: 0)
        XCTAssertEqual(map[0x1F600], 500)
        XCTAssertEqual(map[0x1F602], 502)
        XCTAssertEqual(map[0x41], 7)
        XCTAssertEqual(map.count, 4)
    }

    func testDamagedFontsAreErrorsNotCrashes() {
        XCTAssertThrowsError(try TrueTypeFont(data: []))
        XCTAssertThrowsError(try TrueTypeFont(data: Array("OTTO and then nothing".utf8)))
        var cut = Array(Fixtures.fonts.regular.data.prefix(400))
        XCTAssertThrowsError(try TrueTypeFont(data: cut))
        cut = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0] + Array("head".utf8) + [0, 0, 0, 0, 0xFF, 0xFF, 0, 0, 0, 0, 0, 10]
        XCTAssertThrowsError(try TrueTypeFont(data: cut))
    }
}
