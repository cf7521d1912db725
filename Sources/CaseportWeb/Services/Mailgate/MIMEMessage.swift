import Foundation

/// A small RFC 5322 / MIME reader for the mail gate (B7): headers (unfolded, RFC 2047 encoded words in
/// UTF-8, ISO-8859-1 and Windows-1252), multipart bodies of any depth, base64 and quoted-printable parts,
/// and attachment names (also RFC 2231 `filename*=`).
struct MIMEPart {
    var headers: [(name: String, value: String)]
    var body: [UInt8]
    var parts: [MIMEPart] = []

    func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    func allHeaders(_ name: String) -> [String] {
        headers.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }

    /// "text/plain" etc., lower-cased; text/plain when absent.
    var contentType: String {
        (header("Content-Type")?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
            ?? "text/plain"
    }

    func parameter(_ name: String, of headerName: String) -> String? {
        guard let header = header(headerName) else { return nil }
        return Self.parameters(header)[name.lowercased()]
    }

    var charset: String { parameter("charset", of: "Content-Type")?.lowercased() ?? "us-ascii" }

    var filename: String? {
        let raw = parameter("filename", of: "Content-Disposition") ?? parameter("name", of: "Content-Type")
        return raw.map { MIMEText.decodeHeader($0) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    var isAttachment: Bool {
        let disposition = header("Content-Disposition")?.lowercased() ?? ""
        if disposition.hasPrefix("attachment") { return true }
        if contentType.hasPrefix("multipart/") { return false }
        if filename != nil && !contentType.hasPrefix("text/") { return true }
        return !contentType.hasPrefix("text/") && !contentType.hasPrefix("multipart/") && contentType != "message/rfc822"
    }

    /// The body with its transfer encoding undone.
    var decodedBody: [UInt8] {
        switch header("Content-Transfer-Encoding")?.trimmingCharacters(in: .whitespaces).lowercased() {
        case "base64":
            let text = String(decoding: body, as: UTF8.self).filter { !$0.isWhitespace }
            return Data(base64Encoded: text, options: .ignoreUnknownCharacters).map { [UInt8]($0) } ?? []
        case "quoted-printable":
            return MIMEText.decodeQuotedPrintable(body)
        default:
            return body
        }
    }

    var text: String { MIMEText.decode(decodedBody, charset: charset) }

    // MARK: Parsing

    /// Deeper multipart nesting than this is kept as one opaque part. Real mail nests three or four
    /// levels (mixed › alternative › related); a message built of thousands of levels would otherwise
    /// cost time in the square of its size.
    static let deepestNesting = 12
    /// At most this many parts in one message; the rest are not read.
    static let mostParts = 500

    /// The whole message: headers and every part, within `deepestNesting` and `mostParts`.
    static func parse(_ bytes: [UInt8]) -> MIMEPart {
        var budget = mostParts
        return parse(bytes[...], depth: 0, budget: &budget)
    }

    private static func parse(_ bytes: ArraySlice<UInt8>, depth: Int, budget: inout Int) -> MIMEPart {
        let (headers, bodyStart) = parseHeaders(bytes)
        var part = MIMEPart(headers: headers, body: Array(bytes[bodyStart...]))
        if depth < deepestNesting, part.contentType.hasPrefix("multipart/"),
           let boundary = part.parameter("boundary", of: "Content-Type"), !boundary.isEmpty {
            for piece in split(part.body, boundary: boundary) {
                guard budget > 0 else { break }
                budget -= 1
                part.parts.append(parse(piece[...], depth: depth + 1, budget: &budget))
            }
        }
        return part
    }

    /// The header block only (unfolded), and where the body starts: what the mail gate reads before it
    /// has checked the reply token, so a forged message costs no MIME parsing.
    static func parseHeaders(_ bytes: ArraySlice<UInt8>) -> (headers: [(name: String, value: String)], bodyStart: Int) {
        // Headers end at the first empty line (CRLF CRLF or LF LF).
        var headerEnd = bytes.endIndex
        var bodyStart = bytes.endIndex
        var index = bytes.startIndex
        if bytes.starts(with: [0x0D, 0x0A]) || bytes.starts(with: [0x0A]) {
            headerEnd = bytes.startIndex
            bodyStart = bytes.startIndex + (bytes.starts(with: [0x0A]) ? 1 : 2)
        } else {
            while index < bytes.endIndex {
                if bytes[index] == 0x0A {
                    if index + 1 < bytes.endIndex, bytes[index + 1] == 0x0A { headerEnd = index; bodyStart = index + 2; break }
                    if index + 2 < bytes.endIndex, bytes[index + 1] == 0x0D, bytes[index + 2] == 0x0A {
                        headerEnd = index; bodyStart = index + 3; break
                    }
                }
                index += 1
            }
        }
        // Header bytes are ASCII by the standard; stray 8-bit bytes are read as Latin-1 rather than lost.
        let headerText = String(decoding: bytes[bytes.startIndex..<headerEnd], as: UTF8.self)
        var headers: [(name: String, value: String)] = []
        for rawLine in headerText.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine[...]
            if let first = line.first, first == " " || first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += " " + line.trimmingCharacters(in: .whitespaces)
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]).trimmingCharacters(in: .whitespaces),
                                String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
            }
        }
        return (headers, min(bodyStart, bytes.endIndex))
    }

    /// The parts between `--boundary` lines, up to `--boundary--`.
    static func split(_ body: [UInt8], boundary: String) -> [[UInt8]] {
        let marker = Array("--\(boundary)".utf8)
        var parts: [[UInt8]] = []
        var current: [UInt8]?
        var lineStart = 0
        func lineEnd(from start: Int) -> Int { body[start...].firstIndex(of: 0x0A) ?? body.count }
        while lineStart < body.count {
            let end = lineEnd(from: lineStart)
            var line = Array(body[lineStart..<end])
            if line.last == 0x0D { line.removeLast() }
            if line.starts(with: marker) {
                let rest = line.dropFirst(marker.count)
                if let finished = current {
                    parts.append(finished)
                }
                if rest.starts(with: [0x2D, 0x2D]) { current = nil; break }
                current = []
            } else if current != nil {
                current!.append(contentsOf: body[lineStart..<min(end + 1, body.count)])
            }
            lineStart = end + 1
        }
        if let unfinished = current { parts.append(unfinished) }
        // The line break before a boundary belongs to the boundary.
        return parts.map { part in
            var part = part
            if part.last == 0x0A { part.removeLast() }
            if part.last == 0x0D { part.removeLast() }
            return part
        }
    }

    /// `text/plain; charset="utf-8"; name*=UTF-8''na%C3%AFve.txt` → ["charset": "utf-8", "name": "naïve.txt"].
    static func parameters(_ header: String) -> [String: String] {
        var result: [String: String] = [:]
        var pieces: [String] = []
        var current = ""
        var quoted = false
        for character in header {
            if character == "\"" { quoted.toggle(); current.append(character) }
            else if character == ";" && !quoted { pieces.append(current); current = "" }
            else { current.append(character) }
        }
        pieces.append(current)
        var continued: [String: [(Int, String, Bool)]] = [:]
        for piece in pieces.dropFirst() {
            guard let equals = piece.firstIndex(of: "=") else { continue }
            var key = piece[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var value = piece[piece.index(after: equals)...].trimmingCharacters(in: .whitespacesAndNewlines)
            if value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            let extended = key.hasSuffix("*")
            if extended { key.removeLast() }
            // RFC 2231 continuations: name*0*=…; name*1*=…
            if let star = key.firstIndex(of: "*"), let number = Int(key[key.index(after: star)...]) {
                continued[String(key[..<star]), default: []].append((number, value, extended))
                continue
            }
            result[key] = extended ? rfc2231(value) : value
        }
        for (key, pieces) in continued {
            let sorted = pieces.sorted { $0.0 < $1.0 }
            let joined = sorted.map(\.1).joined()
            result[key] = sorted.first?.2 == true ? rfc2231(joined) : joined
        }
        return result
    }

    /// `UTF-8''na%C3%AFve.txt` → "naïve.txt".
    static func rfc2231(_ value: String) -> String {
        let parts = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return value.removingPercentEncoding ?? value }
        var bytes: [UInt8] = []
        var iterator = Array(parts[2].utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == 0x25, let high = iterator.next(), let low = iterator.next(),
               let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) {
                bytes.append(value)
            } else { bytes.append(byte) }
        }
        return MIMEText.decode(bytes, charset: String(parts[0]).lowercased())
    }

    /// Every leaf part, depth first.
    var leaves: [MIMEPart] { parts.isEmpty ? [self] : parts.flatMap(\.leaves) }
}

