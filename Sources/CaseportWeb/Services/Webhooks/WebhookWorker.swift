import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Foundation
import Vapor

/// Sends webhook deliveries (issue 16, point 3), like `OutboxWorker` sends mail: each pass claims a
/// batch of due deliveries through `WebhookQueue` (leases; SKIP LOCKED on PostgreSQL, so several nodes
/// share the work), signs and posts each one, and records the answer. A failure is retried with the
/// outbox's backoff; a subscription failing for a day is switched off and the admins get a notice
/// (`DisableFailingWebhook`).
final class WebhookWorker: Sendable {
    let database: any Database
    let sender: WebhookSender
    let config: AppConfig
    let translations: Translations
    let logger: Logger
    let clock: @Sendable () -> Date
    let batchSize: Int

    init(database: any Database, sender: WebhookSender, config: AppConfig, translations: Translations, logger: Logger,
         batchSize: Int = 10, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.sender = sender
        self.config = config
        self.translations = translations
        self.logger = logger
        self.batchSize = batchSize
        self.clock = clock
    }

    /// One pass: claims and sends at most one batch. Returns how many deliveries it worked on.
    @discardableResult
    func deliverBatch() async throws -> Int {
        let queue = WebhookQueue(database: database)
        let rows = try await queue.claim(limit: batchSize, lease: config.webhooks.lease, now: clock())
        guard !rows.isEmpty else { return 0 }
        let ids = Set(rows.map(\.subscriptionId))
        let subscriptions = try await WebhookSubscriptionRecord.query(on: database).filter(\.$id ~~ Array(ids)).all()
        let byId = Dictionary(uniqueKeysWithValues: subscriptions.compactMap { record in record.id.map { ($0, record) } })
        try await withThrowingTaskGroup(of: Void.self) { group in
            for row in rows {
                guard let subscription = byId[row.subscriptionId] else { continue }
                group.addTask { try await self.deliver(row, to: subscription, queue: queue) }
            }
            try await group.waitForAll()
        }
        return rows.count
    }

    private func deliver(_ row: WebhookQueue.Claimed, to subscription: WebhookSubscriptionRecord, queue: WebhookQueue) async throws {
        let answer = await sender.send(url: subscription.url, secret: subscription.secret, messageId: row.messageId,
                                       body: row.body, now: clock())
        let verdict = try await queue.record(row, answer: answer, now: clock())
        switch verdict {
        case .delivered: return
        case .retryLater, .gaveUp:
            logger.warning("webhooks: delivery #\(row.id) of event \(row.eventId) to subscription \(row.subscriptionId) failed (attempt \(row.attempts)): \(answer.statusCode.map(String.init) ?? "-") \(answer.excerpt.prefix(200))")
        case .subscriptionFailing(let subscriptionId):
            logger.error("webhooks: subscription \(subscriptionId) has failed for a day; switched off, administrators notified")
            let notifications = NotificationContext(translations: translations, publicBaseURL: config.publicURL ?? "http://127.0.0.1:8080",
                                                    companyName: config.delivery.companyName)
            try await DisableFailingWebhook.run(subscriptionId: subscriptionId, by: SystemActor(name: config.delivery.companyName),
                                                in: OperationContext(database: database, clock: clock, notifications: notifications))
        }
    }

    /// Delivers until cancelled, pausing `idle` when nothing is due or after an error.
    func run(idle: Duration = .seconds(1)) async {
        while !Task.isCancelled {
            do {
                if try await deliverBatch() > 0 { continue }
            } catch {
                logger.error("webhooks: \(String(reflecting: error))")
            }
            try? await Task.sleep(for: idle)
        }
    }
}
