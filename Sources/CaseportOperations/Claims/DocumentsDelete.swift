import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// Issue 13 point 3 (seed 002 "Slet"): staff delete a library document, after confirming. The event
/// is the customer's only when the customer could see the document; the bytes are deleted by the
/// caller after the commit (`storageKey`).
public enum DeleteCaseDocument {
    public struct Input: Sendable {
        public var caseNumber: Int
        public var fileId: Int
        public init(caseNumber: Int, fileId: Int) {
            self.caseNumber = caseNumber
            self.fileId = fileId
        }
    }

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws
        -> RemoveCaseFile.Removed {
        let record = try await StaffCaseLookup.find(number: input.caseNumber, in: context)
        let caseId = try record.requireID(), now = context.now
        return try await context.database.transaction { tx in
            guard let removed = try await CaseDocuments(database: tx).remove(fileId: input.fileId, caseId: caseId, at: now) else {
                throw OperationError.notFound
            }
            try await CaseEvents.append(.fileRemoved(name: removed.documentName), caseId: caseId, by: actor.eventActor, at: now,
                                        audience: removed.isShared == false ? .staff : .customer, on: tx)
            return RemoveCaseFile.Removed(caseNumber: record.number, storageKey: removed.storageKey)
        }
    }
}
