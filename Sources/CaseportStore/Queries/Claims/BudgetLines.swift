import CaseportCore
import FluentKit
import Foundation
import SQLKit

/// A claim's budget (issue 13 point 4, C5): lines of description, quantity × unit price, each
/// amount rounded once when the line is written (`MoneyRounding`, as `RowAmounts` rounds a booked
/// row's net), and totals that are the plain sums of the rounded amounts.
public struct BudgetLines: Sendable {
    let database: any Database
    public init(database: any Database) { self.database = database }

    /// The amount of one line: quantity × unit price rounded to a minor unit (halves away from
    /// zero); nil when it does not fit (the typed limits rule that out).
    public static func amount(quantity: Quantity, unitPrice: Money) -> Money? {
        guard let product = MoneyRounding.multiply(quantity.milli, unitPrice.minor) else { return nil }
        return Money(minor: MoneyRounding.divide(product, by: 1000))
    }

    /// The case's lines in their order.
    public func lines(caseId: Int) async throws -> [BudgetLineRecord] {
        try await BudgetLineRecord.query(on: database).filter(\.$caseId == caseId)
            .sort(\.$position).sort(\.$id).all()
    }

    /// The sum of the rounded amounts of the case's lines.
    public func total(caseId: Int) async throws -> Money {
        Money(minor: try await lines(caseId: caseId).reduce(0) { $0 + $1.amountMinor })
    }

    public func find(lineId: Int, caseId: Int) async throws -> BudgetLineRecord? {
        try await BudgetLineRecord.query(on: database).filter(\.$id == lineId).filter(\.$caseId == caseId).first()
    }

    /// Removes the line and says what it was; nil when this case has no such line (any more): of two
    /// removals at once only one gets it back, so only one records the removal.
    public func remove(lineId: Int, caseId: Int) async throws -> (description: String, amount: Money)? {
        guard let row = try await database.requireSQL().raw("""
            DELETE FROM budget_lines WHERE id = \(bind: lineId) AND case_id = \(bind: caseId)
            RETURNING description, amount_minor
            """).first() else { return nil }
        return (try row.decode(column: "description", as: String.self),
                Money(minor: try row.decode(column: "amount_minor", as: Int.self)))
    }

    /// Adds a line at the end of the case's budget.
    @discardableResult
    public func add(caseId: Int, description: String, quantity: Quantity, unitPrice: Money, amount: Money,
                    at now: Date) async throws -> BudgetLineRecord {
        let last = try await BudgetLineRecord.query(on: database).filter(\.$caseId == caseId).max(\.$position) ?? 0
        let line = BudgetLineRecord()
        line.caseId = caseId
        line.position = last + 1
        line.description = description
        line.quantityMilli = quantity.milli
        line.unitPriceMinor = unitPrice.minor
        line.amountMinor = amount.minor
        line.createdAt = now
        try await line.create(on: database)
        return line
    }
}
