import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// Issue 13 point 3 (C4, seed 002 "Del ikke med kunder"): staff stop sharing one document, after
/// confirming. Writes `documentUnshared` when this call unshared it. The document keeps its
/// `shared_at`, so an inspection or settlement report stays unshared: it is never shared again
/// automatically, only by hand. A customer's own upload cannot be unshared (it is theirs).
public enum UnshareCaseDocument {
    public struct Input: Sendable {
        public var caseNumber: Int
        public var fileId: Int
        public init(caseNumber: Int, fileId: Int) {
            self.caseNumber = caseNumber
            self.fileId = fileId
        }
    }

    /// True when this call stopped sharing the document (false: it was not shared).
    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Bool {
        let record = try await StaffCaseLookup.find(number: input.caseNumber, in: context)
        let caseId = try record.requireID(), now = context.now
        return try await context.database.transaction { tx in
            let documents = CaseDocuments(database: tx)
            guard let file = try await documents.find(fileId: input.fileId, caseId: caseId) else { throw OperationError.notFound }
            guard file.uploadedByUserId == nil else { throw OperationError.forbidden }
            guard try await documents.unshare(fileId: input.fileId, caseId: caseId, at: now) else { return false }
            try await CaseEvents.append(.documentUnshared(name: file.documentName), caseId: caseId, by: actor.eventActor,
                                        at: now, on: tx)
            return true
        }
    }
}
