import Foundation

/// Cuts a TrueType font down to the glyphs a document uses. The subset's glyph ids are renumbered:
/// 0 stays .notdef, then the requested glyphs in the order given (so a PDF can use the new ids as
/// CIDs with an Identity CIDToGIDMap), then any components of composite glyphs that were not asked
/// for. Composite glyphs have their component indices rewritten to the new numbering.
///
/// The subset keeps the tables a PDF viewer's TrueType rasteriser needs (head, hhea, maxp, hmtx, loca,
/// glyf, post as format 3, and the hinting tables cvt/fpgm/prep and OS/2 when present), and a cmap
/// (format 4) for the kept characters of the Basic Multilingual Plane. A PDF maps codes to glyphs
/// itself (CIDToGIDMap, ISO 32000-1, 9.7.4), but with a cmap the subset is a whole font of its own.
public struct TrueTypeSubset: Sendable {
    /// The new font file.
    public let data: [UInt8]
    /// Original glyph id → subset glyph id, for every glyph in the subset.
    public let newGlyphIds: [UInt16: UInt16]
    /// Original glyph ids in subset order (index = new id).
    public let originalGlyphIds: [UInt16]

    public init(font: TrueTypeFont, glyphs requested: [UInt16]) {
        // Order: .notdef, the requested glyphs, then composite components (transitively).
        var order: [UInt16] = [0]
        var seen: Set<UInt16> = [0]
        for glyph in requested where Int(glyph) < font.numGlyphs && seen.insert(glyph).inserted { order.append(glyph) }
        var index = 0
        while index < order.count {
            for component in font.components(of: order[index]) where Int(component) < font.numGlyphs && seen.insert(component).inserted {
                order.append(component)
            }
            index += 1
        }
        var newIds: [UInt16: UInt16] = [:]
        for (new, old) in order.enumerated() { newIds[old] = UInt16(new) }

        // glyf and loca (long offsets, each outline padded to 4 bytes).
        var glyf = [UInt8](), loca = [UInt8]()
        for old in order {
            loca.appendU32(UInt32(glyf.count))
            var outline = Array(font.outline(of: old))
            for component in CompositeGlyph.components(in: font.outline(of: old)) {
                let new = newIds[component.glyph] ?? 0
                outline[component.indexOffset] = UInt8(new >> 8)
                outline[component.indexOffset + 1] = UInt8(new & 0xFF)
            }
            glyf += outline
            while glyf.count % 4 != 0 { glyf.append(0) }
        }
        loca.appendU32(UInt32(glyf.count))

        var hmtx = [UInt8]()
        for old in order {
            hmtx.appendU16(UInt16(font.advance(of: old)))
            hmtx.appendU16(UInt16(bitPattern: font.leftSideBearings[Int(old)]))
        }

        var head = Array(font.table("head") ?? [])
        head.setU32(0, at: 8)            // checkSumAdjustment, set once the file is whole
        head.setU16(1, at: 50)           // indexToLocFormat: long
        var hhea = Array(font.table("hhea") ?? [])
        hhea.setU16(UInt16(order.count), at: 34)
        var maxp = Array(font.table("maxp") ?? [])
        maxp.setU16(UInt16(order.count), at: 4)
        // post format 3: the header only, no glyph names.
        var post = Array((font.table("post") ?? []).prefix(32))
        if post.count == 32 { post.setU32(0x0003_0000, at: 0) }

        var tables: [(String, [UInt8])] = [
            ("head", head), ("hhea", hhea), ("maxp", maxp), ("hmtx", hmtx), ("loca", loca), ("glyf", glyf),
        ]
        if post.count == 32 { tables.append(("post", post)) }
        tables.append(("cmap", Self.characterMap(font: font, newIds: newIds)))
        for tag in ["cvt ", "fpgm", "prep", "OS/2"] {
            if let table = font.table(tag) { tables.append((tag, Array(table))) }
        }
        var file = Self.assemble(tables)
        // head.checkSumAdjustment makes the whole file sum to 0xB1B0AFBA.
        if let headOffset = Self.tableOffset(in: file, tag: "head") {
            let adjustment = 0xB1B0_AFBA &- Self.checksum(file[...])
            file.setU32(adjustment, at: headOffset + 8)
        }
        data = file
        newGlyphIds = newIds
        originalGlyphIds = order
    }

