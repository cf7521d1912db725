import CaseportCore
import CaseportOperations
import CaseportStore
import CaseportTestSupport
import FluentKit
import XCTest

/// Issue 13 (C3): a visitor of a claim's customer page writes, below HTTP, on both databases.
final class ClaimOperationsTests: XCTestCase {
    var harness: StoreHarness!
    var world: OperationWorld!

    override func setUp() async throws {
        harness = try await StoreHarness()
        world = try await OperationWorld.build(on: harness.database)
        let details = ClaimDetailsRecord()
        details.id = world.caseA.id
        details.policyholderType = ClaimCustomerType.privateCustomer.rawValue
        try await details.create(on: world.db)
    }

    override func tearDown() async throws { await harness.shutdown() }

    var visitor: WriteClaimMessage.Visitor {
        .init(caseId: world.caseA.id!, name: "Bente Larsen", email: "bente@example.dk", isPreview: false)
    }

    func setCase(_ change: (inout ClaimPageOverrides) -> Void) async throws {
        let details = try await ClaimDetailsRecord.find(world.caseA.id!, on: world.db)!
        var overrides = ClaimPageOverrides()
        change(&overrides)
        details.pageSettings = String(decoding: try JSONEncoder().encode(overrides), as: UTF8.self)
        try await details.update(on: world.db)
    }

    func testAVisitorsMessageIsWrittenLikeACustomerMessageWithTheHandlersNotice() async throws {
        let record = try await world.reload(world.caseA)
        record.hasUnreadActivity = false
        try await record.update(on: world.db)
        let files = [AttachUploadedFiles.StoredUpload(storageKey: "abcdef01", originalName: "gulv.jpg", contentType: "image/jpeg", byteSize: 3)]
        let id = try await WriteClaimMessage.run(.init(body: "  Vandet er tilbage  ", files: files), by: visitor, in: world.context).value
        XCTAssertNotNil(id)
        let messages = try await CaseConversation(database: world.db).publicMessages(caseId: world.caseA.id!)
        XCTAssertEqual(messages.first?.body, "Vandet er tilbage")
        XCTAssertEqual(messages.first?.authorName, "Bente Larsen (bente@example.dk)")
        XCTAssertEqual(messages.first?.authorKind, .customer)
        let file = try await StoredFileRecord.query(on: world.db).filter(\.$messageId == id!).first()
        XCTAssertEqual(file?.originalName, "gulv.jpg")
        XCTAssertEqual(file?.isShared, true)
        let outbox = try await world.outbox(of: world.caseA)
        XCTAssertEqual(outbox.map(\.kind), ["handler_customer_message"])
        XCTAssertEqual(outbox.first?.recipient, world.handlerEmail)
        let events = try await world.events(of: world.caseA).filter { $0.actor.name.hasPrefix("Bente") }
        XCTAssertEqual(Set(events.map(\.event)), [.customerMessage, .filesUploaded(names: ["gulv.jpg"])])
        XCTAssertTrue(events.allSatisfy { $0.actor == EventActor(name: "Bente Larsen (bente@example.dk)") })
        let reloaded = try await world.reload(world.caseA)
        XCTAssertTrue(reloaded.hasUnreadActivity)
    }

    func testProblemsAndRefusalsWriteNothing() async throws {
        let eventsBefore = try await world.events(of: world.caseA).count
        let empty = try await WriteClaimMessage.run(.init(body: "   "), by: visitor, in: world.context).problems
        XCTAssertEqual(empty?.all(.body), ["message_error_empty"])
        let long = try await WriteClaimMessage.run(.init(body: String(repeating: "x", count: InputLimits.message + 1)), by: visitor,
                                                   in: world.context).problems
        XCTAssertEqual(long?.all(.body), [ProblemKey.tooLong])
        // Staff previewing the page may not write from it.
        var preview = visitor
        preview.isPreview = true
        do {
            _ = try await WriteClaimMessage.run(.init(body: "Hej"), by: preview, in: world.context)
            XCTFail("a preview wrote")
        } catch let error as OperationError { XCTAssertEqual(error, .forbidden) }
        // Only to the customer, or a tab not shown yet: not now.
        for change in [{ (o: inout ClaimPageOverrides) in o.messageDirection = .toCustomer },
                       { (o: inout ClaimPageOverrides) in o.messages = .positiveDecision }] {
            try await setCase(change)
            do {
                _ = try await WriteClaimMessage.run(.init(body: "Hej"), by: visitor, in: world.context)
                XCTFail("wrote although the settings forbid it")
            } catch let error as OperationError { XCTAssertEqual(error, .notAllowedNow) }
        }
        // A case that is not a claim has no customer page.
        var other = visitor
        other.caseId = world.caseB.id!
        do {
            _ = try await WriteClaimMessage.run(.init(body: "Hej"), by: other, in: world.context)
            XCTFail("wrote on a case that is no claim")
        } catch let error as OperationError { XCTAssertEqual(error, .notFound) }
        let messages = try await CaseConversation(database: world.db).publicMessages(caseId: world.caseA.id!)
        XCTAssertEqual(messages, [])
        let outbox = try await world.outbox(of: world.caseA)
        XCTAssertEqual(outbox.count, 0)
        let events = try await world.events(of: world.caseA)
        XCTAssertEqual(events.count, eventsBefore)
    }
}
