import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// Staff change a line of the case's budget (its amount is rounded again from the new values); the timeline
/// says so (`budgetLineChanged`, staff only) unless nothing changed.
public enum EditBudgetLine {
    public static func run(caseNumber: Int, lineId: Int, _ input: BudgetLineInput, by actor: StaffActor,
                           in context: OperationContext) async throws -> Outcome<Int, BudgetLineInput.Field> {
        let record = try await StaffCaseLookup.find(number: caseNumber, in: context)
        guard let line = try await BudgetLines(database: context.database).find(lineId: lineId, caseId: try record.requireID()) else {
            throw OperationError.notFound
        }
        switch input.check() {
        case .failure(let box): return .problems(box.problems)
        case .success(let checked):
            // Saved as it was: nothing to write or record (Fluent counts every assignment as a change).
            guard line.description != checked.description || line.quantityMilli != checked.quantity.milli
                    || line.unitPriceMinor != checked.unitPrice.minor else { return .done(record.number) }
            line.description = checked.description
            line.quantityMilli = checked.quantity.milli
            line.unitPriceMinor = checked.unitPrice.minor
            line.amountMinor = checked.amount.minor
            let caseId = try record.requireID()
            try await context.database.transaction { tx in
                try await line.update(on: tx)
                try await CaseEvents.append(.budgetLineChanged(description: checked.description, amount: checked.amount.plain),
                                            caseId: caseId, by: actor.eventActor, at: context.now, on: tx)
            }
            return .done(record.number)
        }
    }
}