    /// A cmap with one Windows Unicode BMP subtable (format 4): runs of consecutive characters on
    /// consecutive new glyph ids become one segment with a delta.
    static func characterMap(font: TrueTypeFont, newIds: [UInt16: UInt16]) -> [UInt8] {
        let pairs = font.characterMap.compactMap { code, old -> (UInt32, UInt16)? in
            guard code < 0xFFFF, let new = newIds[old], new != 0 else { return nil }
            return (code, new)
        }.sorted { $0.0 < $1.0 }
        var segments: [(start: UInt32, end: UInt32, delta: UInt16)] = []
        for (code, glyph) in pairs {
            let delta = UInt16(truncatingIfNeeded: Int(glyph) - Int(code))
            if let last = segments.last, last.end + 1 == code, last.delta == delta {
                segments[segments.count - 1].end = code
            } else {
                segments.append((code, code, delta))
            }
        }
        segments.append((0xFFFF, 0xFFFF, 1))
        let count = segments.count
        var power = 1, log = 0
        while power * 2 <= count { power *= 2; log += 1 }
        var subtable = [UInt8]()
        subtable.appendU16(4)
        subtable.appendU16(UInt16(16 + 8 * count))
        subtable.appendU16(0)
        subtable.appendU16(UInt16(2 * count))
        subtable.appendU16(UInt16(2 * power))
        subtable.appendU16(UInt16(log))
        subtable.appendU16(UInt16(2 * count - 2 * power))
        for segment in segments { subtable.appendU16(UInt16(segment.end)) }
        subtable.appendU16(0)
        for segment in segments { subtable.appendU16(UInt16(segment.start)) }
        for segment in segments { subtable.appendU16(segment.delta) }
        for _ in segments { subtable.appendU16(0) }
        var table = [UInt8]()
        table.appendU16(0)
        table.appendU16(1)
        table.appendU16(3)  // Windows
        table.appendU16(1)  // Unicode BMP
        table.appendU32(12)
        return table + subtable
    }

    /// The sfnt wrapper: offset table, table records sorted by tag, tables 4-byte aligned.
    static func assemble(_ unsorted: [(String, [UInt8])]) -> [UInt8] {
        let tables = unsorted.sorted { $0.0 < $1.0 }
        var power = 1, log = 0
        while power * 2 <= tables.count { power *= 2; log += 1 }
        var file = [UInt8]()
        file.appendU32(0x0001_0000)
        file.appendU16(UInt16(tables.count))
        file.appendU16(UInt16(power * 16))
        file.appendU16(UInt16(log))
        file.appendU16(UInt16(tables.count * 16 - power * 16))
        var offset = 12 + 16 * tables.count
        var body = [UInt8]()
        for (tag, bytes) in tables {
            file += Array(tag.utf8)
            file.appendU32(checksum(bytes[...]))
            file.appendU32(UInt32(offset))
            file.appendU32(UInt32(bytes.count))
            body += bytes
            while body.count % 4 != 0 { body.append(0) }
            offset = 12 + 16 * tables.count + body.count
        }
        return file + body
    }

    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var sum: UInt32 = 0
        var index = bytes.startIndex
        while index < bytes.endIndex {
            var word: UInt32 = 0
            for shift in 0..<4 {
                let byte = index + shift < bytes.endIndex ? bytes[index + shift] : 0
                word |= UInt32(byte) << (24 - 8 * UInt32(shift))
            }
            sum = sum &+ word
            index += 4
        }
        return sum
    }

    static func tableOffset(in file: [UInt8], tag: String) -> Int? {
        let reader = ByteReader(file)
        guard let count = try? reader.u16(at: 4) else { return nil }
        for index in 0..<Int(count) {
            let entry = 12 + 16 * index
            if let name = try? reader.bytes(at: entry, count: 4), Array(name) == Array(tag.utf8),
               let offset = try? reader.u32(at: entry + 8) {
                return Int(offset)
            }
        }
        return nil
    }
}

extension Array where Element == UInt8 {
    mutating func appendU16(_ value: UInt16) { append(UInt8(value >> 8)); append(UInt8(value & 0xFF)) }
    mutating func appendU32(_ value: UInt32) {
        append(UInt8(value >> 24)); append(UInt8(value >> 16 & 0xFF)); append(UInt8(value >> 8 & 0xFF)); append(UInt8(value & 0xFF))
    }
    mutating func setU16(_ value: UInt16, at offset: Int) {
        guard offset + 2 <= count else { return }
        self[offset] = UInt8(value >> 8); self[offset + 1] = UInt8(value & 0xFF)
    }
    mutating func setU32(_ value: UInt32, at offset: Int) {
        guard offset + 4 <= count else { return }
        self[offset] = UInt8(value >> 24); self[offset + 1] = UInt8(value >> 16 & 0xFF)
        self[offset + 2] = UInt8(value >> 8 & 0xFF); self[offset + 3] = UInt8(value & 0xFF)
    }
}
