import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// Staff remove a line from the case's budget, after confirming; the timeline keeps what it was
/// (`budgetLineRemoved`, staff only).
public enum RemoveBudgetLine {
    public static func run(caseNumber: Int, lineId: Int, by actor: StaffActor, in context: OperationContext) async throws -> Int {
        let record = try await StaffCaseLookup.find(number: caseNumber, in: context)
        let caseId = try record.requireID()
        try await context.database.transaction { tx in
            // One conditional DELETE: a line of another case, or one already removed, is not found.
            guard let removed = try await BudgetLines(database: tx).remove(lineId: lineId, caseId: caseId) else {
                throw OperationError.notFound
            }
            try await CaseEvents.append(.budgetLineRemoved(description: removed.description, amount: removed.amount.plain),
                                        caseId: caseId, by: actor.eventActor, at: context.now, on: tx)
        }
        return record.number
    }
}
