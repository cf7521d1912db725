import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// Staff change a line of the case's budget (its amount is rounded again from the new values).
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
            line.description = checked.description
            line.quantityMilli = checked.quantity.milli
            line.unitPriceMinor = checked.unitPrice.minor
            line.amountMinor = checked.amount.minor
            try await line.update(on: context.database)
            return .done(record.number)
        }
    }
}
