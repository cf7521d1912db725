import FluentKit
import Foundation

extension DemoData {
    /// Issue 16: a webhook subscription for the admin pages to show. Switched off, so a demo server
    /// sends nothing anywhere until an administrator points it at a receiver and switches it on.
    static func seedWebhook(on db: any Database, now: Date) async throws {
        let subscription = WebhookSubscriptionRecord()
        subscription.url = "https://erp.fastighet.example/caseport-hooks"
        subscription.description = "Affärssystemet (demo, avstängd)"
        subscription.kinds = WebhookSubscriptionRecord.storedKinds(["created", "status", "customer_message", "approved"])
        var generator = SystemRandomNumberGenerator()
        subscription.secret = "whsec_" + Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }).base64EncodedString()
        subscription.isActive = false
        subscription.failedAttempts = 0
        subscription.createdAt = now.timeIntervalSince1970
        try await subscription.create(on: db)
    }
}
