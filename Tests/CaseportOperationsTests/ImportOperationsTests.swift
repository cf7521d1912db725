import CaseportCore
import CaseportOperations
import CaseportStore
import CaseportTestSupport
import FluentKit
import XCTest

/// The CSV import (D6) below HTTP, on both databases: a preview keeps the file in storage and imports
/// nothing; the confirmation checks again and imports all rows or none.
final class ImportOperationsTests: XCTestCase {
    var harness: StoreHarness!
    var world: SettingsWorld!
    /// The operations' clock; tests move it.
    let clock = ImportClock()

    override func setUp() async throws {
        harness = try await StoreHarness()
        let clock = self.clock
        world = try await SettingsWorld.build(on: harness.database, clock: { clock.now })
    }

    override func tearDown() async throws { await harness.shutdown() }

    static let customers = "customer_number;name;short_code\n9001;Brf Nya;nya\n9002;Brf Andra;andra\n"

    func preview(_ csv: String, kind: ImportKind? = .customers, name: String = "kunder.csv") async throws
        -> Outcome<PreviewImport.Result, PreviewImport.Field> {
        try await PreviewImport.run(.init(kind: kind, fileName: name, bytes: Array(csv.utf8)), by: world.admin, in: world.context,
                                    storage: world.storage)
    }

    func checked(_ csv: String, kind: ImportKind = .customers) async throws -> ImportPreview {
        guard case .done(.checked(let preview)) = try await preview(csv, kind: kind) else {
            XCTFail("not checked")
            throw OperationError.notFound
        }
        return preview
    }

    func run(_ preview: ImportPreview, sendLoginDetails: Bool = false) async throws -> Outcome<RunImport.Result, RunImport.Field> {
        try await RunImport.run(.init(kind: preview.kind, upload: preview.upload, fileName: preview.fileName,
                                      sendLoginDetails: sendLoginDetails, mailLanguage: .en),
                                by: world.admin, in: world.context, storage: world.storage, passwords: PlainPasswords())
    }

    func customerCount() async throws -> Int { try await CustomerRecord.query(on: world.db).count() }

    func testAPreviewKeepsTheFileAndImportsNothingAndTheImportWritesEveryRowOnce() async throws {
        let before = try await customerCount()
        let preview = try await checked(Self.customers)
        XCTAssertTrue(preview.check.isClean)
        XCTAssertEqual(preview.table.rows.count, 2)
        XCTAssertEqual(world.storage.bytes(preview.upload), Array(Self.customers.utf8), "the file waits in storage by its key")
        let waiting = try await ImportUploads(database: world.db).isWaiting(key: preview.upload)
        XCTAssertTrue(waiting)
        let afterPreview = try await customerCount()
        XCTAssertEqual(afterPreview, before, "a preview imports nothing")

        guard case .done(.imported(let rows)) = try await run(preview) else { return XCTFail("not imported") }
        XCTAssertEqual(rows, 2)
        let after = try await customerCount()
        XCTAssertEqual(after, before + 2)
        let nya = try await CustomerRecord.query(on: world.db).filter(\.$customerNumber == "9001").first()
        XCTAssertEqual(nya?.shortCode, "nya")
        let lines = try await world.audit(.dataImported)
        XCTAssertEqual(lines, ["import customers | 2 rows from kunder.csv"])
        let byAdmin = try await world.auditIsByAdmin(.dataImported)
        XCTAssertTrue(byAdmin)
        XCTAssertEqual(world.storage.keys, [], "the imported file is removed")

        let again = try await run(preview).problems
        XCTAssertEqual(again?[.upload], "import_expired", "a second confirmation imports nothing")
        let afterAgain = try await customerCount()
        XCTAssertEqual(afterAgain, before + 2)
    }

    func testOnlyAWaitingImportUploadCanBeImported() async throws {
        // Bytes in storage that were not uploaded to the import (a case's file, say) are not read.
        let key = world.storage.newKey()
        try await world.storage.put(key: key, bytes: Array(Self.customers.utf8))
        var preview = try await checked(Self.customers)
        preview.upload = key
        let foreign = try await run(preview).problems
        XCTAssertEqual(foreign?[.upload], "import_expired")
        preview.upload = String(repeating: "a", count: 43)
        let unknown = try await run(preview).problems
        XCTAssertEqual(unknown?[.upload], "import_expired")
        let count = try await CustomerRecord.query(on: world.db).filter(\.$customerNumber == "9001").count()
        XCTAssertEqual(count, 0)
    }

