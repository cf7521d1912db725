import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// B5: files a customer adds to or removes from a case. The bytes are already in storage under a key
/// when `AttachUploadedFiles` runs (the web streams them there); the operation records them, writes
/// the message that says so, tells the handler (D4) and appends the event — one transaction.
public enum AttachUploadedFiles {
    /// One file already in storage.
    public struct StoredUpload: Sendable {
        public var storageKey: String
        public var originalName: String
        public var contentType: String
        public var byteSize: Int
        public init(storageKey: String, originalName: String, contentType: String, byteSize: Int) {
            self.storageKey = storageKey
            self.originalName = originalName
            self.contentType = contentType
            self.byteSize = byteSize
        }

        /// The file's row on a case, uploaded by `author`.
        func record(caseId: Int, author: CaseConversation.Author, at now: Date) -> StoredFileRecord {
            let record = StoredFileRecord()
            record.caseId = caseId
            record.storageKey = storageKey
            record.originalName = originalName
            record.contentType = contentType
            record.byteSize = byteSize
            record.uploadedByUserId = author.userId
            record.uploaderName = author.name
            record.createdAt = now
            return record
        }
    }

    public struct Input: Sendable {
        public var caseNumber: Int
        public var files: [StoredUpload]
        /// The uploader's language, for the message that names each file.
        public var language: Language
        /// On a shared account (A8), who uploads (a saved person of the account).
        public var author: AuthorChoice
        public init(caseNumber: Int, files: [StoredUpload], language: Language, author: AuthorChoice = .none) {
            self.caseNumber = caseNumber
            self.files = files
            self.language = language
            self.author = author
        }
    }

    /// The locale key of what is wrong with the uploader's choice on a shared account (A8), or nil;
    /// the web asks before it stores any bytes.
    public static func authorProblem(_ choice: AuthorChoice, by actor: PortalActor, in context: OperationContext) async throws
        -> String? {
        var problems = Problems<AuthorChoice.Field>()
        try await choice.check(for: actor, into: &problems, field: { $0 }, on: context.database)
        return problems.messages.values.first
    }

    /// Finds the case first, so the web can refuse before storing anything.
    public static func checkCase(number: Int, by actor: PortalActor, in context: OperationContext) async throws -> CaseDetail {
        try await PortalCases.find(number: number, for: actor, in: context)
    }

    public static func run(_ input: Input, by actor: PortalActor, in context: OperationContext) async throws -> Int {
        let detail = try await PortalCases.find(number: input.caseNumber, for: actor, in: context)
        guard !input.files.isEmpty else { return detail.number }
        let now = context.now
        // A8: on a shared account the chosen person uploads; a choice that is not theirs is refused.
        if try await authorProblem(input.author, by: actor, in: context) != nil { throw OperationError.notAllowedNow }
        let chosen = try await input.author.resolve(for: actor, on: context.database)
        let author = CaseConversation.Author(kind: .customer, userId: actor.userId, personId: chosen.personId, name: chosen.name)
        let template = context.notifications.text("message_file_uploaded", in: input.language)
        try await context.database.transaction { tx in
            for upload in input.files {
                try await VisibleFiles(database: tx).addToCase(
                    upload.record(caseId: detail.id, author: author, at: now),
                    message: template.replacingOccurrences(of: "{name}", with: upload.originalName),
                    text: MessageText("message_file_uploaded", ["name": upload.originalName]), author: author, at: now)
            }
            // One notice for the whole post.
            let names = input.files.map(\.originalName)
            for notification in try await Notifications.toHandler(context.notifications, caseId: detail.id, notice: .customerUpload,
                                                                   author: author.name, text: names.joined(separator: ", "), on: tx) {
                try await notification.create(on: tx)
            }
            try await CaseEvents.append(.filesUploaded(names: names), caseId: detail.id,
                                        by: EventActor(portalUserId: actor.userId, name: author.name), at: now, on: tx)
        }
        return detail.number
    }
}

/// B5: a customer removes a file they uploaded themselves, while the case is open. The file is marked
/// removed (it stays in the database for the record); the caller deletes the bytes from storage.
public enum RemoveCaseFile {
    public struct Input: Sendable {
        public var caseNumber: Int
        public var fileId: Int
        public var language: Language
        public init(caseNumber: Int, fileId: Int, language: Language) {
            self.caseNumber = caseNumber
            self.fileId = fileId
            self.language = language
        }
    }

    public struct Removed: Sendable {
        public var caseNumber: Int
        /// The bytes to delete from storage.
        public var storageKey: String
    }

    public static func run(_ input: Input, by actor: PortalActor, in context: OperationContext) async throws -> Removed {
        let detail = try await PortalCases.find(number: input.caseNumber, for: actor, in: context)
        guard !detail.status.isClosed else { throw OperationError.notFound }
        // Issue 13 (C4): an unshared document or a task's medium does not exist for the customer (404,
        // as for any id they cannot see; never a "forbidden" that would tell it is there).
        guard let existing = try await StoredFileRecord.query(on: context.database).filter(\.$id == input.fileId)
            .filter(\.$caseId == detail.id).filter(\.$isShared == true).filter(\.$taskId == nil).first() else {
            throw OperationError.notFound
        }
        let text = context.notifications.text("message_file_removed", in: input.language)
            .replacingOccurrences(of: "{name}", with: existing.originalName)
        let now = context.now
        return try await context.database.transaction { tx in
            guard let removed = try await VisibleFiles(database: tx).removeFromCase(
                fileId: input.fileId, caseId: detail.id, byUserId: actor.userId, message: text,
                text: MessageText("message_file_removed", ["name": existing.originalName]),
                author: .init(kind: .customer, userId: actor.userId, name: actor.name), at: now) else {
                throw OperationError.forbidden
            }
            try await CaseEvents.append(.fileRemoved(name: removed.originalName), caseId: detail.id,
                                        by: EventActor(portalUserId: actor.userId, name: actor.name), at: now, on: tx)
            return Removed(caseNumber: detail.number, storageKey: removed.storageKey)
        }
    }
}
