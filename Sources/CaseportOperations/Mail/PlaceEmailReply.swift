import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// B7: an e-mailed reply placed on its case. The mail gate (Web `Services/Mailgate`) has checked the
/// reply token — signed for this case and this sender — and parses the MIME message; this operation
/// decides who wrote it under the access rule and writes the reply in one transaction.
///
/// Two steps, so the gate can keep mail from an unknown sender without parsing it or storing its
/// attachments: `writer(caseId:email:in:)`, then `run` with the text and the attachments already in
/// storage (the gate deletes their bytes again if `run` throws).
public enum PlaceEmailReply {
    /// The person the reply is from: a portal user who can see the case (A7), else a contact linked to it.
    public struct Writer: Sendable {
        public var caseId: Int
        public var author: CaseConversation.Author
    }

    public struct Input: Sendable {
        public var writer: Writer
        /// The reply's own text (quoted history and signature removed); may be empty when files came.
        public var body: String
        public var attachments: [AttachUploadedFiles.StoredUpload]
        public init(writer: Writer, body: String, attachments: [AttachUploadedFiles.StoredUpload]) {
            self.writer = writer
            self.body = body
            self.attachments = attachments
        }
    }

    public struct Placed: Sendable, Equatable {
        public var caseId: Int
        /// nil when the reply had files only.
        public var messageId: Int?
        public var attachments: Int
    }

    /// nil when no one with this address may write on the case (the gate keeps the mail for staff).
    public static func writer(caseId: Int, email: String, in context: OperationContext) async throws -> Writer? {
        let db = context.database
        guard let caseRecord = try await CaseRecord.find(caseId, on: db) else { return nil }
        let address = email.lowercased()
        for user in try await PortalAccounts.activeUsers(withEmail: address, on: db) {
            let viewer = try await PortalViewers.viewer(for: user, on: db)
            if try await VisibleCases(database: db).find(number: caseRecord.number, for: CaseVisibility(for: viewer)) != nil {
                return Writer(caseId: caseId, author: .init(kind: .customer, userId: user.id, name: user.displayName))
            }
        }
        let links = try await CaseContactLink.query(on: db).filter(\.$caseId == caseId).all()
        if !links.isEmpty, let contact = try await ContactRecord.query(on: db).filter(\.$id ~~ links.map(\.contactId)).all()
            .first(where: { $0.email?.lowercased() == address }) {
            return Writer(caseId: caseId, author: .init(kind: .customer, name: "\(contact.firstName) \(contact.lastName)"))
        }
        // The sender of the inquiry the case was made from (D2): the company answered them by e-mail about
        // this case, so their reply belongs on it — a visitor's chat that became an inquiry goes on so (issue 15).
        if let inquiry = try await InquiryRecord.query(on: db).filter(\.$caseId == caseId).first(),
           let sender = inquiry.senderEmail, sender.lowercased() == address {
            return Writer(caseId: caseId, author: .init(kind: .customer, name: inquiry.senderName.isEmpty ? sender : inquiry.senderName))
        }
        return nil
    }

    /// The message, each file with the message that names it, and one `emailReply` event.
    public static func run(_ input: Input, in context: OperationContext) async throws -> Placed {
        let caseId = input.writer.caseId, author = input.writer.author, now = context.now
        // Mail says nothing of its writer's language; the file messages use the deployment's first.
        let template = context.notifications.text("message_file_uploaded", in: .fallback)
        let returnsCase = try await SettingsStore(database: context.database).load().customerAnswerReturnsCase
        return try await context.database.transaction { tx in
            var messageId: Int?
            if !input.body.isEmpty {
                messageId = try await CaseConversation.insert(caseId: caseId, author: author, body: input.body,
                                                              isInternal: false, at: now, on: tx).id
            }
            for upload in input.attachments {
                try await VisibleFiles(database: tx).addToCase(
                    upload.record(caseId: caseId, author: author, at: now),
                    message: template.replacingOccurrences(of: "{name}", with: upload.originalName),
                    text: MessageText("message_file_uploaded", ["name": upload.originalName]), author: author, at: now)
            }
            try await CaseEvents.append(.emailReply, caseId: caseId, by: author.eventActor, at: now, on: tx)
            // A reply by mail is an answer like one in the portal (issue 12).
            if returnsCase { try await CaseWorkflow.returnToCompany(caseId: caseId, by: author.eventActor, at: now, on: tx) }
            return Placed(caseId: caseId, messageId: messageId, attachments: input.attachments.count)
        }
    }
}
