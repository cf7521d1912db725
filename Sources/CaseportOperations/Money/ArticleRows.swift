import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// B8, D3: staff book an article row on a case, or on one of its open work orders. Code, name, unit,
/// type, price and VAT rate are copied from the price list now, and the row's amounts rounded once
/// (`RowAmounts.of`), so a later price change leaves the row as it was booked.
public enum BookArticleRow {
    public struct Input: Sendable {
        public var caseNumber: Int
        public var article: ChosenId
        public var actionCode: ChosenId
        public var workOrder: ChosenId
        /// As typed, at most three decimals: "2", "1,5", "0.125".
        public var quantity: String
        /// yyyy-mm-dd; empty: today.
        public var bookedOn: String
        public var note: String

        public init(caseNumber: Int, article: ChosenId, actionCode: ChosenId = .none, workOrder: ChosenId = .none,
                    quantity: String, bookedOn: String = "", note: String = "") {
            self.caseNumber = caseNumber
            self.article = article
            self.actionCode = actionCode
            self.workOrder = workOrder
            self.quantity = quantity
            self.bookedOn = bookedOn
            self.note = note
        }
    }

    public enum Field: String, Hashable, Sendable {
        case article, actionCode = "action_code", workOrder = "work_order", quantity, bookedOn = "booked_on", note
    }

    public struct Booked: Sendable, Equatable {
        public var caseNumber: Int
        public var rowId: Int
    }

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Outcome<Booked, Field> {
        let db = context.database
        let record = try await StaffCaseLookup.find(number: input.caseNumber, in: context)
        let caseId = try record.requireID()
        var problems = Problems<Field>()
        var article: ArticleRecord?
        switch input.article {
        case .none: problems.add(.article, ProblemKey.required)
        case .invalid: problems.add(.article, ProblemKey.chooseFromList)
        case .id(let id):
            article = try await ArticleRecord.find(id, on: db)
            if article?.isActive != true { problems.add(.article, ProblemKey.chooseFromList) }
        }
        var actionCode: ActionCodeRecord?
        switch input.actionCode {
        case .none: break
        case .invalid: problems.add(.actionCode, ProblemKey.chooseFromList)
        case .id(let id):
            actionCode = try await ActionCodeRecord.find(id, on: db)
            if actionCode?.isActive != true { problems.add(.actionCode, ProblemKey.chooseFromList) }
        }
        var workOrder: WorkOrderRecord?
        switch input.workOrder {
        case .none: break
        case .invalid: problems.add(.workOrder, ProblemKey.chooseFromList)
        case .id(let id):
            workOrder = try await CaseMoney(database: db).workOrder(id: id, caseId: caseId)
            if workOrder == nil { problems.add(.workOrder, ProblemKey.chooseFromList) }
            else if workOrder?.currentState.isOpen == false { problems.add(.workOrder, "work_order_error_done") }
        }
        let quantityText = input.quantity.trimmed
        let quantity = Quantity.parse(quantityText)
        if quantityText.isEmpty { problems.add(.quantity, ProblemKey.required) }
        else if quantity == nil || quantity!.milli == 0 { problems.add(.quantity, "money_error_quantity") }
        let dayText = input.bookedOn.trimmed
        let day = dayText.isEmpty ? MoneyText.today(context.now) : MoneyText.day(dayText)
        if day == nil { problems.add(.bookedOn, "form_invalid_date") }
        let note = input.note.trimmed
        if note.count > 500 { problems.add(.note, ProblemKey.tooLong) }
        guard problems.isEmpty, let article, let quantity, let day else { return .problems(problems) }
        guard let amounts = RowAmounts.of(quantity: quantity, unitPrice: article.unitPrice, vatRate: article.vatRate) else {
            problems.add(.quantity, "money_error_quantity")
            return .problems(problems)
        }

        let row = ArticleRowRecord()
        row.caseId = caseId
        row.workOrderId = workOrder?.id
        row.articleId = article.id
        row.actionCodeId = actionCode?.id
        row.actionCode = actionCode?.code
        row.articleCode = article.code
        row.articleName = article.name
        row.articleType = article.articleType
        row.unit = article.unit
        row.quantityMilli = quantity.milli
        row.unitPriceMinor = article.unitPriceMinor
        row.vatRateBasisPoints = article.vatRateBasisPoints
        row.netMinor = amounts.net.minor
        row.vatMinor = amounts.vat.minor
        row.grossMinor = amounts.gross.minor
        row.note = note.isEmpty ? nil : note
        row.bookedOn = day
        row.createdUnix = Int(context.now.timeIntervalSince1970)
        row.createdByStaffId = actor.staffId
        row.createdByName = actor.name
        let event = CaseEvent.articleRowBooked(article: "\(article.code) \(article.name)", quantity: quantity.plain,
                                               workOrder: workOrder?.id)
        try await db.transaction { tx in
            try await row.save(on: tx)
            try await CaseEvents.append(event,
                                        caseId: caseId, by: actor.eventActor, at: context.now, on: tx)
        }
        return .done(Booked(caseNumber: record.number, rowId: try row.requireID()))
    }
}

/// Staff remove a booked row. A row that a waiting or approved specification holds stays: the
/// customer has (or is about to) see it — `OperationError.notAllowedNow`.
public enum RemoveArticleRow {
    public static func run(caseNumber: Int, rowId: Int, by actor: StaffActor, in context: OperationContext) async throws -> Int {
        let record = try await StaffCaseLookup.find(number: caseNumber, in: context)
        let caseId = try record.requireID()
        guard let row = try await CaseMoney(database: context.database).row(id: rowId, caseId: caseId) else {
            throw OperationError.notFound
        }
        guard row.specificationId == nil else { throw OperationError.notAllowedNow }
        try await context.database.transaction { tx in
            // Conditional: a specification made meanwhile keeps the row.
            guard try await MoneyWrites.deleteUnspecifiedRow(id: rowId, on: tx) else { throw OperationError.notAllowedNow }
            try await CaseEvents.append(.articleRowRemoved(article: "\(row.articleCode) \(row.articleName)", quantity: row.quantity.plain),
                                        caseId: caseId, by: actor.eventActor, at: context.now, on: tx)
        }
        return record.number
    }
}
