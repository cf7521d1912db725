import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// D7: a member of staff sets themself available or away. The portal offers chat only while someone is.
public enum SetChatAvailability {
    public static func run(available: Bool, by staff: StaffActor, in context: OperationContext) async throws {
        try await Chats(database: context.database).setAvailable(staffId: staff.staffId, available, at: context.now)
    }
}

/// D7: take a waiting chat. Two members taking the same chat at once: one gets it, the other
/// `OperationError.alreadyDone`.
public enum TakeChat {
    public static func run(conversationId: Int, by staff: StaffActor, in context: OperationContext) async throws {
        let conversation = try await ChatSupport.conversation(conversationId, in: context)
        let line = ChatSupport.systemLine("chat_system_joined", ["name": staff.name], for: conversation, in: context)
        let now = context.now
        let taken = try await context.database.transaction { tx in
            let chats = Chats(database: tx)
            guard try await chats.take(id: conversationId, staffId: staff.staffId, at: now) else { return false }
            _ = try await chats.post(conversationId: conversationId, authorKind: .system, staffId: nil,
                                     authorName: context.notifications.companyName, body: line, staffOnly: false, at: now)
            return true
        }
        guard taken else { throw OperationError.alreadyDone }
    }
}

/// D7: give a chat one has taken to an available colleague.
public enum HandOverChat {
    public enum Field: Hashable, Sendable { case colleague }

    public static func run(conversationId: Int, to colleagueId: Int, by staff: StaffActor,
                           in context: OperationContext) async throws -> Outcome<Void, Field> {
        let conversation = try await ChatSupport.conversation(conversationId, in: context)
        guard conversation.state == .active, conversation.assignedStaffId == staff.staffId else {
            throw OperationError.forbidden
        }
        let chats = Chats(database: context.database)
        guard colleagueId != staff.staffId,
              let colleague = try await chats.availableStaff().first(where: { $0.id == colleagueId }) else {
            var problems = Problems<Field>()
            problems.add(.colleague, "chat_error_colleague_away")
            return .problems(problems)
        }
        let line = ChatSupport.systemLine("chat_system_handed_over", ["from": staff.name, "to": colleague.name],
                                          for: conversation, in: context)
        let now = context.now
        let moved = try await context.database.transaction { tx in
            let chats = Chats(database: tx)
            guard try await chats.handOver(id: conversationId, from: staff.staffId, to: colleagueId, at: now) else { return false }
            _ = try await chats.post(conversationId: conversationId, authorKind: .system, staffId: nil,
                                     authorName: context.notifications.companyName, body: line, staffOnly: false, at: now)
            return true
        }
        guard moved else { throw OperationError.stale }
        return .done(())
    }
}

/// Ending a chat. A member of staff ends one they have taken; a customer ends their own. A customer
/// who leaves before anyone answered is not left without an answer: the chat becomes an inquiry (D2).
public enum EndChat {
    public struct Ended: Sendable, Equatable {
        /// The inquiry the chat became, when nobody had answered.
        public var inquiryId: Int?
    }

    public static func asStaff(conversationId: Int, by staff: StaffActor, in context: OperationContext) async throws {
        let conversation = try await ChatSupport.conversation(conversationId, in: context)
        guard conversation.state != .ended else { throw OperationError.alreadyDone }
        guard conversation.state == .active, conversation.assignedStaffId == staff.staffId else { throw OperationError.forbidden }
        let line = ChatSupport.systemLine("chat_system_ended_by", ["name": staff.name], for: conversation, in: context)
        try await close(conversation, line: line, in: context)
    }

    public static func asCustomer(conversationId: Int, by customer: ChatCustomer, in context: OperationContext) async throws
        -> Ended {
        let conversation = try await ChatSupport.conversation(conversationId, for: customer, in: context)
        guard conversation.state != .ended else { throw OperationError.alreadyDone }
        if !(try await Chats(database: context.database).hasStaffAnswer(conversationId: conversationId)) {
            let inquiryId = try await ChatInquiry.convert(conversation, in: context)
            return Ended(inquiryId: inquiryId)
        }
        let line = ChatSupport.systemLine("chat_system_ended_by", ["name": conversation.visitorName], for: conversation,
                                          in: context)
        try await close(conversation, line: line, in: context)
        return Ended(inquiryId: nil)
    }

    static func close(_ conversation: ChatConversationRecord, line: String, in context: OperationContext) async throws {
        let id = try conversation.requireID()
        let now = context.now
        do {
            try await context.database.transaction { tx in
                let chats = Chats(database: tx)
                // The closing line first: it fails (closed) when someone ended the chat meanwhile.
                _ = try await chats.post(conversationId: id, authorKind: .system, staffId: nil,
                                         authorName: context.notifications.companyName, body: line, staffOnly: false, at: now)
                _ = try await chats.end(id: id, at: now)
            }
        } catch Chats.ChatError.closed {
            throw OperationError.alreadyDone
        }
    }
}

/// Attaches a chat to a case: a signed-in customer to one of the cases the access rule (A7) lets
/// them see — another customer's case is `notFound`, exactly like a missing one; staff to any case.
public enum AttachChatToCase {
    public static func asCustomer(conversationId: Int, caseNumber: Int, by customer: ChatCustomer,
                                  in context: OperationContext) async throws {
        let conversation = try await ChatSupport.conversation(conversationId, for: customer, in: context)
        guard let portal = customer.portal else { throw OperationError.forbidden }
        let detail = try await PortalCases.find(number: caseNumber, for: portal, in: context)
        try await Chats(database: context.database).attach(id: try conversation.requireID(), caseId: detail.id)
    }

    public static func asStaff(conversationId: Int, caseNumber: Int, by staff: StaffActor,
                               in context: OperationContext) async throws {
        let conversation = try await ChatSupport.conversation(conversationId, in: context)
        let record = try await StaffCaseLookup.find(number: caseNumber, in: context)
        try await Chats(database: context.database).attach(id: try conversation.requireID(), caseId: try record.requireID())
    }
}

/// The transcript by e-mail, through the outbox (E1): the messages the customer sees, never staff notes,
/// to the address the chat was started with, in the chat's language.
public enum SendChatTranscript {
    public static func asCustomer(conversationId: Int, by customer: ChatCustomer, in context: OperationContext) async throws {
        let conversation = try await ChatSupport.conversation(conversationId, for: customer, in: context)
        try await queue(conversation, in: context)
    }

    public static func asStaff(conversationId: Int, by staff: StaffActor, in context: OperationContext) async throws {
        try await queue(try await ChatSupport.conversation(conversationId, in: context), in: context)
    }

    static func queue(_ conversation: ChatConversationRecord, in context: OperationContext) async throws {
        let transcript = try await ChatSupport.transcript(of: conversation, on: context.database)
        let language = ChatSupport.language(of: conversation)
        let values = ["name": conversation.visitorName, "transcript": transcript,
                      "company": context.notifications.companyName]
        let row = OutboxRecord(kind: .chatTranscript, recipient: conversation.visitorEmail, language: language.rawValue,
                               subject: Notifications.fill(context.notifications.text("mail_chat_transcript_subject", in: language), values),
                               body: Notifications.fill(context.notifications.text("mail_chat_transcript_body", in: language), values),
                               caseId: conversation.caseId)
        row.createdAt = context.now
        try await row.create(on: context.database)
    }
}