    func testTheImportChecksAgainAndWritesNothingWhenTheRegisterChanged() async throws {
        let preview = try await checked(Self.customers)
        try await CustomerRecord(name: "Brf Först", shortCode: "forst", customerNumber: "9002").create(on: world.db)
        guard case .done(.rowsChanged(let changed)) = try await run(preview) else { return XCTFail("imported a duplicate") }
        XCTAssertFalse(changed.check.isClean)
        XCTAssertEqual(changed.check.problemRows.map(\.line), [3])
        let count = try await CustomerRecord.query(on: world.db).filter(\.$customerNumber == "9001").count()
        XCTAssertEqual(count, 0, "all rows or none")
        let lines = try await world.audit(.dataImported)
        XCTAssertEqual(lines, [])
        let waiting = try await ImportUploads(database: world.db).isWaiting(key: preview.upload)
        XCTAssertTrue(waiting, "the file still waits for a corrected register")
    }

    func testWhatIsWrongWithTheUploadItselfIsSaidAndNothingIsKept() async throws {
        let noKind = try await preview(Self.customers, kind: nil).problems
        XCTAssertEqual(noKind?[.kind], ProblemKey.required)
        let noFile = try await preview("").problems
        XCTAssertEqual(noFile?[.file], "import_error_no_file")
        guard case .done(.unreadable(let problem)) = try await preview("customer_number,name\n\"open,1\n") else {
            return XCTFail("a broken quote is unreadable")
        }
        XCTAssertEqual(problem, .unterminatedQuote(.init(line: 2, column: 1, columnName: "customer_number")))
        XCTAssertEqual(world.storage.keys, [])
        let missingColumn = try await checked("customer_number;name\n9001;Brf\n")
        XCTAssertFalse(missingColumn.check.fileProblems.isEmpty, "a missing column is the file's problem, shown on the preview")
    }

    // MARK: Issue 11, point 16

    /// Contacts as Excel's "CSV (semicolon separated)" saves them: Windows-1252, CRLF.
    static let excelContacts: [UInt8] = excelContactsClean
        + [0xE5, 0x6B, 0x65, 0x3B, 0xE4, 0x6E, 0x67, 0xF6, 0x3B, 0xE6, 0xF8, 0x40, 0x78, 0x2E, 0x73, 0x65] + Array(";;\r\n".utf8)  // åke;ängö;æø@x.se
    static let excelContactsClean: [UInt8] = Array("first_name;last_name;email;phone;customer_numbers\r\n".utf8)
        + [0xC5, 0x73, 0x61, 0x3B] + [0xD6, 0x73, 0x74, 0x65, 0x72, 0x6C, 0x75, 0x6E, 0x64] + Array(";".utf8)  // Åsa;Österlund;
        + Array("asa@example.com;;1\r\n".utf8)
        + [0xC6, 0x62, 0x6C, 0x65, 0x3B] + [0xD8, 0x72, 0x65, 0x6E, 0xE4, 0x73, 0x20, 0x80] + Array(";;;1\r\n".utf8)  // Æble;Ørenäs €;;;1

    func testAWindows1252FileFromExcelIsPreviewedAndImportedWithEveryLetterRight() async throws {
        let outcome = try await PreviewImport.run(.init(kind: .contacts, fileName: "kontakter.csv", bytes: Self.excelContacts),
                                                  by: world.admin, in: world.context, storage: world.storage)
        guard case .done(.checked(let preview)) = outcome else { return XCTFail("not read: \(outcome)") }
        XCTAssertEqual(preview.table.encoding, .windows1252)
        XCTAssertEqual(preview.table.rows.map { $0.cells[0] }, ["Åsa", "Æble", "åke"])
        // The third row's e-mail has æ ø, which the address rule refuses: the line is named.
        XCTAssertEqual(preview.check.problemRows.map(\.line), [4])
        XCTAssertEqual(preview.check.problemRows.first?.problems.map(\.key), ["import_problem_email"])

        let cleanPreview = try await PreviewImport.run(.init(kind: .contacts, fileName: "kontakter.csv", bytes: Self.excelContactsClean),
                                                       by: world.admin, in: world.context, storage: world.storage)
        guard case .done(.checked(let ready)) = cleanPreview else { return XCTFail("not read") }
        XCTAssertTrue(ready.check.isClean, "\(ready.check.problemRows.map(\.problems))")
        guard case .done(.imported(let rows)) = try await run(ready) else { return XCTFail("not imported") }
        XCTAssertEqual(rows, 2)
        let names = try await ContactRecord.query(on: world.db).sort(\.$id).all().map { "\($0.firstName) \($0.lastName)" }
        XCTAssertEqual(Array(names.suffix(2)), ["Åsa Österlund", "Æble Ørenäs €"], "read as Windows-1252 in the import too")
    }

