import FluentKit
import Foundation

/// A live chat (B13/D7). A customer or a visitor without an account starts one; it waits for staff,
/// is taken by one member of staff (who may hand it over), and ends. Its messages are numbered per
/// conversation (`ChatMessageRecord.seq`); `lastSeq` is the number given out last, bumped in the
/// transaction that inserts the message (`Chats.post`), so numbers have no gaps and no duplicates.
public final class ChatConversationRecord: Model, @unchecked Sendable {
    public static let schema = "chat_conversations"
    public enum State: String, Codable, Sendable, CaseIterable { case waiting, active, ended }

    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "visitor_name") public var visitorName: String
    @Field(key: "visitor_email") public var visitorEmail: String
    /// The signed-in portal user who started it; nil for a visitor without an account.
    @OptionalField(key: "portal_user_id") public var portalUserId: Int?
    /// A visitor's random token, SHA-256 hex (the cookie holds the token itself).
    @OptionalField(key: "visitor_token_hash") public var visitorTokenHash: String?
    /// A `Language` code: the transcript and the inquiry are written in it.
    @Field(key: "language") public var language: String
    @Field(key: "state") public var state: State
    @OptionalField(key: "assigned_staff_id") public var assignedStaffId: Int?
    @OptionalField(key: "case_id") public var caseId: Int?
    /// Set when the chat became an inquiry (D2) because nobody answered.
    @OptionalField(key: "inquiry_id") public var inquiryId: Int?
    @Field(key: "last_seq") public var lastSeq: Int
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "last_activity_at") public var lastActivityAt: Date
    @OptionalField(key: "ended_at") public var endedAt: Date?
    public init() {}
}

/// Who wrote a chat message.
public enum ChatAuthorKind: String, Codable, Sendable { case customer, staff, system }

/// One chat message. `(conversation_id, seq)` is unique; `staffOnly` marks a note between staff,
/// which no customer query returns.
public final class ChatMessageRecord: Model, @unchecked Sendable {
    public static let schema = "chat_messages"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "conversation_id") public var conversationId: Int
    @Field(key: "seq") public var seq: Int
    @Field(key: "author_kind") public var authorKind: ChatAuthorKind
    @OptionalField(key: "author_staff_id") public var authorStaffId: Int?
    @Field(key: "author_name") public var authorName: String
    @Field(key: "staff_only") public var staffOnly: Bool
    @Field(key: "body") public var body: String
    @Field(key: "created_at") public var createdAt: Date
    public init() {}
}

/// Whether a member of staff takes chats now (D7). No row means away.
public final class ChatAvailabilityRecord: Model, @unchecked Sendable {
    public static let schema = "chat_staff_availability"
    @ID(custom: "staff_id", generatedBy: .user) public var id: Int?
    @Field(key: "available") public var available: Bool
    @Field(key: "changed_at") public var changedAt: Date
    public init() {}
}
