import CaseportCore
import FluentKit
import FluentSQL
import Foundation
import SQLKit

/// Webhook deliveries (issue 16, point 3): written in the transaction that appends a case event
/// (`enqueue`, called by `CaseEvents.append`), handed to the worker the way `OutboxQueue` hands out
/// mail — one `UPDATE … RETURNING` that sets `sending` and a lease, rows picked with `FOR UPDATE SKIP
/// LOCKED` on PostgreSQL — and every attempt recorded with the receiver's answer. Delivery is at least
/// once; the `webhook-id` header (the event id) lets a receiver drop a repeat.
public struct WebhookQueue: Sendable {
    let database: any Database
    public init(database: any Database) { self.database = database }

    /// A delivery handed to a worker, with what it needs to sign and send it.
    public struct Claimed: Decodable, Sendable, Equatable {
        public var id: Int
        public var subscription_id: Int
        public var event_id: Int
        public var body: String
        public var attempts: Int
        public var subscriptionId: Int { subscription_id }
        public var eventId: Int { event_id }
        /// The Standard Webhooks message id: the same for every attempt of this event.
        public var messageId: String { "evt_\(event_id)" }
    }

    /// After this many attempts a delivery is marked failed (about a day with the outbox's backoff).
    public static let maxAttempts = 12
    /// A subscription whose deliveries have failed without a success for this long, at least
    /// `disableAfterAttempts` times — or one of whose deliveries used up its attempts (about a day of
    /// backoff) — is switched off and the administrators hear about it.
    public static let disableAfter: TimeInterval = 24 * 3_600
    public static let disableAfterAttempts = 10
    /// The receiver's answer is kept up to this many characters.
    public static let excerptLength = 500

    // MARK: Writing, in the event's transaction

    /// The active subscriptions to a kind of event (read by `CaseEvents.append` before it takes the
    /// event counter, so the counter's row is not held while they are read).
    static func subscriptions(to kind: CaseEvent.Kind, on tx: any Database) async throws -> [WebhookSubscriptionRecord] {
        // The pattern is written into the statement (a kind is one of a few fixed words): SQLite prepares
        // a statement whose LIKE pattern is a bound value afresh for every other value (session 20).
        try await WebhookSubscriptionRecord.query(on: tx).filter(\.$isActive == true)
            .filter(.sql(unsafeRaw: "kinds LIKE '%,\(kind.rawValue),%'")).field(\.$id).all()
    }

    /// Writes one delivery row per active subscription to the event's kind (`subscriptions(to:on:)`).
    /// The body is the event as the subscriber sees it: the case's number, the kind, who, when and the
    /// kind's data (names and statuses — never a message's or note's text). Runs on the event's transaction `tx`.
    static func enqueue(eventId: Int, caseId: Int, event: CaseEvent, audience: EventAudience, actor: EventActor,
                        subscriptions: [WebhookSubscriptionRecord], at now: Date, on tx: any Database) async throws {
        let kind = event.kind.rawValue
        guard !subscriptions.isEmpty else { return }
        let number = try await CaseRecord.query(on: tx).filter(\.$id == caseId).field(\.$id).field(\.$number).first()?.number
        let body = Self.body(eventId: eventId, caseNumber: number, event: event, audience: audience, actor: actor, at: now)
        let created = now.timeIntervalSince1970
        for subscription in subscriptions {
            let row = WebhookDeliveryRecord()
            row.subscriptionId = try subscription.requireID()
            row.eventId = eventId
            row.eventKind = kind
            row.body = body
            row.status = "pending"
            row.attempts = 0
            row.nextAttemptAt = 0
            row.createdAt = created
            try await row.create(on: tx)
        }
    }