    func testABadLineInAWindows1252FileIsNamedWithItsColumn() async throws {
        let bytes: [UInt8] = Array("customer_number;name;short_code\r\n9001;Brf ".utf8) + [0xC5, 0x73, 0x65, 0x6E]
            + Array(";asen\r\n9002;\"Brf ".utf8) + [0xD6, 0x73, 0x74] + Array(";ost\r\n".utf8)
        let outcome = try await PreviewImport.run(.init(kind: .customers, fileName: "kunder.csv", bytes: bytes),
                                                  by: world.admin, in: world.context, storage: world.storage)
        guard case .done(.unreadable(let problem)) = outcome else { return XCTFail("a broken quote is unreadable") }
        XCTAssertEqual(problem, .unterminatedQuote(.init(line: 3, column: 2, columnName: "name")))
        XCTAssertEqual(world.storage.keys, [], "nothing kept")
    }

    func testAnExportIsForAdministratorsAndIsAnAuditLine() async throws {
        do {
            try await ExportMasterData.run(.contacts, by: world.handler, in: world.context)
            XCTFail("a handler exports nothing")
        } catch let error as OperationError {
            XCTAssertEqual(error, .forbidden)
        }
        try await ExportMasterData.run(.contacts, by: world.admin, in: world.context)
        let lines = try await world.audit(.dataExported)
        XCTAssertEqual(lines, ["export contacts | CSV file, UTF-8 with BOM"])
        let byAdmin = try await world.auditIsByAdmin(.dataExported)
        XCTAssertTrue(byAdmin)
    }

    func testTheExportReadsPageByPageInTheImportsColumns() async throws {
        for n in 1...5 {
            try await CustomerRecord(name: n == 3 ? "=cmd|' /C calc'!A0" : "Brf \(n); Öst", shortCode: "e\(n)",
                                     customerNumber: "80\(n)").create(on: world.db)
        }
        let export = MasterDataExport(database: world.db)
        var rows: [[String]] = [], after = 0, pages = 0
        while true {
            let page = try await export.page(.customers, after: after, limit: 2)
            rows += page.rows
            pages += 1
            XCTAssertLessThanOrEqual(page.rows.count, 2)
            guard let next = page.next else { break }
            after = next
        }
        let all = try await CustomerRecord.query(on: world.db).count()
        XCTAssertEqual(rows.count, all)
        XCTAssertGreaterThanOrEqual(pages, (all + 1) / 2)
        XCTAssertTrue(rows.contains(["803", "=cmd|' /C calc'!A0", "e3", "no"]))
        // Written and read back, the file is the same register.
        let file = CSVWriter.byteOrderMark + ([ImportKind.customers.columns.map(\.name)] + rows).map(CSVWriter.line).joined()
        XCTAssertTrue(file.contains(";'=cmd|' /C calc'!A0;"), "the formula is neutralised")
        let table = try CSVTable.parse(data: Data(file.utf8))
        let read = ImportRules.rows(table, kind: .customers).rows
        XCTAssertEqual(read.first { $0["customer_number"] == "803" }?["name"], "=cmd|' /C calc'!A0")
        XCTAssertEqual(read.first { $0["customer_number"] == "801" }?["name"], "Brf 1; Öst")

        // Contacts carry their customers' numbers joined by |, as the import reads them.
        let contact = ContactRecord(firstName: "Åsa", lastName: "Berg", email: "asa@example.com", phone: "+4670")
        try await contact.create(on: world.db)
        let customers = try await CustomerRecord.query(on: world.db).filter(\.$customerNumber ~~ ["801", "802"]).all()
        for customer in customers { try await ContactCustomerLink(contactId: contact.id!, customerId: customer.id!).create(on: world.db) }
        let contacts = try await export.page(.contacts, after: 0).rows
        XCTAssertTrue(contacts.contains(["Åsa", "Berg", "asa@example.com", "+4670", "801|802"]), "\(contacts)")
    }

