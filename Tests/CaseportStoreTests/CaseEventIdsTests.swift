import CaseportCore
import CaseportStore
import CaseportTestSupport
import FluentKit
import Foundation
import XCTest

/// Case-event ids (issue 17, M041_UnqueuedCaseWrites): on PostgreSQL given as the transaction commits,
/// or at once when webhooks subscribe to the kind; on SQLite when appended. Either way they increase
/// in the order of appending and commit, without gaps, and a rolled-back transaction uses none.
final class CaseEventIdsTests: StoreTestCase {
    let actor = EventActor(name: "T")

    func newCase() async throws -> Int {
        try await CaseCreation.create(NewCase(subject: "Ordning", description: "", createdByName: "T", origin: .portal), on: db)
            .requireID()
    }

    func testEventsOfOneTransactionKeepTheOrderOfAppendingWhenOnlyTheLaterHasWebhookSubscribers() async throws {
        let caseId = try await newCase()
        let subscription = WebhookSubscriptionRecord()
        subscription.url = "https://hooks.example/caseport"
        subscription.secret = "whsec_dGVzdA=="
        subscription.kinds = WebhookSubscriptionRecord.storedKinds([CaseEvent.Kind.statusChanged.rawValue])
        subscription.description = ""
        subscription.isActive = true
        subscription.failedAttempts = 0
        subscription.createdAt = 0
        try await subscription.create(on: db)
        let actor = self.actor
        try await db.transaction { tx in
            try await CaseEvents.append(.internalNote, caseId: caseId, by: actor, at: Date(), on: tx)
            try await CaseEvents.append(.statusChanged(from: .new, to: .open), caseId: caseId, by: actor, at: Date(), on: tx)
            try await CaseEvents.append(.internalNote, caseId: caseId, by: actor, at: Date(), on: tx)
        }
        let events = try await CaseEvents.after(0, on: db)
        XCTAssertEqual(events.map(\.event), [.internalNote, .statusChanged(from: .new, to: .open), .internalNote])
        XCTAssertEqual(events.map(\.id), [events[0].id, events[0].id + 1, events[0].id + 2])
        XCTAssertGreaterThan(events[0].id, 0, "no provisional id outlives its transaction")
        let deliveries = try await WebhookDeliveryRecord.query(on: db).all()
        XCTAssertEqual(deliveries.map(\.eventId), [events[1].id], "the delivery carries the event's final id")
    }

    func testARolledBackTransactionUsesNoEventId() async throws {
        struct Abort: Error {}
        let caseId = try await newCase()
        let actor = self.actor
        try await CaseEvents.append(.internalNote, caseId: caseId, by: actor, at: Date(), on: db)
        do {
            try await db.transaction { tx in
                try await CaseEvents.append(.internalNote, caseId: caseId, by: actor, at: Date(), on: tx)
                throw Abort()
            }
        } catch is Abort {}
        try await CaseEvents.append(.customerMessage, caseId: caseId, by: actor, at: Date(), on: db)
        let events = try await CaseEvents.after(0, on: db)
        XCTAssertEqual(events.map(\.event), [.internalNote, .customerMessage])
        XCTAssertEqual(events[1].id, events[0].id + 1)
    }
}
