import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// D3/C2: media attached to a task (photos, documents; 30 MB each, like every upload). The bytes are
/// already in storage; each becomes a case file with the task's id, not shared with the customer
/// (`is_shared` false: the document library and the customer page decide what the customer sees, and
/// an inspection's media never). The event is for staff only.
public enum AttachClaimTaskMedia {
    public struct Input: Sendable {
        public var caseNumber: Int
        public var taskId: Int
        public var files: [AttachUploadedFiles.StoredUpload]
        public init(caseNumber: Int, taskId: Int, files: [AttachUploadedFiles.StoredUpload]) {
            self.caseNumber = caseNumber
            self.taskId = taskId
            self.files = files
        }
    }

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Int {
        let (record, _) = try await ClaimSupport.claim(number: input.caseNumber, in: context)
        let caseId = try record.requireID()
        guard try await ClaimBackOffice(database: context.database).task(id: input.taskId, caseId: caseId) != nil else {
            throw OperationError.notFound
        }
        guard !input.files.isEmpty else { return record.number }
        let now = context.now
        try await context.database.transaction { tx in
            for upload in input.files {
                let file = upload.staffRecord(by: actor, at: now)
                file.caseId = caseId
                file.taskId = input.taskId
                file.isShared = false
                try await file.create(on: tx)
            }
            try await CaseEvents.append(.filesUploaded(names: input.files.map(\.originalName)), caseId: caseId,
                                        by: actor.eventActor, at: now, audience: .staff, on: tx)
        }
        return record.number
    }
}

/// Start page (seed 002 "Sager med partner uploads"): staff mark a document a supplier sent as
/// reviewed, which takes it off the start page. Returns the case's number.
public enum MarkSupplierFileReviewed {
    public static func run(fileId: Int, by actor: StaffActor, in context: OperationContext) async throws -> Int {
        guard let file = try await StoredFileRecord.find(fileId, on: context.database), file.removedAt == nil,
              file.supplierId != nil, let caseId = file.caseId,
              let record = try await CaseRecord.find(caseId, on: context.database) else { throw OperationError.notFound }
        if file.reviewedAt == nil {
            file.reviewedAt = context.now
            try await file.update(on: context.database)
        }
        return record.number
    }
}
