import FluentKit
import Foundation

/// A webhook subscription (issue 16, point 3): where to send which case-event kinds, and the secret
/// the signatures use (`whsec_<base64>`, Standard Webhooks). Disabled by the worker after a long run
/// of failures (`failingSince`), or by an administrator.
public final class WebhookSubscriptionRecord: Model, @unchecked Sendable {
    public static let schema = "webhook_subscriptions"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "url") public var url: String
    @Field(key: "secret") public var secret: String
    /// `CaseEvent.Kind` names between commas: ",status,note,".
    @Field(key: "kinds") public var kinds: String
    @Field(key: "description") public var description: String
    @Field(key: "is_active") public var isActive: Bool
    /// Unix seconds of the first failed attempt since the last success; nil while deliveries succeed.
    @OptionalField(key: "failing_since") public var failingSince: Double?
    @Field(key: "failed_attempts") public var failedAttempts: Int
    /// Set when the worker switched the subscription off after repeated failure.
    @OptionalField(key: "disabled_at") public var disabledAt: Double?
    @Field(key: "created_at") public var createdAt: Double
    public init() {}

    public var kindNames: [String] { kinds.split(separator: ",").map(String.init) }
    public static func storedKinds(_ names: [String]) -> String { "," + names.joined(separator: ",") + "," }
}

/// One event for one subscription. `body` is fixed when the row is written (in the event's
/// transaction), so every retry signs and sends the same bytes. Status: pending → sending → delivered,
/// or back to pending with a later `nextAttemptAt`, or failed after too many attempts.
public final class WebhookDeliveryRecord: Model, @unchecked Sendable {
    public static let schema = "webhook_deliveries"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "subscription_id") public var subscriptionId: Int
    @Field(key: "event_id") public var eventId: Int
    @Field(key: "event_kind") public var eventKind: String
    @Field(key: "body") public var body: String
    @Field(key: "status") public var status: String
    @Field(key: "attempts") public var attempts: Int
    @Field(key: "next_attempt_at") public var nextAttemptAt: Double
    @OptionalField(key: "claimed_until") public var claimedUntil: Double?
    @OptionalField(key: "delivered_at") public var deliveredAt: Double?
    @Field(key: "created_at") public var createdAt: Double
    @OptionalField(key: "last_status") public var lastStatus: Int?
    @OptionalField(key: "last_error") public var lastError: String?
    public init() {}
}

/// One attempt at a delivery and what the receiver answered (status and the first bytes of its body),
/// or why there was no answer (`statusCode` nil).
public final class WebhookAttemptRecord: Model, @unchecked Sendable {
    public static let schema = "webhook_attempts"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "delivery_id") public var deliveryId: Int
    @Field(key: "at") public var at: Double
    @OptionalField(key: "status_code") public var statusCode: Int?
    @Field(key: "excerpt") public var excerpt: String
    @Field(key: "duration_ms") public var durationMs: Int
    public init() {}
}

/// A staff member as an OpenID Connect provider names them (issue 16, point 4): matched by issuer and
/// subject, never by e-mail address (an address can change hands at the provider).
public final class StaffIdentityRecord: Model, @unchecked Sendable {
    public static let schema = "staff_identities"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "staff_id") public var staffId: Int
    @Field(key: "issuer") public var issuer: String
    @Field(key: "subject") public var subject: String
    @Field(key: "created_at") public var createdAt: Double
    @OptionalField(key: "last_login_at") public var lastLoginAt: Double?
    public init() {}
}

/// A single sign-on login in flight: the state (its key, also in the browser's cookie), the nonce the
/// ID token must carry and the PKCE code verifier. One use; older than 10 minutes is expired.
public final class OIDCLoginRecord: Model, @unchecked Sendable {
    public static let schema = "oidc_logins"
    @ID(custom: "state", generatedBy: .user) public var id: String?
    @Field(key: "nonce") public var nonce: String
    @Field(key: "code_verifier") public var codeVerifier: String
    @Field(key: "created_at") public var createdAt: Double
    public init() {}
}
