import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// Staff remove a line from the case's budget, after confirming; the timeline keeps what it was
/// (`budgetLineRemoved`, staff only).
public enum RemoveBudgetLine {
    public static func run(caseNumber: Int, lineId: Int, by actor: StaffActor, in context: OperationContext) async throws -> Int {
        let record = try await StaffCaseLookup.find(number: caseNumber, in: context)
        guard let line = try await BudgetLines(database: context.database).find(lineId: lineId, caseId: try record.requireID()) else {
            throw OperationError.notFound
        }
        let caseId = try record.requireID()
        try await context.database.transaction { tx in
            // Conditional: of two removals at once only the one that deleted the row records it.
            guard try await BudgetLines(database: tx).remove(lineId: lineId, caseId: caseId) else { return }
            try await CaseEvents.append(.budgetLineRemoved(description: line.description,
                                                           amount: Money(minor: line.amountMinor).plain),
                                        caseId: caseId, by: actor.eventActor, at: context.now, on: tx)
        }
        return record.number
    }
}
