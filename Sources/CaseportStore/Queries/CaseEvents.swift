import CaseportCore
import FluentKit
import Foundation
import SQLKit

/// Who caused a case event.
public struct EventActor: Sendable, Equatable {
    public var staffId: Int?
    public var portalUserId: Int?
    public var name: String
    public init(staffId: Int? = nil, portalUserId: Int? = nil, name: String) {
        self.staffId = staffId
        self.portalUserId = portalUserId
        self.name = name
    }
}

/// A case event as read back from the stream.
public struct StoredCaseEvent: Sendable, Equatable {
    public var id: Int
    public var caseId: Int
    public var at: Date
    public var actor: EventActor
    public var event: CaseEvent
    public var audience: EventAudience
}

/// The append-only case-event stream (D3, C1, E4). Every change to a case appends its events in the
/// transaction of the change; ids come from the `case_event` counter, taken with UPDATE … RETURNING in
/// that transaction, so PostgreSQL holds the counter row until commit and ids increase in commit
/// order: a consumer that remembers the last id it read and asks for the ones after it misses none.
/// (Append events last in a transaction: the counter row is held from then until commit.)
public enum CaseEvents {
    public static let counterName = "case_event"

    public static func append(_ event: CaseEvent, caseId: Int, by actor: EventActor, at now: Date,
                              audience: EventAudience? = nil, on tx: any Database) async throws {
        let row = try await tx.requireSQL().raw("""
            UPDATE counters SET value = value + 1 WHERE id = \(bind: counterName) RETURNING value
            """).first()
        guard let id = try row?.decode(column: "value", as: Int.self) else { throw StoreError.counterMissing(counterName) }
        let record = CaseEventRecord()
        record.id = id
        record.caseId = caseId
        record.at = now
        record.staffId = actor.staffId
        record.portalUserId = actor.portalUserId
        record.actorName = actor.name
        record.kind = event.kind.rawValue
        record.payload = event.encodedPayload()
        record.audience = (audience ?? event.defaultAudience).rawValue
        try await record.create(on: tx)
        // Webhooks (issue 16): the deliveries of this event are written in its transaction.
        try await WebhookQueue.enqueue(eventId: id, caseId: caseId, event: event, audience: audience ?? event.defaultAudience,
                                       actor: actor, at: now, on: tx)
    }

    /// The staff timeline of one case: newest first. Staff see every audience.
    public static func timeline(caseId: Int, limit: Int = 200, on database: any Database) async throws -> [StoredCaseEvent] {
        let rows = try await CaseEventRecord.query(on: database).filter(\.$caseId == caseId)
            .sort(\.$at, .descending).sort(\.$id, .descending).limit(limit).all()
        return try rows.map(decode)
    }

    /// The stream after `lastSeen`, oldest first, at most `limit` — for consumers that resume.
    /// `audience` limits it to events the customer may see.
    public static func after(_ lastSeen: Int, audience: EventAudience? = nil, limit: Int = 500,
                             on database: any Database) async throws -> [StoredCaseEvent] {
        let query = CaseEventRecord.query(on: database).filter(\.$id > lastSeen)
        if let audience { query.filter(\.$audience == audience.rawValue) }
        return try await query.sort(\.$id).limit(limit).all().map(decode)
    }

    static func decode(_ record: CaseEventRecord) throws -> StoredCaseEvent {
        StoredCaseEvent(
            id: try record.requireID(), caseId: record.caseId, at: record.at,
            actor: EventActor(staffId: record.staffId, portalUserId: record.portalUserId, name: record.actorName),
            event: try CaseEvent(kind: record.kind, payload: record.payload),
            audience: EventAudience(rawValue: record.audience) ?? .staff)
    }
}
