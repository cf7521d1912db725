import CaseportCore
import CaseportOperations
import CaseportStore
import CaseportTestSupport
import FluentKit
import XCTest

/// The mail gate's write (B7), below the MIME parsing: who may reply on a case, and the reply's
/// message, files and event in one transaction.
final class PlaceEmailReplyTests: XCTestCase {
    var harness: StoreHarness!
    var world: OperationWorld!

    override func setUp() async throws {
        harness = try await StoreHarness()
        world = try await OperationWorld.build(on: harness.database)
    }

    override func tearDown() async throws { await harness.shutdown() }

    func testOnlySomeoneWhoMayWriteOnTheCaseIsAWriter() async throws {
        let anna = try await PlaceEmailReply.writer(caseId: world.caseA.id!, email: "anna@example.com", in: world.context)
        XCTAssertEqual(anna?.author.userId, world.anna.userId)
        XCTAssertEqual(anna?.author.kind, .customer)
        // Bert is a real portal user, but case A is outside his reach (A7).
        let bert = try await PlaceEmailReply.writer(caseId: world.caseA.id!, email: "bert@example.com", in: world.context)
        XCTAssertNil(bert)
        let stranger = try await PlaceEmailReply.writer(caseId: world.caseA.id!, email: "nobody@example.com", in: world.context)
        XCTAssertNil(stranger)
        let missing = try await PlaceEmailReply.writer(caseId: 999_999, email: "anna@example.com", in: world.context)
        XCTAssertNil(missing)
    }

    func testAContactLinkedToTheCaseIsAWriterByName() async throws {
        let contact = ContactRecord(firstName: "Cilla", lastName: "Kontakt", email: "Cilla@Example.com")
        try await contact.create(on: world.db)
        try await CaseContactLink(caseId: world.caseA.id!, contactId: contact.requireID(), isPrimary: false).create(on: world.db)
        let writer = try await PlaceEmailReply.writer(caseId: world.caseA.id!, email: "cilla@example.com", in: world.context)
        XCTAssertEqual(writer?.author.name, "Cilla Kontakt")
        XCTAssertNil(writer?.author.userId)
        let elsewhere = try await PlaceEmailReply.writer(caseId: world.caseB.id!, email: "cilla@example.com", in: world.context)
        XCTAssertNil(elsewhere, "a contact writes only on the cases they are linked to")
    }

    /// A visitor without a login whose inquiry (a chat left unanswered, issue 15) became a case answers the
    /// company's mail: their address is the inquiry's, so the reply belongs on that case, and only there.
    func testTheSenderOfTheInquiryTheCaseWasMadeFromIsAWriter() async throws {
        let inquiry = InquiryRecord()
        inquiry.status = .processed
        inquiry.createdAt = Date()
        inquiry.subject = "Chatt med Vera"
        inquiry.description = "Hur lägger jag till en användare?"
        inquiry.fieldValuesJSON = "[]"
        inquiry.senderName = "Vera Visitor"
        inquiry.senderEmail = "Vera@Example.org"
        inquiry.caseId = world.caseA.id
        try await inquiry.create(on: world.db)
        let vera = try await PlaceEmailReply.writer(caseId: world.caseA.id!, email: "vera@example.org", in: world.context)
        XCTAssertEqual(vera?.author.name, "Vera Visitor")
        XCTAssertNil(vera?.author.userId)
        let elsewhere = try await PlaceEmailReply.writer(caseId: world.caseB.id!, email: "vera@example.org", in: world.context)
        XCTAssertNil(elsewhere, "the inquiry's sender writes only on the case made of it")
        let other = try await PlaceEmailReply.writer(caseId: world.caseA.id!, email: "someone@example.org", in: world.context)
        XCTAssertNil(other)
    }

    func testAReplyWritesItsMessageItsFilesAndOneEvent() async throws {
        let writer = try await PlaceEmailReply.writer(caseId: world.caseA.id!, email: "anna@example.com", in: world.context)!
        let placed = try await PlaceEmailReply.run(.init(writer: writer, body: "Tack, det fungerar nu.", attachments: [
            .init(storageKey: "ab12", originalName: "bild.jpg", contentType: "image/jpeg", byteSize: 10),
        ]), in: world.context)
        XCTAssertEqual(placed.attachments, 1)
        XCTAssertNotNil(placed.messageId)
        let messages = try await CaseConversation(database: world.db).publicMessages(caseId: world.caseA.id!)
        XCTAssertEqual(Set(messages.map(\.body)), ["Tack, det fungerar nu.", "Uploaded bild.jpg"])
        let files = try await StoredFileRecord.query(on: world.db).filter(\.$caseId == world.caseA.id).all()
        XCTAssertEqual(files.map(\.storageKey), ["ab12"])
        XCTAssertEqual(files.first?.uploadedByUserId, world.anna.userId)
        let events = try await world.events(of: world.caseA)
        XCTAssertEqual(events.map(\.event), [.emailReply])
        XCTAssertEqual(events.first?.audience, .customer)
        let record = try await world.reload(world.caseA)
        XCTAssertTrue(record.hasUnreadActivity, "a mailed reply is news for the back office (D4)")
    }

    func testAReplyWithFilesOnlyHasNoTextMessage() async throws {
        let writer = try await PlaceEmailReply.writer(caseId: world.caseA.id!, email: "anna@example.com", in: world.context)!
        let placed = try await PlaceEmailReply.run(.init(writer: writer, body: "", attachments: [
            .init(storageKey: "cd34", originalName: "a.pdf", contentType: "application/pdf", byteSize: 3),
        ]), in: world.context)
        XCTAssertNil(placed.messageId)
        let messages = try await CaseConversation(database: world.db).publicMessages(caseId: world.caseA.id!)
        XCTAssertEqual(messages.map(\.body), ["Uploaded a.pdf"])
    }
}

/// Mail that cannot be placed is listed for staff with its stored file (B7).
final class KeepUnplacedMailTests: XCTestCase {
    var harness: StoreHarness!
    var world: OperationWorld!

    override func setUp() async throws {
        harness = try await StoreHarness()
        world = try await OperationWorld.build(on: harness.database)
    }

    override func tearDown() async throws { await harness.shutdown() }

    func testTheMessageIsListedByItsFileWithSenderSubjectAndReasonCut() async throws {
        try await KeepUnplacedMail.run(.init(sender: "x@example.com", subject: String(repeating: "s", count: 600), reason: "no_token",
                                             storageKey: "ab12", bytes: 1_234), in: world.context)
        let kept = try await UnplacedMailRecord.query(on: world.db).all()
        XCTAssertEqual(kept.count, 1)
        XCTAssertEqual(kept.first?.sender, "x@example.com")
        XCTAssertEqual(kept.first?.subject.count, 500)
        XCTAssertEqual(kept.first?.reason, "no_token")
        XCTAssertEqual(kept.first?.rawKey, "ab12")
        XCTAssertEqual(kept.first?.rawBytes, 1_234)
        XCTAssertEqual(kept.first?.raw, "", "the bytes are a file, never a database text")
        XCTAssertNil(kept.first?.handledAt)
    }
}
