import Foundation

/// A small RFC 4180 reader for master-data imports (D6): quoted fields with "" for a quote,
/// line breaks inside quotes, CRLF or LF line ends, a UTF-8 byte-order mark, and comma or
/// semicolon as separator (spreadsheets in Sweden, Denmark and Norway save with semicolons),
/// chosen from the header line. Works on Unicode scalars, so it never splits a character.
public struct CSVTable: Sendable, Equatable {
    public var header: [String]
    /// Each row with the physical line it starts on (the header is line 1), for messages.
    public var rows: [(line: Int, cells: [String])]

    public static func == (a: CSVTable, b: CSVTable) -> Bool {
        a.header == b.header && a.rows.count == b.rows.count
            && zip(a.rows, b.rows).allSatisfy { $0.line == $1.line && $0.cells == $1.cells }
    }

    public enum Problem: Error, Equatable, Sendable {
        /// A quote opened and never closed.
        case unterminatedQuote(line: Int)
        /// Text right after a closing quote, e.g. `"a"b`.
        case textAfterQuote(line: Int)
        case notUTF8
        case empty
    }

    public static func parse(data: Data) throws -> CSVTable {
        guard let text = String(data: data, encoding: .utf8) else { throw Problem.notUTF8 }
        return try parse(text)
    }

    public static func parse(_ input: String) throws -> CSVTable {
        var text = Substring(input).unicodeScalars[...]
        if text.first == "\u{FEFF}" { text = text.dropFirst() }
        let separator = detectSeparator(text)
        var records: [(line: Int, cells: [String])] = []
        var cells: [String] = []
        var field = String.UnicodeScalarView()
        var line = 1, recordLine = 1
        var inQuotes = false, afterQuote = false, fieldStarted = false
        var index = text.startIndex
        func endField() {
            cells.append(String(field))
            field = String.UnicodeScalarView()
            afterQuote = false
            fieldStarted = false
        }
        func endRecord() {
            endField()
            // A blank line (one empty cell) is skipped, as spreadsheets often end with one.
            if !(cells.count == 1 && cells[0].isEmpty) { records.append((recordLine, cells)) }
            cells = []
        }
        while index < text.endIndex {
            let scalar = text[index]
            index = text.index(after: index)
            if inQuotes {
                if scalar == "\"" {
                    if index < text.endIndex, text[index] == "\"" {
                        field.append("\"")
                        index = text.index(after: index)
                    } else {
                        inQuotes = false
                        afterQuote = true
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where !fieldStarted:
                inQuotes = true
                fieldStarted = true
            case separator:
                endField()
            case "\r":
                if index < text.endIndex, text[index] == "\n" { index = text.index(after: index) }
                endRecord()
                line += 1
                recordLine = line
            case "\n":
                endRecord()
                line += 1
                recordLine = line
            default:
                if afterQuote { throw Problem.textAfterQuote(line: line) }
                field.append(scalar)
                fieldStarted = true
            }
        }
        if inQuotes { throw Problem.unterminatedQuote(line: recordLine) }
        if fieldStarted || !cells.isEmpty || afterQuote { endRecord() }
        guard let first = records.first else { throw Problem.empty }
        return CSVTable(header: first.cells.map { $0.trimmingCharacters(in: .whitespaces) },
                        rows: Array(records.dropFirst()))
    }

    /// Semicolon when the header line has more semicolons than commas (outside quotes), else comma.
    static func detectSeparator(_ text: Substring.UnicodeScalarView.SubSequence) -> Unicode.Scalar {
        var commas = 0, semicolons = 0, inQuotes = false
        for scalar in text {
            if scalar == "\"" { inQuotes.toggle() }
            else if !inQuotes {
                if scalar == "\n" || scalar == "\r" { break }
                if scalar == "," { commas += 1 }
                if scalar == ";" { semicolons += 1 }
            }
        }
        return semicolons > commas ? ";" : ","
    }

    public init(header: [String], rows: [(line: Int, cells: [String])]) {
        self.header = header
        self.rows = rows
    }
}
