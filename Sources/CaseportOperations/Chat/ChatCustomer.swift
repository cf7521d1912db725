import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// The customer side of a chat (B13): a signed-in portal user, or a visitor without an account who
/// holds a random token (the web keeps it in a cookie; the database keeps only its SHA-256). A
/// customer reaches a conversation only as its starter — anything else is `OperationError.notFound`,
/// exactly like a conversation that does not exist.
public struct ChatCustomer: Sendable {
    public var portal: PortalActor?
    public var visitorToken: String?

    public init(portal: PortalActor?, visitorToken: String?) {
        self.portal = portal
        self.visitorToken = visitorToken
    }

    public var visitorTokenHash: String? { visitorToken.map(Sessions.storedId(for:)) }

    /// A fresh visitor token (for the cookie).
    public static func newVisitorToken() -> String { Sessions.newToken() }
}

/// The texts and look-ups every chat operation shares.
enum ChatSupport {
    static func conversation(_ id: Int, for customer: ChatCustomer, in context: OperationContext) async throws
        -> ChatConversationRecord {
        guard let found = try await Chats(database: context.database)
            .find(id: id, portalUserId: customer.portal?.userId, visitorTokenHash: customer.visitorTokenHash)
        else { throw OperationError.notFound }
        return found
    }

    static func conversation(_ id: Int, in context: OperationContext) async throws -> ChatConversationRecord {
        guard let found = try await Chats(database: context.database).find(id: id) else { throw OperationError.notFound }
        return found
    }

    static func language(of conversation: ChatConversationRecord) -> Language {
        Language(rawValue: conversation.language) ?? .fallback
    }

    /// A system line in the conversation's language.
    static func systemLine(_ key: String, _ values: [String: String], for conversation: ChatConversationRecord,
                           in context: OperationContext) -> String {
        Notifications.fill(context.notifications.text(key, in: language(of: conversation)), values)
    }

    /// The customer-visible messages as plain text lines, for the transcript and an inquiry.
    static func transcript(of conversation: ChatConversationRecord, on database: any Database,
                           timeZone: TimeZone = .current) async throws -> String {
        let messages = try await Chats(database: database)
            .messages(conversationId: try conversation.requireID(), includeStaffOnly: false, limit: 10_000)
        let language = language(of: conversation)
        return messages.map { message in
            "[\(language.formatDateTime(message.createdAt, timeZone: timeZone))] \(message.authorName): \(message.body)"
        }.joined(separator: "\n")
    }

    static func checkBody(_ body: String) -> String? {
        let trimmed = body.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return "chat_error_empty" }
        if trimmed.count > ChatLimits.message { return ProblemKey.tooLong }
        return nil
    }
}

public enum ChatLimits {
    /// The longest chat message (characters); a WebSocket frame is limited to 16 KB besides.
    public static let message = 4_000
}