enum MIMEText {
    static func decode(_ bytes: [UInt8], charset: String) -> String {
        switch charset.lowercased() {
        case "iso-8859-1", "latin1", "iso8859-1", "iso_8859-1", "us-ascii" where !bytes.allSatisfy({ $0 < 0x80 }):
            return String(bytes: bytes, encoding: .isoLatin1) ?? String(decoding: bytes, as: UTF8.self)
        case "windows-1252", "cp1252":
            return String(bytes: bytes, encoding: .windowsCP1252) ?? String(bytes: bytes, encoding: .isoLatin1) ?? ""
        case "iso-8859-15":
            return String(bytes: bytes, encoding: .isoLatin1) ?? ""
        default:
            // UTF-8, and anything unknown: valid UTF-8 as it is, else Latin-1 so no byte is lost.
            if let text = String(bytes: bytes, encoding: .utf8) { return text }
            return String(bytes: bytes, encoding: .isoLatin1) ?? String(decoding: bytes, as: UTF8.self)
        }
    }

    static func decodeQuotedPrintable(_ bytes: [UInt8], header: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 0x30...0x39: return byte - 0x30
            case 0x41...0x46: return byte - 0x37
            case 0x61...0x66: return byte - 0x57
            default: return nil
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x3D {
                // Soft line break: "=" at the end of a line.
                if index + 1 < bytes.count, bytes[index + 1] == 0x0A { index += 2; continue }
                if index + 2 < bytes.count, bytes[index + 1] == 0x0D, bytes[index + 2] == 0x0A { index += 3; continue }
                if index + 2 < bytes.count, let high = hex(bytes[index + 1]), let low = hex(bytes[index + 2]) {
                    out.append(high << 4 | low)
                    index += 3
                    continue
                }
                out.append(byte)
            } else if header && byte == 0x5F {
                out.append(0x20)
            } else {
                out.append(byte)
            }
            index += 1
        }
        return out
    }

    /// Compiled once: Foundation's regular expressions cost more to build than to run on a header.
    nonisolated(unsafe) private static let encodedWord = try! NSRegularExpression(pattern: #"=\?([^?]+)\?([bBqQ])\?([^?]*)\?="#)
    nonisolated(unsafe) private static let htmlRules: [(NSRegularExpression, String)] = [
        (#"(?is)<(script|style|head)[^>]*>.*?</\1>"#, ""), (#"(?i)<br\s*/?>"#, "\n"),
        (#"(?i)</(p|div|tr|li|h[1-6])>"#, "\n"), (#"(?i)<blockquote"#, "\n<blockquote"), (#"<[^>]+>"#, ""),
    ].map { (try! NSRegularExpression(pattern: $0.0), $0.1) }

    /// RFC 2047: `=?UTF-8?B?…?=` and `=?ISO-8859-1?Q?…?=` words decoded; white space between two
    /// encoded words dropped.
    static func decodeHeader(_ value: String) -> String {
        guard value.contains("=?") else { return value }
        let pattern = encodedWord
        let ns = value as NSString
        var result = ""
        var last = 0
        var previousWasWord = false
        for match in pattern.matches(in: value, range: NSRange(location: 0, length: ns.length)) {
            let between = ns.substring(with: NSRange(location: last, length: match.range.location - last))
            if !(previousWasWord && between.allSatisfy(\.isWhitespace)) { result += between }
            let charset = ns.substring(with: match.range(at: 1)).split(separator: "*").first.map(String.init) ?? "utf-8"
            let encoding = ns.substring(with: match.range(at: 2)).lowercased()
            let payload = ns.substring(with: match.range(at: 3))
            let bytes: [UInt8]
            if encoding == "b" {
                bytes = Data(base64Encoded: payload, options: .ignoreUnknownCharacters).map { [UInt8]($0) } ?? Array(payload.utf8)
            } else {
                bytes = decodeQuotedPrintable(Array(payload.utf8), header: true)
            }
            result += decode(bytes, charset: charset)
            last = match.range.location + match.range.length
            previousWasWord = true
        }
        result += ns.substring(from: last)
        return result
    }

    /// The address in `"Anna L" <anna@x.se>` or `anna@x.se`, lower-cased.
    static func address(in header: String) -> String? {
        if let open = header.lastIndex(of: "<"), let close = header[open...].firstIndex(of: ">") {
            return String(header[header.index(after: open)..<close]).trimmingCharacters(in: .whitespaces).lowercased()
        }
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        return trimmed.contains("@") ? trimmed.lowercased() : nil
    }

    /// Every address in a To/Cc header.
    static func addresses(in header: String) -> [String] {
        header.split(separator: ",").compactMap { address(in: String($0)) }
    }

    /// Plain text from HTML, for mail that has no text part.
    static func plainText(fromHTML html: String) -> String {
        var text = html
        for (rule, replacement) in htmlRules {
            text = rule.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text),
                                                 withTemplate: NSRegularExpression.escapedTemplate(for: replacement))
        }
        for (entity, value) in [("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            text = text.replacingOccurrences(of: entity, with: value)
        }
        return text
    }
}
