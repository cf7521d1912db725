import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// Issue 13 point 3 (seed 002 "Rediger"): staff change a library document's title and category.
/// A document that becomes an inspection or settlement report is shared at once when the claim has
/// reached that report's moment and the document was never shared (as at upload).
public enum EditCaseDocument {
    public typealias Field = AddCaseDocuments.Field

    public struct Input: Sendable {
        public var caseNumber: Int
        public var fileId: Int
        public var category: String
        public var title: String
        public init(caseNumber: Int, fileId: Int, category: String, title: String) {
            self.caseNumber = caseNumber
            self.fileId = fileId
            self.category = category
            self.title = title
        }
    }

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Outcome<Int, Field> {
        let record = try await StaffCaseLookup.find(number: input.caseNumber, in: context)
        let caseId = try record.requireID()
        guard let file = try await CaseDocuments(database: context.database).find(fileId: input.fileId, caseId: caseId) else {
            throw OperationError.notFound
        }
        let (problems, category, _) = try await AddCaseDocuments.check(category: input.category, title: input.title,
                                                                      supplier: "", in: context)
        guard problems.isEmpty, let category else { return .problems(problems) }
        let title = input.title.trimmingCharacters(in: .whitespacesAndNewlines)
        file.category = category.rawValue
        file.title = title.isEmpty ? nil : title
        let now = context.now
        try await context.database.transaction { tx in
            try await file.update(on: tx)
            // A document that became a report whose moment the claim has reached is shared now, as an
            // upload of it would be (only when it was never shared).
            if category == .inspectionReport || category == .settlementReport {
                try await AutoShareReports.shareDue(caseId: caseId, actor: actor.eventActor, at: now, on: tx)
            }
        }
        return .done(record.number)
    }
}
