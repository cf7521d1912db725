import FluentKit
import Foundation

/// A logged-in browser. The id is the SHA-256 of the cookie's token, so a copy of this table
/// cannot be replayed as cookies. Times are Unix seconds so expiry checks are plain SQL on both databases.
public final class SessionRecord: Model, @unchecked Sendable {
    public static let schema = "sessions"
    @ID(custom: "id", generatedBy: .user) public var id: String?
    /// "portal" or "staff": a portal session never opens a staff page and vice versa.
    @Field(key: "realm") public var realm: String
    @Field(key: "user_id") public var userId: Int
    @Field(key: "created_at") public var createdAt: Double
    @Field(key: "expires_at") public var expiresAt: Double
    public init() {}
    public init(id: String, realm: String, userId: Int, createdAt: Double, expiresAt: Double) {
        self.id = id
        self.realm = realm
        self.userId = userId
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// Failed-login counter per typed organisation + username (A2). The id is a hash of the typed key.
public final class LoginAttemptRecord: Model, @unchecked Sendable {
    public static let schema = "login_attempts"
    @ID(custom: "id", generatedBy: .user) public var id: String?
    @Field(key: "failures") public var failures: Int
    @OptionalField(key: "locked_until") public var lockedUntil: Double?
    @Field(key: "updated_at") public var updatedAt: Double
    public init() {}
}

/// One deployment setting, stored as text (D5). Read through `SettingsStore`.
public final class SettingRecord: Model, @unchecked Sendable {
    public static let schema = "settings"
    @ID(custom: "id", generatedBy: .user) public var id: String?
    @Field(key: "value") public var value: String
    public init() {}
    public init(key: String, value: String) {
        self.id = key
        self.value = value
    }
}

/// A one-time link for a portal account: activating a self-registration, or setting a password.
/// The id is the SHA-256 of the token in the link.
public final class AccountTokenRecord: Model, @unchecked Sendable {
    public static let schema = "account_tokens"
    @ID(custom: "id", generatedBy: .user) public var id: String?
    @Field(key: "user_id") public var userId: Int
    /// "activate" or "set_password".
    @Field(key: "purpose") public var purpose: String
    @Field(key: "expires_at") public var expiresAt: Double
    @OptionalField(key: "used_at") public var usedAt: Double?
    /// For "activate": the address the link was sent to (M017).
    @OptionalField(key: "email") public var email: String?
    public init() {}
}
