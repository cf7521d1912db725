import Foundation

/// Writes the bytes of a PDF file: numbered indirect objects, each one's byte offset remembered for
/// the cross-reference table, then the trailer (ISO 32000-1, 7.5). Object numbers are reserved first
/// and written in any order, so a page can name its parent before the page tree is written.
public struct PDFObjectWriter {
    public private(set) var bytes: [UInt8]
    /// offsets[n - 1] is object n's byte offset; nil while reserved but not yet written.
    public private(set) var offsets: [Int?] = []
    /// FlateDecode streams when true (false makes content streams readable while debugging).
    public var compress = true

    public init() {
        // The binary comment marks the file as 8-bit for transfer programs (7.5.2).
        bytes = Array("%PDF-1.7\n%\u{E2}\u{E3}\u{CF}\u{D3}\n".utf8)
    }

    public mutating func reserve() -> Int {
        offsets.append(nil)
        return offsets.count
    }

    public mutating func write(_ number: Int, _ body: String) {
        begin(number)
        append(body)
        append("\nendobj\n")
    }

    /// A stream object; `dictionary` holds the entries besides /Length and /Filter (without << >>).
    public mutating func writeStream(_ number: Int, dictionary: String = "", data: [UInt8], alreadyFiltered: String? = nil) {
        var content = data, filter = alreadyFiltered
        if filter == nil, compress, data.count > 64 {
            content = Zlib.deflate(data)
            filter = "/FlateDecode"
        }
        begin(number)
        append("<< \(dictionary)\(filter.map { " /Filter \($0)" } ?? "") /Length \(content.count) >>\nstream\n")
        bytes += content
        append("\nendstream\nendobj\n")
    }

    private mutating func begin(_ number: Int) {
        precondition(number >= 1 && number <= offsets.count && offsets[number - 1] == nil, "object \(number) not reserved or written twice")
        offsets[number - 1] = bytes.count
        append("\(number) 0 obj\n")
    }

    private mutating func append(_ text: String) { bytes += Array(text.utf8) }

    /// The cross-reference table and trailer; every reserved object must have been written.
    public mutating func finish(root: Int, info: Int?) -> [UInt8] {
        let start = bytes.count
        append("xref\n0 \(offsets.count + 1)\n0000000000 65535 f\r\n")
        for offset in offsets {
            guard let offset else { preconditionFailure("a reserved object was never written") }
            // Each entry is exactly 20 bytes: 10-digit offset, space, 5-digit generation, space, n, CR LF.
            append(String(format: "%010d 00000 n\r\n", offset))
        }
        append("trailer\n<< /Size \(offsets.count + 1) /Root \(root) 0 R\(info.map { " /Info \($0) 0 R" } ?? "") >>\nstartxref\n\(start)\n%%EOF\n")
        return bytes
    }
}

/// PDF syntax for values the writer puts in dictionaries and content streams.
public enum PDFSyntax {
    /// A number without exponent and with at most 3 decimals ("12.5", "0", "-3.25").
    public static func number(_ value: Double) -> String {
        let rounded = (value * 1000).rounded() / 1000
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        var text = String(format: "%.3f", rounded)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }

    /// A text string (document information): UTF-16BE with a byte-order mark, hex-encoded, so any
    /// character survives without escaping rules.
    public static func textString(_ text: String) -> String {
        var hex = "<FEFF"
        for unit in text.utf16 { hex += String(format: "%04X", unit) }
        return hex + ">"
    }

    /// A date as D:YYYYMMDDHHmmSSZ.
    public static func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMddHHmmss"
        return "(D:\(formatter.string(from: date))Z)"
    }
}
