import FluentKit
import Foundation

/// What an API token may do: `read` answers GET only, `write` everything the token's user may do.
public enum APITokenScope: String, Codable, Sendable, CaseIterable {
    case read
    case write
}

/// Whose token it is: a staff member's (acting with the token's role) or a portal user's.
public enum APITokenRealm: String, Codable, Sendable {
    case staff
    case portal
}

/// One API token (M027). The token itself is never stored, only its SHA-256.
public final class APITokenRecord: Model, @unchecked Sendable {
    public static let schema = "api_tokens"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "token_hash") public var tokenHash: String
    @Field(key: "prefix") public var prefix: String
    @Field(key: "name") public var name: String
    @Field(key: "realm") public var realm: APITokenRealm
    @OptionalField(key: "staff_user_id") public var staffUserId: Int?
    @OptionalField(key: "role") public var role: StaffRole?
    @OptionalField(key: "portal_user_id") public var portalUserId: Int?
    @OptionalField(key: "organisation_id") public var organisationId: Int?
    @Field(key: "scope") public var scope: APITokenScope
    @Field(key: "created_at") public var createdAt: Double
    @Field(key: "created_by_name") public var createdByName: String
    @OptionalField(key: "expires_at") public var expiresAt: Double?
    @OptionalField(key: "last_used_at") public var lastUsedAt: Double?
    @OptionalField(key: "revoked_at") public var revokedAt: Double?

    public init() {}

    /// Usable now: not revoked, not expired.
    public func isUsable(at now: Date) -> Bool {
        revokedAt == nil && (expiresAt.map { $0 > now.timeIntervalSince1970 } ?? true)
    }
}
