import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// Issue 13 point 3 (C4, seed 002 "Del dokumenter med kunden manuelt"): staff select documents in
/// the library and, after confirming, share them with the customer. One `documentShared` event per
/// document that this call shared; a document already shared (a double submit, a colleague at the
/// same time) is left as it is and writes nothing.
public enum ShareCaseDocuments {
    public struct Input: Sendable {
        public var caseNumber: Int
        public var fileIds: [Int]
        public init(caseNumber: Int, fileIds: [Int]) {
            self.caseNumber = caseNumber
            self.fileIds = fileIds
        }
    }

    /// How many documents this call shared.
    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Int {
        let record = try await StaffCaseLookup.find(number: input.caseNumber, in: context)
        let caseId = try record.requireID(), now = context.now
        return try await context.database.transaction { tx in
            let documents = CaseDocuments(database: tx)
            var shared = 0
            for fileId in Set(input.fileIds).sorted() {
                guard let file = try await documents.find(fileId: fileId, caseId: caseId),
                      try await documents.share(fileId: fileId, caseId: caseId, at: now) else { continue }
                try await CaseEvents.append(.documentShared(name: file.documentName), caseId: caseId, by: actor.eventActor,
                                            at: now, on: tx)
                shared += 1
            }
            return shared
        }
    }
}

extension StoredFileRecord {
    /// The name events and pages give a library document: its title, else the file's name.
    var documentName: String {
        let trimmed = title?.trimmingCharacters(in: .whitespaces) ?? ""
        return trimmed.isEmpty ? originalName : trimmed
    }
}
