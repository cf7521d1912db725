import Foundation

/// A TrueType font file read for the PDF writer: the tables it needs to measure text (cmap, hmtx),
/// to describe the font (head, hhea, OS/2, post, name) and to cut a subset (loca, glyf, maxp).
/// Only `glyf` outlines are supported (TrueType, not CFF), which is what DejaVu Sans is.
public struct TrueTypeFont: Sendable {
    public enum ReadError: Error, Equatable {
        case truncated
        case missingTable(String)
        case unsupported(String)
    }

    /// The whole file; tables are read from it in place.
    let data: [UInt8]
    /// Table tag → (offset, length) in `data`.
    let tables: [String: Range<Int>]

    public let unitsPerEm: Int
    public let numGlyphs: Int
    /// head's font bounding box, in font units.
    public let boundingBox: (xMin: Int, yMin: Int, xMax: Int, yMax: Int)
    public let ascender: Int
    public let descender: Int
    public let capHeight: Int
    public let italicAngle: Double
    public let postScriptName: String
    /// hmtx advance widths, one per glyph (the last width repeats past `numberOfHMetrics`).
    let advances: [UInt16]
    let leftSideBearings: [Int16]
    /// loca: glyph i's outline is `glyf[glyphOffsets[i] ..< glyphOffsets[i + 1]]`.
    let glyphOffsets: [Int]
    /// Unicode scalar → glyph id, from the best Unicode cmap subtable (format 12, else format 4).
    let characterMap: [UInt32: UInt16]

    public init(data: [UInt8]) throws {
        self.data = data
        let reader = ByteReader(data)
        let version = try reader.u32(at: 0)
        guard version == 0x0001_0000 || version == 0x7472_7565 /* 'true' */ else {
            throw ReadError.unsupported("not a TrueType font (OpenType with CFF outlines is not supported)")
        }
        let count = Int(try reader.u16(at: 4))
        var tables: [String: Range<Int>] = [:]
        for index in 0..<count {
            let entry = 12 + 16 * index
            let tag = String(decoding: try reader.bytes(at: entry, count: 4), as: UTF8.self)
            let offset = Int(try reader.u32(at: entry + 8)), length = Int(try reader.u32(at: entry + 12))
            guard offset + length <= data.count else { throw ReadError.truncated }
            tables[tag] = offset..<(offset + length)
        }
        self.tables = tables
        func table(_ tag: String) throws -> Int {
            guard let range = tables[tag] else { throw ReadError.missingTable(tag) }
            return range.lowerBound
        }

        let head = try table("head")
        unitsPerEm = Int(try reader.u16(at: head + 18))
        boundingBox = (Int(try reader.i16(at: head + 36)), Int(try reader.i16(at: head + 38)),
                       Int(try reader.i16(at: head + 40)), Int(try reader.i16(at: head + 42)))
        let longOffsets = try reader.i16(at: head + 50) == 1

        let maxp = try table("maxp")
        numGlyphs = Int(try reader.u16(at: maxp + 4))

        let hhea = try table("hhea")
        let hheaAscender = Int(try reader.i16(at: hhea + 4)), hheaDescender = Int(try reader.i16(at: hhea + 6))
        let metricCount = Int(try reader.u16(at: hhea + 34))
        guard metricCount >= 1, metricCount <= numGlyphs else { throw ReadError.unsupported("hhea.numberOfHMetrics") }

        let hmtx = try table("hmtx")
        var advances = [UInt16](), bearings = [Int16]()
        advances.reserveCapacity(numGlyphs)
        for glyph in 0..<numGlyphs {
            if glyph < metricCount {
                advances.append(try reader.u16(at: hmtx + 4 * glyph))
                bearings.append(try reader.i16(at: hmtx + 4 * glyph + 2))
            } else {
                advances.append(advances[metricCount - 1])
                bearings.append(try reader.i16(at: hmtx + 4 * metricCount + 2 * (glyph - metricCount)))
            }
        }
        self.advances = advances
        leftSideBearings = bearings

        let loca = try table("loca")
        _ = try table("glyf")
        var offsets = [Int]()
        offsets.reserveCapacity(numGlyphs + 1)
        for glyph in 0...numGlyphs {
            offsets.append(longOffsets ? Int(try reader.u32(at: loca + 4 * glyph)) : 2 * Int(try reader.u16(at: loca + 2 * glyph)))
        }
        self.glyphOffsets = offsets

        // OS/2 has the typographic metrics and the cap height; without it, hhea's values serve.
        if let os2 = tables["OS/2"]?.lowerBound {
            ascender = Int(try reader.i16(at: os2 + 68))
            descender = Int(try reader.i16(at: os2 + 70))
            let os2Version = try reader.u16(at: os2)
            capHeight = os2Version >= 2 ? Int(try reader.i16(at: os2 + 88)) : ascender
        } else {
            ascender = hheaAscender
            descender = hheaDescender
            capHeight = hheaAscender
        }
        if let post = tables["post"]?.lowerBound {
            italicAngle = Double(try reader.i32(at: post + 4)) / 65536
        } else {
            italicAngle = 0
        }
        characterMap = try Self.readCharacterMap(reader, at: try table("cmap"))
        postScriptName = (try? Self.readPostScriptName(reader, tables: tables)) ?? "Font"
    }

