import FluentKit
import Foundation

/// Issue 13 (A10, C9): a personal link to a claim's customer page, made for one case contact. The
/// token itself is never stored: `token_hash` is its SHA-256 (hex). Times are seconds since 1970.
public final class ClaimLinkRecord: Model, @unchecked Sendable {
    public static let schema = "claim_links"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "case_id") public var caseId: Int
    /// The case contact the link was made for (nil once that contact was deleted).
    @OptionalField(key: "contact_id") public var contactId: Int?
    @Field(key: "recipient_name") public var recipientName: String
    @OptionalField(key: "email") public var email: String?
    @OptionalField(key: "phone") public var phone: String?
    @Field(key: "language") public var language: String
    @Field(key: "token_hash") public var tokenHash: String
    /// What made it: a `ClaimLinkTrigger` raw value ("manual" for staff's grant or fresh link).
    @Field(key: "trigger") public var trigger: String
    @Field(key: "created_at") public var createdAt: Double
    @OptionalField(key: "created_by_staff_id") public var createdByStaffId: Int?
    @OptionalField(key: "revoked_at") public var revokedAt: Double?
    @OptionalField(key: "last_opened_at") public var lastOpenedAt: Double?
    /// The SMS security code: its SHA-256, until when it is valid, when it was sent, wrong tries in a
    /// row, and the pause after too many.
    @OptionalField(key: "code_hash") public var codeHash: String?
    @OptionalField(key: "code_expires_at") public var codeExpiresAt: Double?
    @OptionalField(key: "code_sent_at") public var codeSentAt: Double?
    @Field(key: "code_failures") public var codeFailures: Int
    @OptionalField(key: "code_locked_until") public var codeLockedUntil: Double?
    public init() {}
}

/// Issue 13 (C7): one automatic sending — a recipient got (or already had) a link for a trigger. The
/// unique (case, contact, trigger) key makes each recipient get a link exactly once per trigger, also
/// when two servers run the round at once or a round is retried.
public final class ClaimLinkSendRecord: Model, @unchecked Sendable {
    public static let schema = "claim_link_sends"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "case_id") public var caseId: Int
    @Field(key: "contact_id") public var contactId: Int
    @Field(key: "trigger") public var trigger: String
    @OptionalField(key: "link_id") public var linkId: Int?
    @Field(key: "sent_at") public var sentAt: Double
    public init() {}
}

/// Issue 13 (A10): a browser that opened a personal link. The cookie holds a random id; the row its
/// SHA-256. `verified_at` is set once the SMS code was right (at once when no code is asked).
public final class ClaimLinkSessionRecord: Model, @unchecked Sendable {
    public static let schema = "claim_link_sessions"
    @ID(custom: "id", generatedBy: .user) public var id: String?
    @Field(key: "link_id") public var linkId: Int
    @Field(key: "created_at") public var createdAt: Double
    @Field(key: "expires_at") public var expiresAt: Double
    @OptionalField(key: "verified_at") public var verifiedAt: Double?
    public init() {}
}
