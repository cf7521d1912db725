@testable import CaseportPDF
import Foundation
import XCTest

final class ImageTests: XCTestCase {
    /// A 3×2 RGBA PNG, one row with the Sub filter, one with Paeth, and one translucent pixel.
    static func samplePNG(translucent: Bool = true) -> [UInt8] {
        func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
            var bytes = [UInt8](); bytes.appendU32(UInt32(body.count)); bytes += Array(type.utf8) + body; bytes.appendU32(0)
            return bytes // the CRC is not checked by the reader (nor needed for this test)
        }
        var header = [UInt8](); header.appendU32(3); header.appendU32(2); header += [8, 6, 0, 0, 0]
        let pixels: [[UInt8]] = [[255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255],
                                 [10, 20, 30, translucent ? 128 : 255, 40, 50, 60, 255, 70, 80, 90, 255]]
        // Row 0 with Sub (1): each byte minus the one 4 bytes left. Row 1 with Up (2).
        var raw = [UInt8]([1])
        for (i, byte) in pixels[0].enumerated() { raw.append(byte &- (i >= 4 ? pixels[0][i - 4] : 0)) }
        raw.append(2)
        for (i, byte) in pixels[1].enumerated() { raw.append(byte &- pixels[0][i]) }
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", header) + chunk("IDAT", Zlib.deflate(raw)) + chunk("IEND", [])
    }

    func testPNGIsUnfilteredIntoColourAndAlpha() throws {
        let image = try XCTUnwrap(PDFImage(data: Self.samplePNG()))
        XCTAssertEqual(image.width, 3)
        XCTAssertEqual(image.height, 2)
        guard case .raw(let rgb, let alpha) = image.pixels else { return XCTFail("not decoded") }
        XCTAssertEqual(rgb, [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90])
        XCTAssertEqual(alpha, [255, 255, 255, 128, 255, 255])
        guard case .raw(_, let none) = try XCTUnwrap(PDFImage(data: Self.samplePNG(translucent: false))).pixels else { return XCTFail() }
        XCTAssertNil(none, "an opaque PNG gets no soft mask")
    }

    func testJPEGSizeComesFromTheFrameHeader() throws {
        // SOI, an APP0 segment, SOF0 (8 bits, 40 high, 120 wide, 3 components).
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00,
                             0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00, 40, 0x00, 120, 0x03] + [UInt8](repeating: 0, count: 20)
        let image = try XCTUnwrap(PDFImage(data: jpeg))
        XCTAssertEqual(image.width, 120)
        XCTAssertEqual(image.height, 40)
        guard case .jpeg(_, let components) = image.pixels else { return XCTFail() }
        XCTAssertEqual(components, 3)
    }

    func testOtherFormatsAndDamageGiveNoImage() {
        XCTAssertNil(PDFImage(data: Array("GIF89a".utf8)))
        XCTAssertNil(PDFImage(data: [0xFF, 0xD8, 0xFF]))
        XCTAssertNil(PDFImage(data: Array(Self.samplePNG().prefix(40))))
    }
}
