import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Vapor
import XCTVapor
import XCTest

/// Issue 9, point 3: upload forms cap the number of parts, the bytes of non-file fields and the size
/// of part headers, and no exit path leaves a file in `files/incoming/`.
final class UploadLimitsTests: XCTestCase {
    var harness: WebHarness!
    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws {
        await harness.app.server.shutdown()
        try await harness.shutdown()
    }

    var incoming: String { harness.incomingDirectory.path }
    func leftInIncoming() -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: incoming)) ?? [] }

    func annaOnHerCase() async throws -> (Browser, CaseRecord) {
        let customer = try await Demo.customer("1001", on: harness.app.db)
        let target = try await CaseRecord.query(on: harness.app.db).filter(\.$customerId == customer.id!)
            .filter(\.$status != .closed).sort(\.$number, .descending).first()!
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        try await browser.get("/cases/\(target.number)")
        return (browser, target)
    }

    /// A multipart body: plain fields first, then one file in the `files` field.
    func multipart(fields: [(String, String)], files: [(field: String, name: String)] = [("files", "a.txt")],
                   boundary: String = "caseport-limits") -> ByteBuffer {
        var body = ByteBuffer()
        for (name, value) in fields {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        for file in files {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.field)\"; filename=\"\(file.name)\"\r\nContent-Type: text/plain\r\n\r\nHej\r\n")
        }
        body.writeString("--\(boundary)--\r\n")
        return body
    }

    /// Posts the body as the upload form does: the CSRF token first, as the body's first part.
    func post(_ browser: Browser, _ target: CaseRecord, _ body: ByteBuffer, boundary: String = "caseport-limits") async throws -> XCTHTTPResponse {
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        var full = ByteBuffer(string: "--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n\(browser.csrfToken ?? "")\r\n")
        var rest = body
        full.writeBuffer(&rest)
        return try await browser.send(.POST, "/cases/\(target.number)/files", headers: headers, body: full)
    }

    func storedFiles(_ target: CaseRecord) async throws -> Int {
        try await StoredFileRecord.query(on: harness.app.db).filter(\.$caseId == target.id!).count()
    }

    func testThousandsOfSmallFieldsAreRefusedAndLeaveNothing() async throws {
        let (browser, target) = try await annaOnHerCase()
        let fields = (0..<4_000).map { ("f\($0)", "x") }
        let response = try await post(browser, target, multipart(fields: fields))
        XCTAssertEqual(response.status, .payloadTooLarge)
        let awaited1 = try await storedFiles(target)
        XCTAssertEqual(awaited1, 0)
        XCTAssertEqual(leftInIncoming(), [])
    }

    func testLargeFieldsTogetherOverTheCapAreRefused() async throws {
        let (browser, target) = try await annaOnHerCase()
        let big = String(repeating: "y", count: 90_000)
        let response = try await post(browser, target, multipart(fields: [("a", big), ("b", big), ("c", big)]))
        XCTAssertEqual(response.status, .payloadTooLarge)
        let awaited2 = try await storedFiles(target)
        XCTAssertEqual(awaited2, 0)
        XCTAssertEqual(leftInIncoming(), [])
        // A normal upload with a couple of fields still works.
        let fine = try await post(browser, target, multipart(fields: [("note", "hej")]))
        XCTAssertEqual(fine.status, .seeOther)
        let awaited3 = try await storedFiles(target)
        XCTAssertEqual(awaited3, 1)
    }

    func testFilesInOtherFieldsAreNotLeftBehind() async throws {
        let (browser, target) = try await annaOnHerCase()
        let response = try await post(browser, target, multipart(fields: [], files: [("files", "a.txt"), ("other", "b.txt"), ("x", "c.txt")]))
        XCTAssertEqual(response.status, .seeOther)
        let awaited4 = try await storedFiles(target)
        XCTAssertEqual(awaited4, 1)
        XCTAssertEqual(leftInIncoming(), [], "parts of other fields are removed")
        let none = try await post(browser, target, multipart(fields: [], files: [("other", "b.txt")]))
        XCTAssertEqual(none.status, .unprocessableEntity)
        XCTAssertEqual(leftInIncoming(), [], "an upload without files leaves nothing either")
    }

    func testAnOverlongPartHeaderIsMalformed() throws {
        var stream = MultipartStream(boundary: "b")
        let header = "--b\r\nContent-Disposition: form-data; name=\"x\"; filename=\"" + String(repeating: "n", count: 20_000) + "\"\r\n\r\nbody\r\n--b--\r\n"
        XCTAssertThrowsError(try stream.feed(Array(header.utf8)) { _ in }, "a 20 KB header block in one chunk")
    }

    func testAClientGoingAwayMidUploadLeavesNothing() async throws {
        let (browser, target) = try await annaOnHerCase()
        let raw = RawHTTP(port: try await harness.startServer())
        let fd = try raw.connect()
        let cookie = browser.cookies.map { "\($0)=\($1)" }.joined(separator: "; ")
        let head = "POST /cases/\(target.number)/files HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Content-Type: multipart/form-data; boundary=gone\r\nContent-Length: 10000000\r\nCookie: \(cookie)\r\n\r\n"
            + "--gone\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n\(browser.csrfToken ?? "")\r\n"
            + "--gone\r\nContent-Disposition: form-data; name=\"files\"; filename=\"half.bin\"\r\n\r\n"
        RawHTTP.write(fd, Array(head.utf8))
        RawHTTP.write(fd, [UInt8](repeating: 0x41, count: 300_000))
        // Wait until the part is being written, then hang up.
        for _ in 0..<100 where leftInIncoming().isEmpty { try await Task.sleep(nanoseconds: 20_000_000) }
        XCTAssertEqual(leftInIncoming().count, 1, "the upload had started")
        close(fd)
        for _ in 0..<250 where !leftInIncoming().isEmpty { try await Task.sleep(nanoseconds: 20_000_000) }
        XCTAssertEqual(leftInIncoming(), [], "the half-written part is removed when the client goes away")
        // Let the abandoned request finish its answer before the app is shut down.
        try await Task.sleep(nanoseconds: 1_000_000_000)
        let awaited5 = try await storedFiles(target)
        XCTAssertEqual(awaited5, 0)
    }

    func testTheSweepRemovesOnlyOldParts() throws {
        let directory = URL(fileURLWithPath: incoming)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let old = directory.appendingPathComponent("old").path, fresh = directory.appendingPathComponent("fresh").path
        FileManager.default.createFile(atPath: old, contents: Data("x".utf8))
        FileManager.default.createFile(atPath: fresh, contents: Data("x".utf8))
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-2 * 3_600)], ofItemAtPath: old)
        XCTAssertEqual(IncomingSweeper.sweep(directory), 1)
        XCTAssertEqual(leftInIncoming(), ["fresh"])
        // An hour later the other one goes too.
        XCTAssertEqual(IncomingSweeper.sweep(directory, now: Date().addingTimeInterval(3_700)), 1)
        XCTAssertEqual(leftInIncoming(), [])
    }

    func testStartingTheServerSweepsLeftoverParts() async throws {
        let directory = URL(fileURLWithPath: incoming)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let old = directory.appendingPathComponent("left-by-a-crash").path
        FileManager.default.createFile(atPath: old, contents: Data("x".utf8))
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-2 * 3_600)], ofItemAtPath: old)
        let second = try await Application.make(.testing)
        second.logger.logLevel = .warning
        try await configure(second, config: harness.app.caseport.config)
        try await second.asyncShutdown()
        XCTAssertEqual(leftInIncoming(), [])
    }
}
