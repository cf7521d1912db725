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

    func testBrokenFilesAreRefusedWithTheLine() {
        XCTAssertThrowsError(try CSVTable.parse("a,b\n\"open,1\n")) { error in
            XCTAssertEqual(error as? CSVTable.Problem, .unterminatedQuote(line: 2))
        }
        XCTAssertThrowsError(try CSVTable.parse("a,b\n\"x\"y,1\n")) { error in
            XCTAssertEqual(error as? CSVTable.Problem, .textAfterQuote(line: 2))
        }
        XCTAssertThrowsError(try CSVTable.parse(data: Data([0x61, 0x0A, 0xFF, 0xFE]))) { error in
            XCTAssertEqual(error as? CSVTable.Problem, .notUTF8)
        }
        XCTAssertThrowsError(try CSVTable.parse(""))
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
