import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// When nobody answers a chat it becomes an inquiry (D2), answered by e-mail: the customer left
/// before an answer (`EndChat.asCustomer`), nobody is available, or it waited too long
/// (`ConvertUnansweredChats`). Without JavaScript, or while nobody is available, the chat button's
/// form leaves a message as an inquiry directly (`LeaveChatMessage`).
enum ChatInquiry {
    /// Ends the conversation and makes an inquiry of its transcript, in one transaction; the sender
    /// gets the usual copy of the inquiry. Nil when the customer had written nothing (the chat just ends).
    static func convert(_ conversation: ChatConversationRecord, onlyIfWaiting: Bool = false,
                        in context: OperationContext) async throws -> Int? {
        let id = try conversation.requireID()
        let language = ChatSupport.language(of: conversation)
        let line = ChatSupport.systemLine("chat_system_to_inquiry", [:], for: conversation, in: context)
        let now = context.now
        do {
            return try await context.database.transaction { tx -> Int? in
                let chats = Chats(database: tx)
                // Written first: it fails (closed) when the chat ended meanwhile, and holds the row.
                _ = try await chats.post(conversationId: id, authorKind: .system, staffId: nil,
                                         authorName: context.notifications.companyName, body: line, staffOnly: false, at: now,
                                         requiring: onlyIfWaiting ? .waiting : .notEnded)
                let written = try await chats.messages(conversationId: id, includeStaffOnly: false, limit: 10_000)
                guard written.contains(where: { $0.authorKind == .customer }) else {
                    _ = try await chats.end(id: id, at: now)
                    return nil
                }
                let transcript = try await ChatSupport.transcript(of: conversation, on: tx)
                let subject = Notifications.fill(context.notifications.text("chat_inquiry_subject", in: language),
                                                 ["name": conversation.visitorName])
                let inquiryId = try await submit(subject: subject, description: transcript, name: conversation.visitorName,
                                                 email: conversation.visitorEmail, userId: conversation.portalUserId,
                                                 language: language, at: now, on: tx, context: context)
                _ = try await chats.end(id: id, at: now, inquiryId: inquiryId)
                return inquiryId
            }
        } catch Chats.ChatError.closed {
            throw OperationError.alreadyDone
        }
    }

    static func submit(subject: String, description: String, name: String, email: String, userId: Int?,
                       language: Language, at now: Date, on tx: any Database, context: OperationContext) async throws -> Int {
        var new = NewCase(subject: String(subject.prefix(InputLimits.subject)), description: description,
                          createdByName: name, origin: .portal)
        new.createdByUserId = userId
        new.copyEmail = email
        new.createdAt = now
        let inquiry = try await Inquiries(database: tx).submit(new, senderEmail: email, senderPhone: nil)
        let copy = Notifications.inquiryCopy(context.notifications, language: language, to: email, subject: new.subject,
                                             description: description)
        copy.createdAt = now
        try await copy.create(on: tx)
        return try inquiry.requireID()
    }
}

/// B13 without a live answer: the chat button's form (no JavaScript, or nobody available) leaves a
/// message, saved as an inquiry (D2) that staff answer by e-mail.
public enum LeaveChatMessage {
    public struct Input: Sendable {
        public var name: String
        public var email: String
        public var message: String
        public var language: Language
        public init(name: String, email: String, message: String, language: Language) {
            self.name = name
            self.email = email
            self.message = message
            self.language = language
        }
    }

    public enum Field: Hashable, Sendable { case name, email, message }

    public static func run(_ input: Input, by customer: ChatCustomer, in context: OperationContext) async throws
        -> Outcome<Int, Field> {
        var problems = Problems<Field>()
        let started = StartChat.check(name: input.name, email: input.email)
        if let key = started[.name] { problems.add(.name, key) }
        if let key = started[.email] { problems.add(.email, key) }
        let message = input.message.trimmingCharacters(in: .whitespacesAndNewlines)
        if message.isEmpty { problems.add(.message, ProblemKey.required) }
        if message.count > InputLimits.description { problems.add(.message, ProblemKey.tooLong) }
        guard problems.isEmpty else { return .problems(problems) }
        let name = input.name.trimmingCharacters(in: .whitespacesAndNewlines)
        let email = input.email.trimmingCharacters(in: .whitespacesAndNewlines)
        let subject = Notifications.fill(context.notifications.text("chat_inquiry_subject", in: input.language), ["name": name])
        let now = context.now
        let id = try await context.database.transaction { tx in
            try await ChatInquiry.submit(subject: subject, description: message, name: name, email: email,
                                         userId: customer.portal?.userId, language: input.language, at: now, on: tx,
                                         context: context)
        }
        return .done(id)
    }
}

/// The sweep (a job, like the approval round): a waiting chat becomes an inquiry when nobody is
/// available any more or it has waited longer than `maxWait` since its last message.
public enum ConvertUnansweredChats {
    public static func run(maxWait: TimeInterval, in context: OperationContext) async throws -> [Int] {
        let chats = Chats(database: context.database)
        let candidates: [ChatConversationRecord]
        if !(try await chats.anyoneAvailable()) {
            candidates = try await chats.waiting(limit: 500)
        } else {
            candidates = try await chats.unansweredWaiting(before: context.now.addingTimeInterval(-maxWait))
        }
        var inquiries: [Int] = []
        for conversation in candidates {
            do {
                if let id = try await ChatInquiry.convert(conversation, onlyIfWaiting: true, in: context) {
                    inquiries.append(id)
                }
            } catch OperationError.alreadyDone {
                continue   // taken or ended meanwhile: it is no longer unanswered
            }
        }
        return inquiries
    }
}
