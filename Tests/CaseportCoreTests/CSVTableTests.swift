import CaseportCore
import XCTest

/// The RFC 4180 reader used by the master-data import.
final class CSVTableTests: XCTestCase {
    func testQuotesEmbeddedSeparatorsNewlinesAndDoubledQuotes() throws {
        let table = try CSVTable.parse("name,note\r\n\"Berg, Anna\",\"said \"\"hej\"\"\nand left\"\r\nÅsa,plain\r\n")
        XCTAssertEqual(table.header, ["name", "note"])
        XCTAssertEqual(table.rows.count, 2)
        XCTAssertEqual(table.rows[0].cells, ["Berg, Anna", "said \"hej\"\nand left"])
        XCTAssertEqual(table.rows[0].line, 2)
        XCTAssertEqual(table.rows[1].cells, ["Åsa", "plain"])
        XCTAssertEqual(table.rows[1].line, 4, "the embedded newline counts as a line")
    }

    func testSemicolonBOMAndNoFinalNewline() throws {
        let bytes = Data([0xEF, 0xBB, 0xBF]) + Data("förnamn;efternamn\nÖrjan;Ödman;\n\nÆsa;Ø".utf8)
        let table = try CSVTable.parse(data: bytes)
        XCTAssertEqual(table.header, ["förnamn", "efternamn"])
        XCTAssertEqual(table.rows.map(\.cells), [["Örjan", "Ödman", ""], ["Æsa", "Ø"]], "blank lines are skipped")
    }

    func testCommaWinsWhenTheHeaderHasMoreCommas() throws {
        let table = try CSVTable.parse("a,b,c\n1;2,3,4\n")
        XCTAssertEqual(table.rows[0].cells, ["1;2", "3", "4"])
    }

    func testEmptyFieldsAndQuotedEmpty() throws {
        let table = try CSVTable.parse("a,b,c\n,\"\",\n")
        XCTAssertEqual(table.rows[0].cells, ["", "", ""])
    }

    func testBrokenFilesAreRefusedWithTheLineAndColumn() {
        XCTAssertThrowsError(try CSVTable.parse("a,b\n\"open,1\n")) { error in
            XCTAssertEqual(error as? CSVTable.Problem, .unterminatedQuote(.init(line: 2, column: 1, columnName: "a")))
        }
        XCTAssertThrowsError(try CSVTable.parse("a;b;c\n1;2;3\n4;\"x\"y;6\n")) { error in
            XCTAssertEqual(error as? CSVTable.Problem, .textAfterQuote(.init(line: 3, column: 2, columnName: "b")))
        }
        XCTAssertThrowsError(try CSVTable.parse("a,\"b\n")) { error in
            XCTAssertEqual(error as? CSVTable.Problem, .unterminatedQuote(.init(line: 1, column: 2)), "no name before the header is read")
        }
        XCTAssertThrowsError(try CSVTable.parse(""))
    }

    // MARK: Encodings (issue 11, point 16)

    /// "namn;ort" then Windows-1252 bytes for å ä ö Å Ä Ö æ ø € as Excel's "CSV (semicolon separated)" writes them.
    static let windows1252: [UInt8] = Array("namn;ort\r\n".utf8)
        + [0xE5, 0xE4, 0xF6, 0x3B, 0xC5, 0xC4, 0xD6, 0x0D, 0x0A]  // åäö;ÅÄÖ
        + [0xE6, 0xF8, 0x3B, 0x80, 0x20, 0x31, 0x30, 0x0D, 0x0A]  // æø;€ 10

    func testWindows1252FromExcelIsReadWithEveryNordicLetterAndTheEuro() throws {
        let table = try CSVTable.parse(data: Data(Self.windows1252))
        XCTAssertEqual(table.encoding, .windows1252)
        XCTAssertEqual(table.header, ["namn", "ort"])
        XCTAssertEqual(table.rows.map(\.cells), [["åäö", "ÅÄÖ"], ["æø", "€ 10"]])
        XCTAssertEqual(table.rows.map(\.line), [2, 3])
    }

