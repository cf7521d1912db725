import FluentKit
import SQLKit

/// Issue 16, points 3 and 4. Webhooks: subscriptions per case-event kind, one delivery row per
/// (subscription, event) written in the event's transaction, and every attempt with the answer.
/// Staff single sign-on: the (issuer, subject) an OpenID Connect provider names a staff member by, and
/// the logins in flight (state, nonce, PKCE verifier) so any node can finish a login another started.
/// Times compared in raw SQL are Unix seconds, as in the outbox.
struct M028_WebhooksAndSSO: AsyncMigration {
    var name: String { "028_webhooks_and_sso" }

    func prepare(on database: any Database) async throws {
        try await database.schema(WebhookSubscriptionRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("url", .string, .required)
            .field("secret", .string, .required)
            // ",status,note," — the `CaseEvent.Kind` names between commas, so one LIKE finds subscribers.
            .field("kinds", .string, .required)
            .field("description", .string, .required)
            .field("is_active", .bool, .required)
            .field("failing_since", .double)
            .field("failed_attempts", .int, .required)
            .field("disabled_at", .double)
            .field("created_at", .double, .required)
            .create()
        try await database.schema(WebhookDeliveryRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("subscription_id", .int, .required)
            .field("event_id", .int, .required)
            .field("event_kind", .string, .required)
            .field("body", .string, .required)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("next_attempt_at", .double, .required)
            .field("claimed_until", .double)
            .field("delivered_at", .double)
            .field("created_at", .double, .required)
            .field("last_status", .int)
            .field("last_error", .string)
            .unique(on: "subscription_id", "event_id")
            .create()
        try await database.schema(WebhookAttemptRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("delivery_id", .int, .required)
            .field("at", .double, .required)
            .field("status_code", .int)
            .field("excerpt", .string, .required)
            .field("duration_ms", .int, .required)
            .create()
        try await database.schema(StaffIdentityRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("staff_id", .int, .required)
            .field("issuer", .string, .required)
            .field("subject", .string, .required)
            .field("created_at", .double, .required)
            .field("last_login_at", .double)
            .unique(on: "issuer", "subject")
            .create()
        try await database.schema(OIDCLoginRecord.schema)
            .field("state", .string, .identifier(auto: false))
            .field("nonce", .string, .required)
            .field("code_verifier", .string, .required)
            .field("created_at", .double, .required)
            .create()
        let sql = try database.requireSQL()
        try await sql.create(index: "webhook_deliveries_due").on(WebhookDeliveryRecord.schema)
            .column("status").column("next_attempt_at").run()
        try await sql.create(index: "webhook_deliveries_subscription").on(WebhookDeliveryRecord.schema)
            .column("subscription_id").column("id").run()
        try await sql.create(index: "webhook_attempts_delivery").on(WebhookAttemptRecord.schema).column("delivery_id").run()
        try await sql.create(index: "staff_identities_staff").on(StaffIdentityRecord.schema).column("staff_id").run()
    }

    func revert(on database: any Database) async throws {
        for schema in [OIDCLoginRecord.schema, StaffIdentityRecord.schema, WebhookAttemptRecord.schema,
                       WebhookDeliveryRecord.schema, WebhookSubscriptionRecord.schema] {
            try await database.schema(schema).delete()
        }
    }
}
