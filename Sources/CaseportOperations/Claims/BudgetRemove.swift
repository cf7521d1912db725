import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// Staff remove a line from the case's budget, after confirming.
public enum RemoveBudgetLine {
    public static func run(caseNumber: Int, lineId: Int, by actor: StaffActor, in context: OperationContext) async throws -> Int {
        let record = try await StaffCaseLookup.find(number: caseNumber, in: context)
        guard let line = try await BudgetLines(database: context.database).find(lineId: lineId, caseId: try record.requireID()) else {
            throw OperationError.notFound
        }
        try await line.delete(on: context.database)
        return record.number
    }
}
