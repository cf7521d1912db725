import CaseportCore
import CaseportOperations
import CaseportStore
import CaseportTestSupport
import FluentKit
import XCTest

/// E1: putting an undelivered message back in the queue is an administrator's action.
final class RetryDeliveryTests: XCTestCase {
    var harness: StoreHarness!
    var world: OperationWorld!

    override func setUp() async throws {
        harness = try await StoreHarness()
        world = try await OperationWorld.build(on: harness.database)
    }

    override func tearDown() async throws { await harness.shutdown() }

    private func failedMessage() async throws -> OutboxRecord {
        let row = OutboxRecord(kind: .messageCopy, recipient: "anna@example.com", language: "sv", subject: "S", body: "B")
        row.status = "failed"
        row.attempts = 8
        row.lastError = "550 no such user"
        try await row.create(on: world.db)
        return row
    }

    func testAnAdministratorPutsAFailedMessageBackForDelivery() async throws {
        let row = try await failedMessage()
        var admin = world.handler
        admin.isAdmin = true
        try await RetryDelivery.run(outboxId: row.requireID(), by: admin, in: world.context)
        let after = try await OutboxRecord.find(row.id, on: world.db)
        XCTAssertEqual(after?.status, "pending")
        XCTAssertEqual(after?.attempts, 0)
    }

    func testAHandlerMayNotAndAMissingMessageIsNotFound() async throws {
        let row = try await failedMessage()
        do {
            try await RetryDelivery.run(outboxId: row.requireID(), by: world.handler, in: world.context)
            XCTFail("a handler retried")
        } catch OperationError.forbidden {}
        let unchanged = try await OutboxRecord.find(row.id, on: world.db)
        XCTAssertEqual(unchanged?.status, "failed")
        var admin = world.handler
        admin.isAdmin = true
        do {
            try await RetryDelivery.run(outboxId: 999_999, by: admin, in: world.context)
            XCTFail("a missing message was retried")
        } catch OperationError.notFound {}
    }
}
