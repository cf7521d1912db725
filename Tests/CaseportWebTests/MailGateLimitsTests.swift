import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Foundation
import Vapor
import XCTest

/// Issue 9, point 8, the mail gate: mail without a valid token is kept unread, nesting is bounded, kept
/// mail is a file in storage (not a database text the staff list drags along), and a message too large
/// to read in memory is written to a file as it arrives.
final class MailGateLimitsTests: XCTestCase {
    var harness: WebHarness!
    let tokens = ReplyTokens(secret: "gate-secret")

    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws { try await harness.shutdown() }

    var gate: MailGate {
        MailGate(database: harness.app.db, storage: harness.app.caseport.storage, tokens: tokens,
                 translations: harness.app.caseport.translations)
    }

    /// `levels` multiparts, each holding the next: 145 KB of this cost 34 s of CPU before.
    static func nested(levels: Int, to: String, from: String = "anna@solglantan.example") -> [UInt8] {
        var body = "Content-Type: text/plain\r\n\r\nDjupt inne.\r\n"
        for level in 0..<levels {
            body = "Content-Type: multipart/mixed; boundary=\"b\(level)\"\r\n\r\n--b\(level)\r\n\(body)--b\(level)--\r\n"
        }
        return Array("From: \(from)\r\nTo: \(to)\r\nSubject: Djup\r\n".utf8) + Array(body.utf8)
    }

    func depth(of part: MIMEPart) -> Int { 1 + (part.parts.map(depth(of:)).max() ?? 0) }

    func testNestingIsBoundedWhateverTheMessage() {
        let message = MIMEPart.parse(Self.nested(levels: 3_000, to: "x@example.org"))
        XCTAssertLessThanOrEqual(depth(of: message), MIMEPart.deepestNesting + 1)
        let shallow = MIMEPart.parse(Self.nested(levels: 3, to: "x@example.org"))
        XCTAssertEqual(shallow.leaves.first?.text, "Djupt inne.", "ordinary nesting is read as before")
    }

    func testManyPartsStopAtTheLimit() {
        var body = ""
        for _ in 0..<(MIMEPart.mostParts * 3) { body += "--x\r\nContent-Type: text/plain\r\n\r\nhej\r\n" }
        let raw = Array("Content-Type: multipart/mixed; boundary=x\r\n\r\n\(body)--x--\r\n".utf8)
        XCTAssertEqual(MIMEPart.parse(raw).parts.count, MIMEPart.mostParts)
    }

    func testMailWithoutATokenIsKeptAsAFileAndNotInTheDatabase() async throws {
        let raw = Self.nested(levels: 20_000, to: "someone@fastighet.example")
        let outcome = try await gate.receive(raw)
        XCTAssertEqual(outcome, .unplaced(reason: "no_token"))
        let kept = try await UnplacedMailRecord.query(on: harness.app.db).first()
        XCTAssertEqual(kept?.raw, "", "the message is not a database text")
        XCTAssertEqual(kept?.rawBytes, raw.count)
        XCTAssertEqual(kept?.sender, "anna@solglantan.example")
        let stored = try await harness.stored(try XCTUnwrap(kept?.rawKey))
        XCTAssertEqual(stored, raw, "kept byte for byte")
    }

    func testAForgedTokenIsKeptUnreadToo() async throws {
        let customer = try await Demo.customer("1001", on: harness.app.db)
        let target = try await CaseRecord.query(on: harness.app.db).filter(\.$customerId == customer.id!).first()!
        let token = ReplyTokens(secret: "another-secret").token(caseId: target.id!, recipient: "anna@solglantan.example")
        let outcome = try await gate.receive(Self.nested(levels: 5, to: "svar+\(token)@fastighet.example"))
        XCTAssertEqual(outcome, .unplaced(reason: "bad_token"))
    }

    func testAValidReplyNestedTooDeepIsStillAnswered() async throws {
        let customer = try await Demo.customer("1001", on: harness.app.db)
        let target = try await CaseRecord.query(on: harness.app.db).filter(\.$customerId == customer.id!)
            .filter(\.$status != .closed).first()!
        let token = tokens.token(caseId: target.id!, recipient: "anna@solglantan.example")
        // Too deep to reach the text: kept for staff, not an error and not a hang.
        let deep = try await gate.receive(Self.nested(levels: 5_000, to: "svar+\(token)@fastighet.example"))
        XCTAssertEqual(deep, .unplaced(reason: "empty"))
        let shallow = try await gate.receive(Self.nested(levels: 4, to: "svar+\(token)@fastighet.example"))
        guard case .placed(let caseId, _, _) = shallow else { return XCTFail("\(shallow)") }
        XCTAssertEqual(caseId, target.id)
    }

    func testAdminsListAndDownloadKeptMailAndHandlersCannot() async throws {
        let raw = Array("From: x@y.example\r\nSubject: <script>alert(1)</script>\r\n\r\nHej\r\n".utf8)
        _ = try await gate.receive(raw)
        let kept = try await UnplacedMailRecord.query(on: harness.app.db).first()!
        let admin = harness.browser()
        try await admin.staffLogin("admin@example.com")
        try await admin.get("/staff/outbox")
        XCTAssertTrue(admin.lastBody.contains("/staff/outbox/unplaced/\(kept.id!)/message"))
        XCTAssertFalse(admin.lastBody.contains("<script>alert(1)"), "escaped in the list")
        let download = try await admin.get("/staff/outbox/unplaced/\(kept.id!)/message")
        XCTAssertEqual(download.status, .ok)
        XCTAssertEqual(download.headers.contentType?.serialize(), "application/octet-stream")
        XCTAssertTrue(download.headers.first(name: .contentDisposition)?.hasPrefix("attachment;") ?? false)
        XCTAssertEqual(Array(download.body.readableBytesView), raw)

        let handler = harness.browser()
        try await handler.staffLogin("handler@example.com")
        let refused = try await handler.get("/staff/outbox/unplaced/\(kept.id!)/message")
        XCTAssertEqual(refused.status, .forbidden)
    }

    func testAMessageLargerThanMemoryAllowsIsWrittenToAFileAsItArrives() async throws {
        let pipe = Pipe()
        let raw = Array("From: anna@solglantan.example\r\nSubject: Stor bilaga\r\n\r\n".utf8)
            + [UInt8](repeating: UInt8(ascii: "A"), count: 300_000)
        let writer = Thread { pipe.fileHandleForWriting.write(Data(raw)); try? pipe.fileHandleForWriting.close() }
        writer.start()
        let input = try MailInput.read(from: pipe.fileHandleForReading, inMemoryUpTo: 100_000, storage: harness.app.caseport.storage)
        guard case .spilled(let file, let bytes) = input else { return XCTFail("kept in memory") }
        XCTAssertEqual(bytes, raw.count)
        XCTAssertEqual(file.head, Array(raw.prefix(64 * 1_024)))
        let path = file.url.path
        let outcome = try await gate.keepUnread(file, bytes: bytes)
        XCTAssertEqual(outcome, .unplaced(reason: "too_large"))
        let kept = try await UnplacedMailRecord.query(on: harness.app.db).first()!
        XCTAssertEqual(kept.subject, "Stor bilaga")
        let stored = try await harness.stored(kept.rawKey!)
        XCTAssertEqual(stored, raw)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "moved out of incoming")
    }
}
