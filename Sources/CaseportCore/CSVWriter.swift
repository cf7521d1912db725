/// Writes master-data exports (D6) as CSV that Excel in Sweden, Denmark and Norway opens correctly with
/// a double-click: UTF-8 with a byte-order mark (without it Excel reads Windows-1252 and breaks å ä ö),
/// semicolons (the Nordic list separator), CRLF line ends, quotes where RFC 4180 needs them.
///
/// Formula injection: a cell that starts with `=`, `+`, `-`, `@` (or a tab or carriage return, which Excel
/// also strips before reading a formula) gets a leading apostrophe, so a value like `=HYPERLINK(…)`
/// typed into a portal form is shown as text, never run. The import drops that apostrophe again
/// (`unneutralised`), so an exported file imports unchanged.
public enum CSVWriter {
    public static let byteOrderMark = "\u{FEFF}"
    public static let separator: Character = ";"

    /// One record, ending in CRLF.
    public static func line(_ cells: [String]) -> String {
        cells.map(cell).joined(separator: String(separator)) + "\r\n"
    }

    /// One cell: neutralised, then quoted when it holds a separator, quote or line break.
    public static func cell(_ value: String) -> String {
        var text = value
        if let first = text.unicodeScalars.first, formulaStarts.contains(first) { text = "'" + text }
        guard text.contains(where: { $0 == separator || $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    /// A cell as read back by the import: the apostrophe `cell` put before a formula character is removed.
    public static func unneutralised(_ value: String) -> String {
        let scalars = value.unicodeScalars
        guard scalars.first == "'", let second = scalars.dropFirst().first, formulaStarts.contains(second) else { return value }
        return String(value.dropFirst())
    }
}