    /// The JSON body: `{"type": "case.<kind>", "timestamp": …, "data": {…}}` (Standard Webhooks' shape).
    public static func body(eventId: Int, caseNumber: Int?, event: CaseEvent, audience: EventAudience, actor: EventActor,
                            at: Date) -> String {
        var data: [String: Any] = [
            "event_id": eventId, "kind": event.kind.rawValue, "audience": audience.rawValue, "actor": actor.name,
        ]
        if let caseNumber { data["case_number"] = caseNumber }
        if let payload = event.encodedPayload(), let details = try? JSONSerialization.jsonObject(with: Data(payload.utf8)) {
            data["details"] = details
        }
        let formatter = ISO8601DateFormatter()
        let object: [String: Any] = ["type": "case.\(event.kind.rawValue)", "timestamp": formatter.string(from: at), "data": data]
        let bytes = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: The worker's side

    /// Claims up to `limit` due deliveries of active subscriptions, oldest first, for `lease` seconds.
    public func claim(limit: Int, lease: TimeInterval, now: Date = Date()) async throws -> [Claimed] {
        guard limit > 0 else { return [] }
        let sql = try database.requireSQL()
        let nowSeconds = now.timeIntervalSince1970
        let lock: SQLQueryString = sql.dialect.name == "postgresql" ? " FOR UPDATE OF d SKIP LOCKED" : ""
        return try await sql.raw("""
            UPDATE webhook_deliveries SET status = 'sending', claimed_until = \(bind: nowSeconds + lease), attempts = attempts + 1
            WHERE id IN (
                SELECT d.id FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id
                WHERE s.is_active = \(true)
                  AND ((d.status = 'pending' AND d.next_attempt_at <= \(bind: nowSeconds))
                       OR (d.status = 'sending' AND d.claimed_until < \(bind: nowSeconds)))
                ORDER BY d.id LIMIT \(literal: limit)\(lock))
            RETURNING id, subscription_id, event_id, body, attempts
            """).all(decoding: Claimed.self).sorted { $0.id < $1.id }
    }

    /// What one attempt got back: the HTTP status (nil when there was no answer) and an excerpt of the
    /// body or the error.
    public struct Answer: Sendable {
        public var statusCode: Int?
        public var excerpt: String
        public var duration: TimeInterval
        public init(statusCode: Int?, excerpt: String, duration: TimeInterval) {
            self.statusCode = statusCode
            self.excerpt = excerpt
            self.duration = duration
        }
        public var succeeded: Bool { statusCode.map { (200..<300).contains($0) } ?? false }
    }

    /// What `record` decided for the subscription.
    public enum Verdict: Sendable, Equatable {
        case delivered, retryLater, gaveUp
        /// The subscription has failed for long enough: the caller switches it off (`DisableFailingWebhook`).
        case subscriptionFailing(subscriptionId: Int)
    }

    /// Logs the attempt and moves the delivery on: delivered (2xx), due again after a backoff, or failed
    /// after `maxAttempts`. Success clears the subscription's run of failures; a failure extends it.
    public func record(_ row: Claimed, answer: Answer, now: Date = Date()) async throws -> Verdict {
        let nowSeconds = now.timeIntervalSince1970
        return try await database.transaction { tx in
            let attempt = WebhookAttemptRecord()
            attempt.deliveryId = row.id
            attempt.at = nowSeconds
            attempt.statusCode = answer.statusCode
            attempt.excerpt = String(answer.excerpt.prefix(Self.excerptLength))
            attempt.durationMs = Int(answer.duration * 1_000)
            try await attempt.create(on: tx)
            let sql = try tx.requireSQL()
            if answer.succeeded {
                try await sql.raw("""
                    UPDATE webhook_deliveries SET status = 'delivered', delivered_at = \(bind: nowSeconds), claimed_until = NULL,
                           last_status = \(bind: answer.statusCode), last_error = NULL
                    WHERE id = \(bind: row.id)
                    """).run()
                try await sql.raw("""
                    UPDATE webhook_subscriptions SET failing_since = NULL, failed_attempts = 0 WHERE id = \(bind: row.subscriptionId)
                    """).run()
                return .delivered
            }
            let giveUp = row.attempts >= Self.maxAttempts
            try await sql.raw("""
                UPDATE webhook_deliveries SET status = \(bind: giveUp ? "failed" : "pending"),
                       next_attempt_at = \(bind: nowSeconds + OutboxQueue.backoff(afterAttempt: row.attempts)),
                       claimed_until = NULL, last_status = \(bind: answer.statusCode),
                       last_error = \(bind: String(answer.excerpt.prefix(Self.excerptLength)))
                WHERE id = \(bind: row.id)
                """).run()
            try await sql.raw("""
                UPDATE webhook_subscriptions SET failing_since = COALESCE(failing_since, \(bind: nowSeconds)),
                       failed_attempts = failed_attempts + 1
                WHERE id = \(bind: row.subscriptionId)
                """).run()
            if let subscription = try await WebhookSubscriptionRecord.find(row.subscriptionId, on: tx), subscription.isActive,
               giveUp || (subscription.failingSince.map { nowSeconds - $0 >= Self.disableAfter } ?? false
                          && subscription.failedAttempts >= Self.disableAfterAttempts) {
                return .subscriptionFailing(subscriptionId: row.subscriptionId)
            }
            return giveUp ? .gaveUp : .retryLater
        }
    }

    /// Puts a delivery back in line now with a fresh count of attempts (an administrator's
    /// "redeliver"); a delivered one is sent again with the same `webhook-id`.
    @discardableResult
    public func redeliver(id: Int, subscriptionId: Int) async throws -> Bool {
        let rows = try await database.requireSQL().raw("""
            UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = 0, attempts = 0, claimed_until = NULL
            WHERE id = \(bind: id) AND subscription_id = \(bind: subscriptionId) AND status <> 'sending' RETURNING id
            """).all()
        return !rows.isEmpty
    }

    /// Switches a failing subscription off; false when it already was (another worker was first).
    public func switchOff(subscriptionId: Int, at now: Date) async throws -> Bool {
        let rows = try await database.requireSQL().raw("""
            UPDATE webhook_subscriptions SET is_active = \(false), disabled_at = \(bind: now.timeIntervalSince1970)
            WHERE id = \(bind: subscriptionId) AND is_active = \(true) RETURNING id
            """).all()
        return !rows.isEmpty
    }

    /// A subscription switched on again: the deliveries that gave up while it failed are due now.
    public func resume(subscriptionId: Int) async throws {
        try await database.requireSQL().raw("""
            UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = 0, attempts = 0, claimed_until = NULL
            WHERE subscription_id = \(bind: subscriptionId) AND status = 'failed'
            """).run()
    }

    /// The newest deliveries of a subscription, for its admin page.
    public func recent(subscriptionId: Int, limit: Int = 50) async throws -> [WebhookDeliveryRecord] {
        try await WebhookDeliveryRecord.query(on: database).filter(\.$subscriptionId == subscriptionId)
            .sort(\.$id, .descending).limit(limit).all()
    }

    /// The attempts of these deliveries, oldest first.
    public func attempts(deliveryIds: [Int]) async throws -> [WebhookAttemptRecord] {
        guard !deliveryIds.isEmpty else { return [] }
        return try await WebhookAttemptRecord.query(on: database).filter(\.$deliveryId ~~ deliveryIds).sort(\.$id).all()
    }
}
