import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// Issue 13 point 4 (C5, D3): a line of a claim's budget as typed — description, quantity (at most
/// three decimals) and unit price — checked once for adding and editing. The amount is quantity ×
/// unit price rounded once (`BudgetLines.amount`); totals are sums of the rounded amounts.
public struct BudgetLineInput: Sendable, Equatable {
    public enum Field: String, Hashable, Sendable { case description, quantity, unitPrice = "unit_price" }

    public static let descriptionLimit = 500

    public var description: String
    public var quantity: String
    public var unitPrice: String

    public init(description: String, quantity: String, unitPrice: String) {
        self.description = description
        self.quantity = quantity
        self.unitPrice = unitPrice
    }

    public struct Checked: Sendable {
        public var description: String
        public var quantity: Quantity
        public var unitPrice: Money
        public var amount: Money
    }

    public func check() -> Result<Checked, ProblemsBox> {
        var problems = Problems<Field>()
        let text = description.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { problems.add(.description, ProblemKey.required) } else if text.count > Self.descriptionLimit { problems.add(.description, ProblemKey.tooLong) }
        let quantity = Quantity.parse(self.quantity.trimmingCharacters(in: .whitespaces))
        if self.quantity.trimmingCharacters(in: .whitespaces).isEmpty { problems.add(.quantity, ProblemKey.required) } else if quantity == nil { problems.add(.quantity, "budget_error_quantity") }
        let price = Money.parse(unitPrice.trimmingCharacters(in: .whitespaces))
        if unitPrice.trimmingCharacters(in: .whitespaces).isEmpty { problems.add(.unitPrice, ProblemKey.required) } else if price == nil { problems.add(.unitPrice, "budget_error_price") }
        guard problems.isEmpty, let quantity, let price, let amount = BudgetLines.amount(quantity: quantity, unitPrice: price) else {
            if problems.isEmpty { problems.add(.unitPrice, "budget_error_price") }
            return .failure(ProblemsBox(problems: problems))
        }
        return .success(Checked(description: text, quantity: quantity, unitPrice: price, amount: amount))
    }

    /// `Problems` as an `Error` for `Result`.
    public struct ProblemsBox: Error, Sendable { public var problems: Problems<Field> }
}

/// Staff add a line to the case's budget; the timeline says so (`budgetLineAdded`, staff only).
public enum AddBudgetLine {
    public static func run(caseNumber: Int, _ input: BudgetLineInput, by actor: StaffActor, in context: OperationContext) async throws
        -> Outcome<Int, BudgetLineInput.Field> {
        let record = try await StaffCaseLookup.find(number: caseNumber, in: context)
        switch input.check() {
        case .failure(let box): return .problems(box.problems)
        case .success(let line):
            let caseId = try record.requireID()
            try await context.database.transaction { tx in
                try await BudgetLines(database: tx).add(caseId: caseId, description: line.description, quantity: line.quantity,
                                                        unitPrice: line.unitPrice, amount: line.amount, at: context.now)
                try await CaseEvents.append(.budgetLineAdded(description: line.description, amount: line.amount.plain),
                                            caseId: caseId, by: actor.eventActor, at: context.now, on: tx)
            }
            return .done(record.number)
        }
    }
}
