import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// Issue 13 point 3 (D3, C4): staff add a document to the case's library with a category and a
/// title, optionally as sent by a supplier. A library document starts unshared (the customer sees
/// nothing until staff share it), so its upload event is staff-only and no conversation line is
/// written; an inspection or settlement report whose sharing moment the claim has already reached
/// is shared at once (`AutoShareReports`), in the same transaction.
public enum AddCaseDocuments {
    public enum Field: String, Hashable, Sendable { case files, category, title, supplier }

    public static let titleLimit = 200

    public struct Input: Sendable {
        public var caseNumber: Int
        public var files: [AttachUploadedFiles.StoredUpload]
        /// `CaseDocumentCategory` as posted.
        public var category: String
        public var title: String
        /// "Sent by supplier": the supplier's id as posted; empty: not from a supplier.
        public var supplier: String
        public init(caseNumber: Int, files: [AttachUploadedFiles.StoredUpload], category: String, title: String, supplier: String = "") {
            self.caseNumber = caseNumber
            self.files = files
            self.category = category
            self.title = title
            self.supplier = supplier
        }
    }

    /// Checks what was typed (before any file is kept).
    public static func check(category: String, title: String, supplier: String, in context: OperationContext) async throws
        -> (Problems<Field>, CaseDocumentCategory?, Int?) {
        var problems = Problems<Field>()
        let chosen = CaseDocumentCategory(rawValue: category)
        if category.isEmpty { problems.add(.category, ProblemKey.required) } else if chosen == nil { problems.add(.category, ProblemKey.chooseFromList) }
        if title.trimmingCharacters(in: .whitespacesAndNewlines).count > titleLimit { problems.add(.title, ProblemKey.tooLong) }
        var supplierId: Int?
        let trimmed = supplier.trimmingCharacters(in: .whitespaces)
        if !trimmed.isEmpty {
            if let id = Int(trimmed), try await SupplierRecord.find(id, on: context.database) != nil {
                supplierId = id
            } else {
                problems.add(.supplier, ProblemKey.chooseFromList)
            }
        }
        return (problems, chosen, supplierId)
    }

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Outcome<Int, Field> {
        let record = try await StaffCaseLookup.find(number: input.caseNumber, in: context)
        let checked = try await check(category: input.category, title: input.title, supplier: input.supplier, in: context)
        var problems = checked.0
        if input.files.isEmpty { problems.add(.files, "upload_error_none") }
        guard problems.isEmpty, let category = checked.1 else { return .problems(problems) }
        let supplierId = checked.2
        let caseId = try record.requireID(), now = context.now
        let title = input.title.trimmingCharacters(in: .whitespacesAndNewlines)
        try await context.database.transaction { tx in
            for upload in input.files {
                let file = upload.staffRecord(by: actor, at: now)
                file.caseId = caseId
                file.category = category.rawValue
                file.title = title.isEmpty ? nil : title
                file.isShared = false
                file.supplierId = supplierId
                try await file.create(on: tx)
            }
            // Unshared: only staff see that it came (the customer's feed gets documentShared on sharing).
            try await CaseEvents.append(.filesUploaded(names: input.files.map { title.isEmpty ? $0.originalName : title }),
                                        caseId: caseId, by: actor.eventActor, at: now, audience: .staff, on: tx)
            if category == .inspectionReport || category == .settlementReport {
                try await AutoShareReports.shareDue(caseId: caseId, actor: actor.eventActor, at: now, on: tx)
            }
        }
        return .done(record.number)
    }
}
