extension String {
    /// Byte for byte what LeafKit's `htmlEscaped()` writes (and so what a template's `#(…)` writes):
    /// `&`, `"`, `'`, `<` and `>` as entities, everything else as it is. LeafKit's builds the result one
    /// Unicode scalar at a time, 5 % of a cold list page's CPU in perf (issue 17) for rows written in Swift;
    /// this one scans the UTF-8 bytes (the five are ASCII, so no multi-byte character is split) and
    /// returns a string without them unchanged. `HTMLEscapingTests` compares the two.
    var escapedHTML: String {
        let utf8 = self.utf8
        guard utf8.contains(where: { $0 == 0x26 || $0 == 0x22 || $0 == 0x27 || $0 == 0x3C || $0 == 0x3E }) else { return self }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count + 32)
        for byte in utf8 {
            switch byte {
            case 0x26: bytes.append(contentsOf: "&amp;".utf8)
            case 0x22: bytes.append(contentsOf: "&quot;".utf8)
            case 0x27: bytes.append(contentsOf: "&#39;".utf8)
            case 0x3C: bytes.append(contentsOf: "&lt;".utf8)
            case 0x3E: bytes.append(contentsOf: "&gt;".utf8)
            default: bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
