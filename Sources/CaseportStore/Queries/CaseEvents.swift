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
/// transaction of the change; ids come from the `case_event` counter, so ids increase in commit order
/// without gaps: a consumer that remembers the last id it read and asks for the ones after it misses none.
///
/// SQLite: the id is taken with UPDATE … RETURNING when the event is appended (SQLite runs one writer at
/// a time). PostgreSQL (issue 17, M041_UnqueuedCaseWrites): the row is inserted with a provisional
/// negative id and a deferred trigger gives it the counter's next value as the transaction commits, so
/// the counter's row is held only for the commit itself, not from the append to the commit — which,
/// with every write on every server taking it, was the lock all case writes queued on. Inside the
/// writing transaction the event's id is therefore provisional; nothing reads it there. An event with
/// webhook subscribers to its kind takes its id at once (the deliveries carry it), in the same statement
/// as the insert, and holds the counter from then to the commit (append such events last).
public enum CaseEvents {
    public static let counterName = "case_event"
    /// PostgreSQL: the sequence of provisional ids, negated (M041_UnqueuedCaseWrites).
    public static let provisionalSequence = "case_event_provisional"

    public static func append(_ event: CaseEvent, caseId: Int, by actor: EventActor, at now: Date,
                              audience: EventAudience? = nil, on tx: any Database) async throws {
        let audience = audience ?? event.defaultAudience
        let sql = try tx.requireSQL()
        if sql.dialect.name != "sqlite" {
            // The common case in one statement (issue 17 point 5): the event is inserted with a provisional
            // id (given at commit, see above) unless someone subscribes to its kind, which the same
            // statement reports; then it is appended below with its id taken at once.
            let row = try await sql.raw("""
                WITH s AS (SELECT EXISTS (SELECT 1 FROM webhook_subscriptions WHERE is_active = \(true)
                                          AND kinds LIKE \(bind: "%,\(event.kind.rawValue),%")) AS subscribed),
                i AS (INSERT INTO case_events (id, case_id, at, staff_id, portal_user_id, actor_name, kind, payload, audience)
                      SELECT -nextval('\(unsafeRaw: provisionalSequence)'), \(bind: caseId), \(bind: now), \(bind: actor.staffId),
                             \(bind: actor.portalUserId), \(bind: actor.name), \(bind: event.kind.rawValue),
                             \(bind: event.encodedPayload()), \(bind: audience.rawValue)
                      FROM s WHERE NOT s.subscribed)
                SELECT subscribed FROM s
                """).first()
            guard try row?.decode(column: "subscribed", as: Bool.self) == true else { return }
        }
        // Read first: whether the id is needed now (see above).
        let subscriptions = try await WebhookQueue.subscriptions(to: event.kind, on: tx)
        let id: Int
        if sql.dialect.name == "sqlite" {
            let row = try await sql.raw("""
                UPDATE counters SET value = value + 1 WHERE id = \(bind: counterName) RETURNING value
                """).first()
            guard let value = try row?.decode(column: "value", as: Int.self) else { throw StoreError.counterMissing(counterName) }
            id = value
            let record = CaseEventRecord()
            record.id = id
            record.caseId = caseId
            record.at = now
            record.staffId = actor.staffId
            record.portalUserId = actor.portalUserId
            record.actorName = actor.name
            record.kind = event.kind.rawValue
            record.payload = event.encodedPayload()
            record.audience = audience.rawValue
            try await record.create(on: tx)
        } else if subscriptions.isEmpty {
            // Subscribed a moment ago, gone now (switched off between the two reads): as above.
            try await sql.raw("""
                INSERT INTO case_events (id, case_id, at, staff_id, portal_user_id, actor_name, kind, payload, audience)
                VALUES (-nextval('\(unsafeRaw: provisionalSequence)'), \(bind: caseId), \(bind: now), \(bind: actor.staffId),
                        \(bind: actor.portalUserId), \(bind: actor.name), \(bind: event.kind.rawValue), \(bind: event.encodedPayload()),
                        \(bind: audience.rawValue))
                """).run()
            return
        } else {
            // Events this transaction appended before get their ids now, so ids keep the order of appending;
            // from here on the trigger gives ids at once (this transaction holds the counter anyway).
            try await sql.raw("SET CONSTRAINTS case_event_number IMMEDIATE").run()
            let row = try await sql.raw("""
                WITH n AS (UPDATE counters SET value = value + 1 WHERE id = \(bind: counterName) RETURNING value)
                INSERT INTO case_events (id, case_id, at, staff_id, portal_user_id, actor_name, kind, payload, audience)
                SELECT n.value, \(bind: caseId), \(bind: now), \(bind: actor.staffId), \(bind: actor.portalUserId),
                       \(bind: actor.name), \(bind: event.kind.rawValue), \(bind: event.encodedPayload()), \(bind: audience.rawValue)
                FROM n RETURNING id
                """).first()
            guard let value = try row?.decode(column: "id", as: Int.self) else { throw StoreError.counterMissing(counterName) }
            id = value
        }
        // Webhooks (issue 16): the deliveries of this event are written in its transaction.
        if !subscriptions.isEmpty {
            try await WebhookQueue.enqueue(eventId: id, caseId: caseId, event: event, audience: audience, actor: actor,
                                           subscriptions: subscriptions, at: now, on: tx)
        }
    }

    /// The staff timeline of one case: newest first. Staff see every audience.
    public static func timeline(caseId: Int, limit: Int = 200, on database: any Database) async throws -> [StoredCaseEvent] {
        // Plain SQL read by column (issue 17, session 13): the staff case page reads it on every view.
        try await database.requireSQL().raw("""
            SELECT id, case_id, at, staff_id, portal_user_id, actor_name, kind, payload, audience
            FROM case_events WHERE case_id = \(bind: caseId)
            ORDER BY at DESC, id DESC
            LIMIT \(literal: limit)
            """).all().map { row in
            StoredCaseEvent(
                id: try row.decode(column: "id", as: Int.self), caseId: try row.decode(column: "case_id", as: Int.self),
                at: try row.decode(column: "at", as: Date.self),
                actor: EventActor(staffId: try row.decodeOptional(column: "staff_id", as: Int.self),
                                  portalUserId: try row.decodeOptional(column: "portal_user_id", as: Int.self),
                                  name: try row.decode(column: "actor_name", as: String.self)),
                event: try CaseEvent(kind: try row.decode(column: "kind", as: String.self),
                                     payload: try row.decodeOptional(column: "payload", as: String.self)),
                audience: EventAudience(rawValue: try row.decode(column: "audience", as: String.self)) ?? .staff)
        }
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