    func testISO88591ReadsTheSameAsWindows1252() throws {
        // Latin-1 and Windows-1252 agree on 0xA0–0xFF, where every Nordic letter is.
        let latin1: [UInt8] = Array("a;b\n".utf8) + [0xD8, 0x72, 0x65, 0x3B, 0xC6, 0x62, 0x6C, 0x65, 0x0A]
        let table = try CSVTable.parse(data: Data(latin1))
        XCTAssertEqual(table.rows[0].cells, ["Øre", "Æble"])
    }

    func testUTF8WithAndWithoutBOMIsUTF8() throws {
        let plain = try CSVTable.parse(data: Data("a;b\nåäö;€\n".utf8))
        XCTAssertEqual(plain.encoding, .utf8)
        XCTAssertEqual(plain.rows[0].cells, ["åäö", "€"])
        let marked = try CSVTable.parse(data: Data([0xEF, 0xBB, 0xBF] + Array("a;b\nÅÄÖ;ø\n".utf8)))
        XCTAssertEqual(marked.encoding, .utf8WithBOM)
        XCTAssertEqual(marked.header, ["a", "b"], "the mark is not part of the first column's name")
        XCTAssertEqual(marked.rows[0].cells, ["ÅÄÖ", "ø"])
    }

    func testAFileMarkedUTF8WithOtherBytesNamesTheLineAndColumn() {
        // A BOM, then a Windows-1252 "ö" (0xF6) in the second column of line 3.
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("namn;ort\nA;B\nC;G".utf8) + [0xF6] + Array("teborg\n".utf8)
        XCTAssertThrowsError(try CSVTable.parse(data: Data(bytes))) { error in
            XCTAssertEqual(error as? CSVTable.Problem, .invalidUTF8(.init(line: 3, column: 2, columnName: "ort")))
        }
    }

    func testEveryDefinedWindows1252ByteFrom0x80To0x9F() {
        let expected: [UInt8: String] = [
            0x80: "€", 0x82: "‚", 0x83: "ƒ", 0x84: "„", 0x85: "…", 0x86: "†", 0x87: "‡", 0x88: "ˆ", 0x89: "‰", 0x8A: "Š",
            0x8B: "‹", 0x8C: "Œ", 0x8E: "Ž", 0x91: "\u{2018}", 0x92: "\u{2019}", 0x93: "\u{201C}", 0x94: "\u{201D}", 0x95: "•",
            0x96: "–", 0x97: "—", 0x98: "˜", 0x99: "™", 0x9A: "š", 0x9B: "›", 0x9C: "œ", 0x9E: "ž", 0x9F: "Ÿ",
        ]
        XCTAssertEqual(expected.count, 27, "Windows-1252 defines 27 of the 32 bytes")
        for (byte, text) in expected {
            XCTAssertEqual(String(CSVTextDecoding.windows1252(byte)), text, String(format: "0x%02X", byte))
            // Each also decodes inside a file (with a byte that makes the file invalid UTF-8).
            let decoded = CSVTextDecoding.decode([0x61, byte, 0xE5])
            XCTAssertEqual(decoded.text, "a\(text)å")
            XCTAssertEqual(decoded.encoding, .windows1252)
        }
        for byte: UInt8 in [0x81, 0x8D, 0x8F, 0x90, 0x9D] {
            XCTAssertEqual(CSVTextDecoding.windows1252(byte).value, UInt32(byte), "undefined bytes stay the C1 control, as in Latin-1")
        }
        for byte: UInt8 in [0x41, 0x7F, 0xA0, 0xC5, 0xFF] {
            XCTAssertEqual(CSVTextDecoding.windows1252(byte).value, UInt32(byte))
        }
    }

    func testEveryByteSequenceDecodes() {
        // What the fuzzer relies on: no input is refused for its encoding; overlong or surrogate UTF-8 is not UTF-8.
        XCTAssertEqual(CSVTextDecoding.decode([0xC0, 0xAF]).encoding, .windows1252)
        XCTAssertEqual(CSVTextDecoding.decode([0xED, 0xA0, 0x80]).encoding, .windows1252)
        XCTAssertEqual(CSVTextDecoding.decode([0xC3, 0xA5]).text, "å")
        XCTAssertEqual(CSVTextDecoding.decode([]).text, "")
    }

    // MARK: Export (CSVWriter)

