/// How an uploaded CSV file's bytes become text (D6). Nordic offices export from Excel, whose
/// "CSV (semicolon separated)" is Windows-1252, while other tools write UTF-8 with or without a BOM.
///
/// - A UTF-8 byte-order mark means UTF-8; bytes that are not UTF-8 after it are a problem that names
///   the line and column (found by `CSVTable` through the U+FFFD they decode to).
/// - Without a mark, a file that is valid UTF-8 is UTF-8 (Windows-1252 text with å, ä, ö is almost never
///   valid UTF-8: each of their bytes would have to follow a lead byte).
/// - Anything else is Windows-1252, a superset of ISO-8859-1's printable characters, so Latin-1 files
///   read the same. The table is written out here rather than asking Foundation, whose legacy encodings
///   differ between platforms (on Linux `.windowsCP1252` is not reliably available).
public enum CSVTextEncoding: String, Sendable, Equatable {
    case utf8
    case utf8WithBOM
    case windows1252
}

public enum CSVTextDecoding {
    /// The decoded text (BOM removed), the encoding it was read as, and whether a UTF-8 file with a BOM
    /// held bytes that are not UTF-8 (then `text` has U+FFFD in their place).
    public static func decode(_ bytes: some Collection<UInt8>) -> (text: String, encoding: CSVTextEncoding, invalid: Bool) {
        let bytes = Array(bytes)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            let body = bytes.dropFirst(3)
            let text = String(decoding: body, as: UTF8.self)
            return (text, .utf8WithBOM, !isValidUTF8(body))
        }
        if isValidUTF8(bytes[...]) { return (String(decoding: bytes, as: UTF8.self), .utf8, false) }
        var scalars = String.UnicodeScalarView()
        scalars.reserveCapacity(bytes.count)
        for byte in bytes { scalars.append(windows1252(byte)) }
        return (String(scalars), .windows1252, false)
    }

    /// True when `bytes` is well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF).
    static func isValidUTF8(_ bytes: ArraySlice<UInt8>) -> Bool {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    /// Windows-1252 bytes 0x80–0x9F; the five it leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) stay the
    /// C1 control of the same value, as ISO-8859-1 and the WHATWG encoding standard read them.
    static let high: [UInt32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, // 80–87
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F, // 88–8F
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, // 90–97
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178, // 98–9F
    ]

    /// One Windows-1252 byte as a Unicode scalar: 0x00–0x7F and 0xA0–0xFF are the same code point.
    public static func windows1252(_ byte: UInt8) -> Unicode.Scalar {
        if byte >= 0x80, byte <= 0x9F { return Unicode.Scalar(high[Int(byte - 0x80)])! }
        return Unicode.Scalar(byte)
    }
}
