import CaseportCore
import CaseportOperations
import CaseportStore
import CaseportTestSupport
import FluentKit
import XCTest

/// The case-event stream as its consumers (feed, webhooks, API, chat) will read it.
final class CaseEventStreamTests: XCTestCase {
    var harness: StoreHarness!
    var world: OperationWorld!

    override func setUp() async throws {
        harness = try await StoreHarness()
        world = try await OperationWorld.build(on: harness.database)
    }

    override func tearDown() async throws { await harness.shutdown() }

    func testIdsIncreaseAndAReaderResumesAfterTheLastIdItSaw() async throws {
        _ = try await WriteCustomerMessage.run(.init(caseNumber: world.caseA.number, body: "Ett", copyToMe: false, author: .none,
                                                     language: .en), by: world.anna, in: world.context)
        let first = try await CaseEvents.after(0, on: world.db)
        XCTAssertEqual(first.count, 1)
        _ = try await WriteStaffMessage.run(.init(caseNumber: world.caseA.number, body: "Notering", isInternal: true),
                                            by: world.handler, in: world.context)
        _ = try await WriteCustomerMessage.run(.init(caseNumber: world.caseB.number, body: "Två", copyToMe: false, author: .none,
                                                     language: .en), by: world.bert, in: world.context)
        let rest = try await CaseEvents.after(first[0].id, on: world.db)
        XCTAssertEqual(rest.map(\.event), [.internalNote, .customerMessage])
        XCTAssertEqual(rest.map(\.id), rest.map(\.id).sorted())
        XCTAssertTrue(rest.allSatisfy { $0.id > first[0].id })
        let customerOnly = try await CaseEvents.after(0, audience: .customer, on: world.db)
        XCTAssertEqual(customerOnly.map(\.caseId), [world.caseA.id!, world.caseB.id!], "the internal note is not customer news")
    }

    func testEventsWrittenAtOnceGetDistinctIncreasingIds() async throws {
        let context = world.context, anna = world.anna, number = world.caseA.number
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<20 {
                group.addTask {
                    _ = try await WriteCustomerMessage.run(.init(caseNumber: number, body: "Nr \(n)", copyToMe: false, author: .none,
                                                                 language: .en), by: anna, in: context)
                }
            }
            try await group.waitForAll()
        }
        let ids = try await CaseEvents.after(0, on: world.db).map(\.id)
        XCTAssertEqual(ids.count, 20)
        XCTAssertEqual(Set(ids).count, 20)
        XCTAssertEqual(ids, ids.sorted())
        XCTAssertEqual(ids.last, ids.first! + 19, "ids are handed out without gaps by the counter")
    }

    func testAStoredEventOfAnUnknownKindIsAnErrorNotASilentlyWrongEvent() throws {
        XCTAssertThrowsError(try CaseEvent(kind: "teleported", payload: nil))
        XCTAssertThrowsError(try CaseEvent(kind: "status", payload: "{}"))
        XCTAssertThrowsError(try CaseEvent(kind: "status", payload: "not json"))
    }
}