    func testTheWriterQuotesAndNeutralisesFormulas() {
        XCTAssertEqual(CSVWriter.line(["Åsa", "Berg; AB", "say \"hi\"", "two\nlines"]),
                       "Åsa;\"Berg; AB\";\"say \"\"hi\"\"\";\"two\nlines\"\r\n")
        XCTAssertEqual(CSVWriter.cell("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"")
        XCTAssertEqual(CSVWriter.cell("+46 70 123"), "'+46 70 123")
        XCTAssertEqual(CSVWriter.cell("-1"), "'-1")
        XCTAssertEqual(CSVWriter.cell("@SUM(A1)"), "'@SUM(A1)")
        XCTAssertEqual(CSVWriter.cell("\t=1"), "'\t=1")
        XCTAssertEqual(CSVWriter.cell("a=b"), "a=b", "only a formula character at the start")
        XCTAssertEqual(CSVWriter.cell("1,5"), "\"1,5\"", "a comma is quoted too, for comma-reading tools")
        XCTAssertEqual(CSVWriter.unneutralised("'+46 70 123"), "+46 70 123")
        XCTAssertEqual(CSVWriter.unneutralised("'quoted"), "'quoted", "an apostrophe before ordinary text stays")
    }

    func testAnExportedFileReadsBackUnchanged() throws {
        let rows = [["customer_number", "name", "short_code", "single_user"], ["=1+1", "Brf Åsen; Öst", "-x", "no"]]
        let text = CSVWriter.byteOrderMark + rows.map(CSVWriter.line).joined()
        let table = try CSVTable.parse(data: Data(text.utf8))
        XCTAssertEqual(table.encoding, .utf8WithBOM)
        let check = ImportRules.rows(table, kind: .customers)
        XCTAssertEqual(check.rows[0]["customer_number"], "=1+1")
        XCTAssertEqual(check.rows[0]["name"], "Brf Åsen; Öst")
        XCTAssertEqual(check.rows[0]["short_code"], "-x")
    }

    func testImportRulesFindEveryRowsProblems() throws {
        let table = try CSVTable.parse("""
            First_Name;last_name;email;phone;customer_numbers
            Anna;Berg;anna@example.com;;1001
            ;Holm;not-an-email;;9999
            Bo;Ek;ANNA@example.com;;1001|1002
            Cia;Lund;taken@example.com;;
            Dan;Ny
            """)
        var known = ImportKnown()
        known.customers = ["1001": 1, "1002": 2]
        known.contactEmails = ["taken@example.com"]
        let check = ImportRules.check(table, kind: .contacts, known: known)
        XCTAssertFalse(check.isClean)
        XCTAssertEqual(check.rows.count, 5)
        XCTAssertEqual(check.rows[0].problems, [])
        XCTAssertEqual(check.rows[1].problems.map(\.key), ["import_problem_required", "import_problem_email", "import_problem_unknown_customer"])
        XCTAssertEqual(check.rows[2].problems, [ImportProblem("import_problem_duplicate_file", ["column": "email", "value": "ANNA@example.com", "line": "2"])])
        XCTAssertEqual(check.rows[3].problems.map(\.key), ["import_problem_duplicate_database"])
        XCTAssertEqual(check.rows[4].problems.map(\.key), ["import_problem_columns"])
    }

    func testAMissingColumnIsAFileProblem() throws {
        let table = try CSVTable.parse("name,address\nA,B\n")
        let check = ImportRules.check(table, kind: .objects, known: ImportKnown())
        XCTAssertEqual(check.fileProblems, [ImportProblem("import_error_missing_column", ["column": "customer_number"])])
        XCTAssertTrue(check.rows.isEmpty)
    }

    func testCustomerDuplicatesAndYesNo() throws {
        let table = try CSVTable.parse("customer_number,name,short_code,single_user\n1,A,a,ja\n2,B,A,maybe\n1001,C,c,\n")
        var known = ImportKnown()
        known.customers = ["1001": 5]
        let check = ImportRules.check(table, kind: .customers, known: known)
        XCTAssertEqual(check.rows[0].problems, [])
        XCTAssertEqual(check.rows[1].problems.map(\.key), ["import_problem_yes_no", "import_problem_duplicate_file"])
        XCTAssertEqual(check.rows[2].problems.map(\.key), ["import_problem_duplicate_database"])
    }
}