    // MARK: Look-ups

    /// The glyph for a character, 0 (.notdef) when the font has none.
    public func glyph(for scalar: Unicode.Scalar) -> UInt16 { characterMap[scalar.value] ?? 0 }

    /// A glyph's advance width in font units.
    public func advance(of glyph: UInt16) -> Int {
        Int(glyph) < advances.count ? Int(advances[Int(glyph)]) : 0
    }

    /// A glyph's advance in thousandths of the em, the unit of PDF widths.
    public func pdfWidth(of glyph: UInt16) -> Int {
        (advance(of: glyph) * 1000 + unitsPerEm / 2) / unitsPerEm
    }

    /// The width of a text in points at a font size (no kerning; the writer does not shape text).
    public func width(of text: String, size: Double) -> Double {
        var units = 0
        for scalar in text.unicodeScalars { units += advance(of: glyph(for: scalar)) }
        return Double(units) * size / Double(unitsPerEm)
    }

    /// The raw outline of a glyph (empty for glyphs without contours, such as the space).
    func outline(of glyph: UInt16) -> ArraySlice<UInt8> {
        let index = Int(glyph)
        guard index < numGlyphs, let glyf = tables["glyf"] else { return [] }
        let start = glyf.lowerBound + glyphOffsets[index], end = glyf.lowerBound + glyphOffsets[index + 1]
        guard start <= end, end <= glyf.upperBound else { return [] }
        return data[start..<end]
    }

    /// The glyphs a composite glyph is built from (empty for a simple glyph).
    public func components(of glyph: UInt16) -> [UInt16] {
        CompositeGlyph.components(in: outline(of: glyph)).map(\.glyph)
    }

    func table(_ tag: String) -> ArraySlice<UInt8>? {
        tables[tag].map { data[$0] }
    }

    // MARK: cmap

    static func readCharacterMap(_ reader: ByteReader, at cmap: Int) throws -> [UInt32: UInt16] {
        let count = Int(try reader.u16(at: cmap + 2))
        var format4: Int?, format12: Int?
        for index in 0..<count {
            let record = cmap + 4 + 8 * index
            let platform = try reader.u16(at: record), encoding = try reader.u16(at: record + 2)
            let offset = cmap + Int(try reader.u32(at: record + 4))
            let format = try reader.u16(at: offset)
            // Unicode platform (0), or Windows (3) with BMP (1) / full repertoire (10).
            let unicode = platform == 0 || (platform == 3 && (encoding == 1 || encoding == 10))
            guard unicode else { continue }
            if format == 12 { format12 = offset }
            if format == 4, format4 == nil { format4 = offset }
        }
        if let offset = format12 { return try readFormat12(reader, at: offset) }
        if let offset = format4 { return try readFormat4(reader, at: offset) }
        throw ReadError.unsupported("no Unicode cmap subtable of format 4 or 12")
    }

    static func readFormat4(_ reader: ByteReader, at offset: Int) throws -> [UInt32: UInt16] {
        let segments = Int(try reader.u16(at: offset + 6)) / 2
        let ends = offset + 14, starts = ends + 2 * segments + 2
        let deltas = starts + 2 * segments, rangeOffsets = deltas + 2 * segments
        var map: [UInt32: UInt16] = [:]
        for segment in 0..<segments {
            let end = Int(try reader.u16(at: ends + 2 * segment)), start = Int(try reader.u16(at: starts + 2 * segment))
            let delta = Int(try reader.u16(at: deltas + 2 * segment))
            let rangeOffsetAt = rangeOffsets + 2 * segment
            let rangeOffset = Int(try reader.u16(at: rangeOffsetAt))
            guard start <= end, start != 0xFFFF else { continue }
            for code in start...end {
                let glyph: Int
                if rangeOffset == 0 {
                    glyph = (code + delta) & 0xFFFF
                } else {
                    // The offset is relative to the rangeOffset entry itself (the format's odd idiom).
                    let at = rangeOffsetAt + rangeOffset + 2 * (code - start)
                    let raw = Int(try reader.u16(at: at))
                    glyph = raw == 0 ? 0 : (raw + delta) & 0xFFFF
                }
                if glyph != 0 { map[UInt32(code)] = UInt16(glyph) }
            }
        }
        return map
    }

