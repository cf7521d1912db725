import Foundation

/// A small RFC 4180 reader for master-data imports (D6): quoted fields with "" for a quote,
/// line breaks inside quotes, CRLF or LF line ends, UTF-8 with or without a byte-order mark or
/// Windows-1252 / ISO-8859-1 (`CSVTextDecoding`), and comma or semicolon as separator (spreadsheets in Sweden, Denmark and Norway save with semicolons),
/// chosen from the header line. Works on Unicode scalars, so it never splits a character.
public struct CSVTable: Sendable, Equatable {
    public var header: [String]
    /// Each row with the physical line it starts on (the header is line 1), for messages.
    public var rows: [(line: Int, cells: [String])]
    /// How the bytes were read (`parse(data:)`); text given as a String counts as UTF-8.
    public var encoding: CSVTextEncoding = .utf8

    public static func == (a: CSVTable, b: CSVTable) -> Bool {
        a.header == b.header && a.rows.count == b.rows.count
            && zip(a.rows, b.rows).allSatisfy { $0.line == $1.line && $0.cells == $1.cells }
    }

    /// Where a problem is: the physical line (the header is 1), the column (1 = the first cell) and
    /// that column's name in the header when the header was already read.
    public struct Position: Equatable, Sendable {
        public var line: Int
        public var column: Int
        public var columnName: String?
        public init(line: Int, column: Int, columnName: String? = nil) {
            self.line = line
            self.column = column
            self.columnName = columnName
        }
    }

    public enum Problem: Error, Equatable, Sendable {
        /// A quote opened and never closed (the position of the opening quote's cell).
        case unterminatedQuote(Position)
        /// Text right after a closing quote, e.g. `"a"b`.
        case textAfterQuote(Position)
        /// The file starts with a UTF-8 byte-order mark but has bytes that are not UTF-8 (the first such cell).
        case invalidUTF8(Position)
        case empty
    }

    public static func parse(data: Data) throws -> CSVTable {
        let decoded = CSVTextDecoding.decode(data)
        var table = try parse(decoded.text)
        table.encoding = decoded.encoding
        if decoded.invalid { throw Problem.invalidUTF8(table.firstReplacementCharacter ?? Position(line: 1, column: 1)) }
        return table
    }

    /// The first cell holding U+FFFD, where a byte that is not UTF-8 was.
    var firstReplacementCharacter: Position? {
        if let column = header.firstIndex(where: { $0.unicodeScalars.contains("\u{FFFD}") }) {
            return Position(line: 1, column: column + 1)
        }
        for row in rows {
            if let column = row.cells.firstIndex(where: { $0.unicodeScalars.contains("\u{FFFD}") }) {
                return Position(line: row.line, column: column + 1, columnName: column < header.count ? header[column] : nil)
            }
        }
        return nil
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
        var quoteLine = 1, quoteColumn = 1
        // The header's names once line 1 is read, to name a problem's column.
        var header: [String]? = nil
        func position(_ line: Int, _ column: Int) -> Position {
            let name = header.flatMap { column <= $0.count ? $0[column - 1] : nil }
            return Position(line: line, column: column, columnName: name?.isEmpty == false ? name : nil)
        }
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
            if !(cells.count == 1 && cells[0].isEmpty) {
                records.append((recordLine, cells))
                if header == nil { header = cells.map { $0.trimmingCharacters(in: .whitespaces) } }
            }
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
                (quoteLine, quoteColumn) = (line, cells.count + 1)
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
                if afterQuote { throw Problem.textAfterQuote(position(line, cells.count + 1)) }
                field.append(scalar)
                fieldStarted = true
            }
        }
        if inQuotes { throw Problem.unterminatedQuote(position(quoteLine, quoteColumn)) }
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
