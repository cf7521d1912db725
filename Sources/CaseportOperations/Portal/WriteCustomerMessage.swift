import CaseportCore
import CaseportStore

/// B5: a customer writes on a case they can see. The message, the optional copy to the writer, the
/// handler's notice (D4) and the `customerMessage` event are written in one transaction.
public enum WriteCustomerMessage {
    public struct Input: Sendable {
        public var caseNumber: Int
        public var body: String
        public var copyToMe: Bool
        public var author: AuthorChoice
        /// The language the writer uses, for their copy.
        public var language: Language
        /// Files that came with the message, already in storage (issue 12); each belongs to the message.
        public var files: [AttachUploadedFiles.StoredUpload]

        public init(caseNumber: Int, body: String, copyToMe: Bool, author: AuthorChoice, language: Language,
                    files: [AttachUploadedFiles.StoredUpload] = []) {
            self.files = files
            self.caseNumber = caseNumber
            self.body = body
            self.copyToMe = copyToMe
            self.author = author
            self.language = language
        }
    }

    public enum Field: Hashable, Sendable {
        case body
        case author(AuthorChoice.Field)
    }

    public struct Written: Sendable {
        public var caseNumber: Int
        public var messageId: Int
    }

    public static func run(_ input: Input, by actor: PortalActor, in context: OperationContext) async throws
        -> Outcome<Written, Field> {
        let detail = try await PortalCases.target(number: input.caseNumber, for: actor, in: context)
        let body = input.body.trimmingCharacters(in: .whitespacesAndNewlines)
        var problems = Problems<Field>()
        if body.isEmpty { problems.add(.body, "message_error_empty") }
        if body.count > InputLimits.message { problems.add(.body, ProblemKey.tooLong) }
        try await input.author.check(for: actor, into: &problems, field: { .author($0) }, on: context.database)
        guard problems.isEmpty else { return .problems(problems) }

        let now = context.now
        let returnsCase = try await context.settings().customerAnswerReturnsCase
        let messageId = try await context.database.transaction { tx in
            let author = try await input.author.resolve(for: actor, on: tx)
            let message = try await CaseConversation.insert(
                caseId: detail.id,
                author: .init(kind: .customer, userId: actor.userId, personId: author.personId, name: author.name),
                body: body, isInternal: false, at: now, on: tx)
            let writer = EventActor(portalUserId: actor.userId, name: author.name)
            if !input.files.isEmpty {
                let fileAuthor = CaseConversation.Author(kind: .customer, userId: actor.userId, personId: author.personId,
                                                         name: author.name)
                try await VisibleFiles.attach(input.files.map { $0.record(caseId: detail.id, author: fileAuthor, at: now) },
                                              to: message, on: tx)
                try await CaseEvents.append(.filesUploaded(names: input.files.map(\.originalName)), caseId: detail.id,
                                            by: writer, at: now, on: tx)
            }
            var notifications: [OutboxRecord] = []
            if input.copyToMe, let email = author.email {
                notifications.append(Notifications.messageCopy(context.notifications, language: input.language, to: email,
                                                               caseNumber: detail.number, subject: detail.subject, body: body))
            }
            notifications += try await Notifications.toHandler(context.notifications, caseId: detail.id, notice: .customerMessage,
                                                               author: author.name, text: body, on: tx)
            for notification in notifications { notification.caseId = detail.id }
            try await OutboxRecord.insert(notifications, on: tx)
            try await CaseEvents.append(.customerMessage, caseId: detail.id, by: writer, at: now, on: tx)
            if returnsCase { try await CaseWorkflow.returnToCompany(caseId: detail.id, by: writer, at: now, on: tx) }
            return try message.requireID()
        }
        return .done(Written(caseNumber: detail.number, messageId: messageId))
    }
}
