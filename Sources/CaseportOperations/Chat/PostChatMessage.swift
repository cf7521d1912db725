import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// A chat message (B13/D7), stored before anyone is told of it, with the conversation's next number.
/// A customer writes only in their own conversation while it has not ended; a member of staff writes
/// only in a chat they have taken, and may write a note only staff see.
public enum PostChatMessage {
    public enum Field: Hashable, Sendable { case body }

    public struct Posted: Sendable, Equatable {
        public var conversationId: Int
        public var seq: Int
    }

    public static func asCustomer(conversationId: Int, body: String, by customer: ChatCustomer,
                                  in context: OperationContext) async throws -> Outcome<Posted, Field> {
        let conversation = try await ChatSupport.conversation(conversationId, for: customer, in: context)
        if let problem = ChatSupport.checkBody(body) {
            var problems = Problems<Field>()
            problems.add(.body, problem)
            return .problems(problems)
        }
        guard conversation.state != .ended else { throw OperationError.notAllowedNow }
        return .done(try await insert(conversationId: conversationId, kind: .customer, staffId: nil,
                                      name: conversation.visitorName, body: body, staffOnly: false, in: context))
    }

    public static func asStaff(conversationId: Int, body: String, staffOnly: Bool, by staff: StaffActor,
                               in context: OperationContext) async throws -> Outcome<Posted, Field> {
        let conversation = try await ChatSupport.conversation(conversationId, in: context)
        guard conversation.state == .active, conversation.assignedStaffId == staff.staffId else {
            throw conversation.state == .ended ? OperationError.notAllowedNow : OperationError.forbidden
        }
        if let problem = ChatSupport.checkBody(body) {
            var problems = Problems<Field>()
            problems.add(.body, problem)
            return .problems(problems)
        }
        return .done(try await insert(conversationId: conversationId, kind: .staff, staffId: staff.staffId,
                                      name: staff.name, body: body, staffOnly: staffOnly, in: context))
    }

    static func insert(conversationId: Int, kind: ChatAuthorKind, staffId: Int?, name: String, body: String,
                       staffOnly: Bool, in context: OperationContext) async throws -> Posted {
        let text = body.trimmingCharacters(in: .whitespacesAndNewlines)
        let now = context.now
        do {
            let message = try await context.database.transaction { tx in
                try await Chats(database: tx).post(conversationId: conversationId, authorKind: kind, staffId: staffId,
                                                   authorName: name, body: text, staffOnly: staffOnly, at: now)
            }
            return Posted(conversationId: conversationId, seq: message.seq)
        } catch Chats.ChatError.closed {
            throw OperationError.notAllowedNow
        }
    }
}
