import Foundation

/// One TrueType font as a document uses it: text is encoded as 2-byte CIDs handed out in order of
/// first use (CID n = glyph n of the subset, so CIDToGIDMap is /Identity), and at the end the font is
/// written as a Type0 font with Identity-H encoding over a CIDFontType2 holding the subset, its widths
/// and a ToUnicode CMap (so text can be searched and copied). ISO 32000-1, 9.7 and 9.10.
public final class EmbeddedFont {
    public let font: TrueTypeFont
    /// The resource name in content streams (/F1).
    public let resourceName: String
    /// Original glyph id → CID; CIDs start at 1 (0 is .notdef).
    private var cids: [UInt16: UInt16] = [:]
    /// In CID order: the original glyph of CID i + 1.
    private var glyphs: [UInt16] = []
    /// CID → the text it stands for (the first character that produced the glyph).
    private var unicode: [UInt16: String] = [:]

    public init(font: TrueTypeFont, resourceName: String) {
        self.font = font
        self.resourceName = resourceName
    }

    /// The text as a hex string of CIDs for `Tj`, recording the glyphs used.
    public func encode(_ text: String) -> String {
        var hex = [UInt8]()
        hex.reserveCapacity(2 + 4 * text.unicodeScalars.count)
        hex.append(UInt8(ascii: "<"))
        for scalar in text.unicodeScalars {
            // Control characters (a stray tab or CR) have no glyph; the layout removes line breaks.
            if scalar.value < 0x20 { continue }
            let glyph = font.glyph(for: scalar)
            let cid: UInt16
            if glyph == 0 {
                cid = 0
            } else if let known = cids[glyph] {
                cid = known
            } else {
                glyphs.append(glyph)
                cid = UInt16(glyphs.count)
                cids[glyph] = cid
                unicode[cid] = String(scalar)
            }
            for shift in [12, 8, 4, 0] { hex.append(Self.hexDigits[Int(cid >> UInt16(shift) & 0xF)]) }
        }
        hex.append(UInt8(ascii: ">"))
        return String(decoding: hex, as: UTF8.self)
    }

    public func width(of text: String, size: Double) -> Double { font.width(of: text, size: size) }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// Writes the font's objects; `fontObject` (reserved by the caller, named in the pages' resources)
    /// becomes the Type0 font.
    public func write(into writer: inout PDFObjectWriter, fontObject: Int) {
        let subset = TrueTypeSubset(font: font, glyphs: glyphs)
        let descendant = writer.reserve(), descriptor = writer.reserve()
        let file = writer.reserve(), toUnicode = writer.reserve()
        let name = "\(subsetTag())+\(font.postScriptName)"
        let scale = { (units: Int) in (units * 1000) / self.font.unitsPerEm }

        writer.write(fontObject, "<< /Type /Font /Subtype /Type0 /BaseFont /\(name) /Encoding /Identity-H /DescendantFonts [\(descendant) 0 R] /ToUnicode \(toUnicode) 0 R >>")
        // Widths of CIDs 1…n in one run; CID 0 falls back to /DW.
        let widths = glyphs.map { String(font.pdfWidth(of: $0)) }.joined(separator: " ")
        writer.write(descendant, """
            << /Type /Font /Subtype /CIDFontType2 /BaseFont /\(name) \
            /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
            /FontDescriptor \(descriptor) 0 R /DW \(font.pdfWidth(of: 0)) /W [1 [\(widths)]] /CIDToGIDMap /Identity >>
            """)
        let box = font.boundingBox
        // Flags 32: non-symbolic (Latin text); 4 would claim a symbol font.
        writer.write(descriptor, """
            << /Type /FontDescriptor /FontName /\(name) /Flags 32 \
            /FontBBox [\(scale(box.xMin)) \(scale(box.yMin)) \(scale(box.xMax)) \(scale(box.yMax))] \
            /ItalicAngle \(PDFSyntax.number(font.italicAngle)) /Ascent \(scale(font.ascender)) /Descent \(scale(font.descender)) \
            /CapHeight \(scale(font.capHeight)) /StemV 80 /FontFile2 \(file) 0 R >>
            """)
        writer.writeStream(file, dictionary: "/Length1 \(subset.data.count)", data: subset.data)
        writer.writeStream(toUnicode, data: Array(toUnicodeCMap().utf8))
    }

    /// Six capital letters naming this subset (ISO 32000-1, 9.6.4), derived from the glyphs it holds
    /// so the same text gives the same name.
    func subsetTag() -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 // FNV-1a
        for glyph in glyphs {
            hash = (hash ^ UInt64(glyph)) &* 0x100_0000_01b3
        }
        for byte in font.postScriptName.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        var tag = ""
        for _ in 0..<6 {
            tag.append(Character(Unicode.Scalar(UInt8(65 + hash % 26))))
            hash /= 26
        }
        return tag
    }

    /// The CMap that maps each CID back to its text (9.10.3), 100 entries per bfchar block.
    func toUnicodeCMap() -> String {
        var lines = [
            "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
            "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange",
        ]
        let entries = (1...max(glyphs.count, 1)).compactMap { cid -> String? in
            guard cid <= glyphs.count, let text = unicode[UInt16(cid)] else { return nil }
            let utf16 = text.utf16.map { String(format: "%04X", $0) }.joined()
            return String(format: "<%04X> <", cid) + utf16 + ">"
        }
        var start = 0
        while start < entries.count {
            let block = entries[start..<min(start + 100, entries.count)]
            lines.append("\(block.count) beginbfchar")
            lines += block
            lines.append("endbfchar")
            start += 100
        }
        lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
        return lines.joined(separator: "\n") + "\n"
    }
}