    static func readFormat12(_ reader: ByteReader, at offset: Int) throws -> [UInt32: UInt16] {
        let groups = Int(try reader.u32(at: offset + 12))
        var map: [UInt32: UInt16] = [:]
        for group in 0..<groups {
            let record = offset + 16 + 12 * group
            let start = try reader.u32(at: record), end = try reader.u32(at: record + 4)
            let first = try reader.u32(at: record + 8)
            guard start <= end, end <= 0x10FFFF, end - start < 0x10000 else { continue }
            for code in start...end {
                let glyph = first + (code - start)
                if glyph != 0, glyph <= 0xFFFF { map[code] = UInt16(glyph) }
            }
        }
        return map
    }

    // MARK: name

    static func readPostScriptName(_ reader: ByteReader, tables: [String: Range<Int>]) throws -> String? {
        guard let name = tables["name"]?.lowerBound else { return nil }
        let count = Int(try reader.u16(at: name + 2)), storage = name + Int(try reader.u16(at: name + 4))
        for index in 0..<count {
            let record = name + 6 + 12 * index
            guard try reader.u16(at: record + 6) == 6 else { continue } // name id 6: PostScript name
            let platform = try reader.u16(at: record)
            let length = Int(try reader.u16(at: record + 8)), offset = Int(try reader.u16(at: record + 10))
            let bytes = try reader.bytes(at: storage + offset, count: length)
            let text: String
            if platform == 3 || platform == 0 {
                var units = [UInt16]()
                for pair in stride(from: 0, to: bytes.count - 1, by: 2) { units.append(UInt16(bytes[pair]) << 8 | UInt16(bytes[pair + 1])) }
                text = String(decoding: units, as: UTF16.self)
            } else {
                text = String(decoding: bytes, as: UTF8.self)
            }
            // A PDF name may not hold spaces or delimiters; PostScript names never should.
            let clean = text.unicodeScalars.filter { $0.isASCII && $0.value > 32 && !"()<>[]{}/%#".unicodeScalars.contains($0) }
            if !clean.isEmpty { return String(String.UnicodeScalarView(clean)) }
        }
        return nil
    }
}

/// The components of a composite glyph (glyf flags per the TrueType spec) and where each one's glyph
/// index sits, so a subset can renumber them in place.
enum CompositeGlyph {
    struct Component {
        var glyph: UInt16
        /// Offset of the glyph index within the outline.
        var indexOffset: Int
    }

    static let argsAreWords: UInt16 = 0x0001
    static let haveScale: UInt16 = 0x0008
    static let moreComponents: UInt16 = 0x0020
    static let haveXYScale: UInt16 = 0x0040
    static let haveTwoByTwo: UInt16 = 0x0080

    static func components(in outline: ArraySlice<UInt8>) -> [Component] {
        let bytes = Array(outline)
        guard bytes.count >= 10 else { return [] }
        let contours = Int16(bitPattern: UInt16(bytes[0]) << 8 | UInt16(bytes[1]))
        guard contours < 0 else { return [] }
        var result = [Component]()
        var at = 10
        while at + 4 <= bytes.count {
            let flags = UInt16(bytes[at]) << 8 | UInt16(bytes[at + 1])
            let glyph = UInt16(bytes[at + 2]) << 8 | UInt16(bytes[at + 3])
            result.append(Component(glyph: glyph, indexOffset: at + 2))
            at += 4 + (flags & argsAreWords != 0 ? 4 : 2)
            if flags & haveScale != 0 { at += 2 } else if flags & haveXYScale != 0 { at += 4 } else if flags & haveTwoByTwo != 0 { at += 8 }
            if flags & moreComponents == 0 { break }
        }
        return result
    }
}

/// Big-endian reads with bounds checks (a damaged font is an error, never a crash).
struct ByteReader {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func u16(at offset: Int) throws -> UInt16 {
        guard offset >= 0, offset + 2 <= bytes.count else { throw TrueTypeFont.ReadError.truncated }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }
    func i16(at offset: Int) throws -> Int16 { Int16(bitPattern: try u16(at: offset)) }
    func u32(at offset: Int) throws -> UInt32 {
        guard offset >= 0, offset + 4 <= bytes.count else { throw TrueTypeFont.ReadError.truncated }
        return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }
    func i32(at offset: Int) throws -> Int32 { Int32(bitPattern: try u32(at: offset)) }
    func bytes(at offset: Int, count: Int) throws -> ArraySlice<UInt8> {
        guard offset >= 0, count >= 0, offset + count <= bytes.count else { throw TrueTypeFont.ReadError.truncated }
        return bytes[offset..<(offset + count)]
    }
}