    func testUploadsNobodyConfirmedAreRemovedADayLaterWhenTheNextOneArrives() async throws {
        let old = try await checked(Self.customers)
        clock.advance(by: 23 * 3_600)
        let recent = try await checked(Self.customers)
        clock.advance(by: 2 * 3_600)
        let newest = try await checked(Self.customers)
        XCTAssertEqual(world.storage.keys, [recent.upload, newest.upload], "only the upload older than a day went")
        let uploads = ImportUploads(database: world.db)
        let oldWaits = try await uploads.isWaiting(key: old.upload), recentWaits = try await uploads.isWaiting(key: recent.upload)
        XCTAssertFalse(oldWaits)
        XCTAssertTrue(recentWaits)
        let expired = try await run(old).problems
        XCTAssertEqual(expired?[.upload], "import_expired")
    }

    func testImportedUsersCanBeSentALoginLinkInTheSameTransaction() async throws {
        let csv = "customer_number,username,first_name,last_name,email,is_admin\n1,eva,Eva,Ek,eva@example.com,ja\n1,olle,Olle,Ek,,nej\n"
        let preview = try await checked(csv, kind: .users)
        guard case .done(.imported(let rows)) = try await run(preview, sendLoginDetails: true) else { return XCTFail("not imported") }
        XCTAssertEqual(rows, 2)
        let eva = try await PortalUserRecord.query(on: world.db).filter(\.$usernameKey == "eva").first()
        XCTAssertEqual(eva?.isAdmin, true)
        XCTAssertTrue(eva?.passwordHash.hasPrefix("plain:") == true, "an unusable random password, hashed")
        let mails = try await OutboxRecord.query(on: world.db).filter(\.$kind == "login_details").all()
        XCTAssertEqual(mails.map(\.recipient), ["eva@example.com"], "only users with an address get one")
        XCTAssertEqual(mails.first?.subject, "Login for sol")
        XCTAssertTrue(mails.first?.body.contains("Hello Eva Ek, eva: https://portal.example.com/password/set?token=") == true)
        let token = String(try XCTUnwrap(mails.first?.body.components(separatedBy: "token=").last))
        let redeemed = try await AccountTokens(database: world.db).redeem(token: token, purpose: "set_password", now: clock.now)
        XCTAssertEqual(redeemed, eva?.id)
        let lines = try await world.audit(.dataImported)
        XCTAssertEqual(lines, ["import users | 2 rows from kunder.csv, login details queued for 1"])
    }

    func testAHandlerIsRefusedThePreviewAndTheImport() async throws {
        let preview = try await checked(Self.customers)
        let (handler, context, storage) = (world.handler, world.context, world.storage)
        let refusedPreview = await operationError {
            _ = try await PreviewImport.run(.init(kind: .customers, fileName: "k.csv", bytes: Array(Self.customers.utf8)),
                                            by: handler, in: context, storage: storage)
        }
        let refusedRun = await operationError {
            _ = try await RunImport.run(.init(kind: .customers, upload: preview.upload, fileName: "k.csv", sendLoginDetails: false,
                                              mailLanguage: .en), by: handler, in: context, storage: storage, passwords: PlainPasswords())
        }
        XCTAssertEqual([refusedPreview, refusedRun], [.forbidden, .forbidden])
        XCTAssertEqual(world.storage.keys, [preview.upload], "the handler's upload was not kept")
        let count = try await CustomerRecord.query(on: world.db).filter(\.$customerNumber == "9001").count()
        XCTAssertEqual(count, 0)
    }
}

/// A clock the test moves.
final class ImportClock: @unchecked Sendable {
    private let lock = NSLock()
    private var time = Date(timeIntervalSince1970: 1_800_000_000)
    var now: Date { lock.lock(); defer { lock.unlock() }; return time }
    func advance(by seconds: TimeInterval) { lock.lock(); time += seconds; lock.unlock() }
}
