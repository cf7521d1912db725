@testable import CaseportStore
import CaseportCore
import CaseportTestSupport
import FluentKit
import SQLKit
import XCTest

/// M019 converts the timeline rows written before typed events; nothing is lost and the stream's
/// counter continues after the highest id.
final class TypedCaseEventsMigrationTests: XCTestCase {
    var harness: StoreHarness!
    override func setUp() async throws { harness = try await StoreHarness() }
    override func tearDown() async throws { await harness.shutdown() }

    func testRowsOfTheOldShapeBecomeTypedEventsWithTheirAudience() async throws {
        let db = harness.database
        let sql = try XCTUnwrap(db as? any SQLDatabase)
        let record = try await CaseCreation.create(NewCase(subject: "Gammal", description: "", createdByName: "T", origin: .portal), on: db)
        let caseId = try record.requireID()
        // Back to the shape before M019, with rows as the old code wrote them.
        try await M019_TypedCaseEvents().revert(on: db)
        let old: [(String, String?, String?, String?)] = [
            ("status", "status", "new", "open"),
            ("field", "subject", "Läcka \"stor\"", "Läcka"),
            ("handler", "handler", nil, "Henrik"),
            ("note", nil, nil, nil),
            ("message", nil, nil, nil),
            ("email_reply", nil, nil, nil),
        ]
        for (kind, field, before, after) in old {
            try await sql.raw("""
                INSERT INTO case_events (case_id, at, actor_name, kind, field, before, after)
                VALUES (\(bind: caseId), \(bind: Date()), 'Henrik', \(bind: kind), \(bind: field), \(bind: before), \(bind: after))
                """).run()
        }
        try await M019_TypedCaseEvents().prepare(on: db)

        let events = try await CaseEvents.after(0, on: db)
        XCTAssertEqual(events.map(\.event), [
            .statusChanged(from: .new, to: .open),
            .fieldChanged(.subject, before: "Läcka \"stor\"", after: "Läcka"),
            .handlerChanged(before: nil, after: "Henrik"),
            .internalNote, .staffMessage, .emailReply,
        ])
        XCTAssertEqual(events.map(\.audience), [.customer, .customer, .staff, .staff, .customer, .customer])

        // New events continue after the converted ones.
        try await db.transaction { tx in
            try await CaseEvents.append(.customerMessage, caseId: caseId, by: EventActor(name: "Anna"), at: Date(), on: tx)
        }
        let newest = try await CaseEvents.after(events.last!.id, on: db)
        XCTAssertEqual(newest.map(\.event), [.customerMessage])
        XCTAssertEqual(newest.first?.id, events.last!.id + 1)
    }
}
