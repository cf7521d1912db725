import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// Issue 13 (C3): a visitor of a claim's customer page writes on the Messages tab, with images and
/// documents. Like `WriteCustomerMessage`: the message (author: the visitor's name and e-mail), its
/// files, the unread marker for staff (D4), the handler's notice and the `customerMessage` event, in
/// one transaction. Refused (`notAllowedNow`) when the case is no claim, the Messages tab is not
/// shown yet, the direction is "only to the customer", or the visitor is staff previewing the page.
public enum WriteClaimMessage {
    /// Who writes: the personal link's recipient (the page's `ClaimViewer`).
    public struct Visitor: Sendable {
        public var caseId: Int
        public var name: String
        public var email: String?
        /// Staff previewing the page may not write from it.
        public var isPreview: Bool
        public init(caseId: Int, name: String, email: String?, isPreview: Bool) {
            self.caseId = caseId
            self.name = name
            self.email = email
            self.isPreview = isPreview
        }

        /// How the visitor's messages are signed: "Name (e-mail)" when the e-mail is known (seed 002:
        /// each message shows the e-mail of the person who sent it).
        public var authorLabel: String {
            guard let email, !email.isEmpty else { return name }
            return "\(name) (\(email))"
        }
    }

    public struct Input: Sendable {
        public var body: String
        public var files: [AttachUploadedFiles.StoredUpload]
        public init(body: String, files: [AttachUploadedFiles.StoredUpload] = []) {
            self.body = body
            self.files = files
        }
    }

    public enum Field: Hashable, Sendable { case body }

    public static func run(_ input: Input, by visitor: Visitor, in context: OperationContext) async throws
        -> Outcome<Int, Field> {
        guard !visitor.isPreview else { throw OperationError.forbidden }
        try await mayWrite(caseId: visitor.caseId, on: context.database)
        let body = input.body.trimmingCharacters(in: .whitespacesAndNewlines)
        var problems = Problems<Field>()
        if body.isEmpty && input.files.isEmpty { problems.add(.body, "message_error_empty") }
        if body.count > InputLimits.message { problems.add(.body, ProblemKey.tooLong) }
        guard problems.isEmpty else { return .problems(problems) }

        let now = context.now
        let caseId = visitor.caseId
        let author = CaseConversation.Author(kind: .customer, name: visitor.authorLabel)
        let writer = EventActor(name: visitor.authorLabel)
        let messageId = try await context.database.transaction { tx in
            let message = try await CaseConversation.insert(caseId: caseId, author: author, body: body, isInternal: false,
                                                            at: now, on: tx)
            if !input.files.isEmpty {
                try await VisibleFiles.attach(input.files.map { $0.record(caseId: caseId, author: author, at: now) },
                                              to: message, on: tx)
                try await CaseEvents.append(.filesUploaded(names: input.files.map(\.originalName)), caseId: caseId,
                                            by: writer, at: now, on: tx)
            }
            let text = body.isEmpty ? input.files.map(\.originalName).joined(separator: ", ") : body
            for notification in try await Notifications.toHandler(context.notifications, caseId: caseId,
                                                                  notice: body.isEmpty ? .customerUpload : .customerMessage,
                                                                  author: visitor.authorLabel, text: text, on: tx) {
                notification.caseId = caseId
                try await notification.create(on: tx)
            }
            try await CaseEvents.append(.customerMessage, caseId: caseId, by: writer, at: now, on: tx)
            return try message.requireID()
        }
        return .done(messageId)
    }

    /// The case is a claim whose Messages tab is shown and lets the customer write.
    public static func mayWrite(caseId: Int, on database: any Database) async throws {
        let store = ClaimSettingsStore(database: database)
        let progress = try await store.progress(caseId: caseId)
        guard progress.isClaim else { throw OperationError.notFound }
        let settings = try await store.levels(caseId: caseId).effective
        guard progress.hasReached(settings.messages), settings.messageDirection != .toCustomer else {
            throw OperationError.notAllowedNow
        }
    }
}
