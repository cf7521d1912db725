import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// D3/B5: staff add files to a case and remove any file from it. As with the customer's uploads
/// (`AttachUploadedFiles`), the bytes are already in storage; the operation records them, writes the
/// public line that the customer sees, and appends the event — one transaction.
public enum AttachStaffCaseFiles {
    public struct Input: Sendable {
        public var caseNumber: Int
        public var files: [AttachUploadedFiles.StoredUpload]
        /// The staff member's language, for the line that names each file.
        public var language: Language
        public init(caseNumber: Int, files: [AttachUploadedFiles.StoredUpload], language: Language) {
            self.caseNumber = caseNumber
            self.files = files
            self.language = language
        }
    }

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Int {
        let record = try await StaffCaseLookup.find(number: input.caseNumber, in: context)
        guard !input.files.isEmpty else { return record.number }
        let caseId = try record.requireID(), now = context.now
        let author = CaseConversation.Author(kind: .staff, staffId: actor.staffId, name: actor.name)
        let template = context.notifications.text("message_file_uploaded", in: input.language)
        try await context.database.transaction { tx in
            for upload in input.files {
                let file = upload.staffRecord(by: actor, at: now)
                file.caseId = caseId
                try await VisibleFiles(database: tx).addToCase(
                    file, message: template.replacingOccurrences(of: "{name}", with: upload.originalName),
                    text: MessageText("message_file_uploaded", ["name": upload.originalName]), author: author, at: now)
            }
            try await CaseEvents.append(.filesUploaded(names: input.files.map(\.originalName)), caseId: caseId,
                                        by: actor.eventActor, at: now, on: tx)
        }
        return record.number
    }
}

/// Staff remove a file from a case, whoever uploaded it (after confirming on the page).
public enum RemoveStaffCaseFile {
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

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws
        -> RemoveCaseFile.Removed {
        let record = try await StaffCaseLookup.find(number: input.caseNumber, in: context)
        let caseId = try record.requireID(), now = context.now
        guard let existing = try await StaffFiles(database: context.database).find(fileId: input.fileId),
              existing.caseId == caseId else { throw OperationError.notFound }
        let text = context.notifications.text("message_file_removed", in: input.language)
            .replacingOccurrences(of: "{name}", with: existing.originalName)
        // Issue 13 (C4): an unshared library document goes without a line in the conversation and its
        // event stays with staff; a task's medium is its task's business, not this page's.
        guard existing.taskId == nil else { throw OperationError.notFound }
        if existing.isShared == false {
            return try await DeleteCaseDocument.run(.init(caseNumber: record.number, fileId: input.fileId), by: actor, in: context)
        }
        return try await context.database.transaction { tx in
            guard let removed = try await StaffFiles(database: tx).removeFromCase(
                fileId: input.fileId, caseId: caseId, message: text,
                text: MessageText("message_file_removed", ["name": existing.originalName]),
                author: .init(kind: .staff, staffId: actor.staffId, name: actor.name), at: now) else {
                throw OperationError.notFound
            }
            try await CaseEvents.append(.fileRemoved(name: removed.originalName), caseId: caseId, by: actor.eventActor, at: now, on: tx)
            return RemoveCaseFile.Removed(caseNumber: record.number, storageKey: removed.storageKey)
        }
    }
}

extension AttachUploadedFiles.StoredUpload {
    /// The file's row as staff uploaded it; the caller says where it hangs.
    func staffRecord(by actor: StaffActor, at now: Date) -> StoredFileRecord {
        let record = StoredFileRecord()
        record.storageKey = storageKey
        record.originalName = originalName
        record.contentType = contentType
        record.byteSize = byteSize
        record.uploadedByStaffId = actor.staffId
        record.uploaderName = actor.name
        record.createdAt = now
        return record
    }
}
