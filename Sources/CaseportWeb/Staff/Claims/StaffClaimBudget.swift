import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// Issue 13 point 4 (C5, D3): the case's budget on the staff case page — add a line, edit one on
/// its own page, remove one after confirming. A line's amount is quantity × unit price rounded once;
/// the total is the sum of the rounded amounts. Whether the customer sees it is the page settings'
/// `budget` moment (the customer page shows it).
extension StaffClaimDocumentsController {
    /// A budget line's form as posted and shown again.
    struct BudgetForm: PostedForm, Encodable {
        var description = ""
        var quantity = ""
        var unit_price = ""

        static var longestValue: Int { BudgetLineInput.descriptionLimit }

        init() {}
        init(_ line: BudgetLineRecord) {
            description = line.description
            quantity = Quantity(milli: line.quantityMilli).plain
            unit_price = Money(minor: line.unitPriceMinor).plain
        }

        var input: BudgetLineInput { BudgetLineInput(description: description, quantity: quantity, unitPrice: unit_price) }
    }

    struct BudgetLinePage: Encodable {
        var layout: Layout
        var number: Int
        var subject: String
        /// Nil while adding (a refused new line).
        var lineId: Int?
        var values: BudgetForm
        var errors: [String: String]
    }

    func renderBudgetLine(_ request: Request, record: CaseRecord, lineId: Int?, form: BudgetForm, errors: [String: String],
                          status: HTTPResponseStatus) async throws -> Response {
        let page = BudgetLinePage(layout: Layout(request, title: request.t(lineId == nil ? "budget_add_title" : "budget_edit_title"),
                                                 area: "staff"),
                                  number: record.number, subject: record.subject, lineId: lineId, values: form, errors: errors)
        let response = try await request.view.render("staff/claims/budget-line", page).encodeResponse(for: request).get()
        response.status = status
        return response
    }

    func addBudgetLine(request: Request) async throws -> Response {
        let record = try await Self.caseRecord(request)
        let form = try request.form(BudgetForm.self)
        switch try await AddBudgetLine.run(caseNumber: record.number, form.input, by: try request.staffMember(), in: request.operations) {
        case .done(let number): return Self.back(request, number, budget: "added")
        case .problems(let problems):
            return try await renderBudgetLine(request, record: record, lineId: nil, form: form, errors: request.texts(problems),
                                              status: .unprocessableEntity)
        }
    }

    func budgetLineForm(request: Request) async throws -> Response {
        let record = try await Self.caseRecord(request)
        let lineId = try Self.id(request, "lineId")
        guard let line = try await BudgetLines(database: request.database).find(lineId: lineId, caseId: record.id!) else { throw Abort(.notFound) }
        return try await renderBudgetLine(request, record: record, lineId: lineId, form: BudgetForm(line), errors: [:], status: .ok)
    }

    func updateBudgetLine(request: Request) async throws -> Response {
        let record = try await Self.caseRecord(request)
        let lineId = try Self.id(request, "lineId")
        let form = try request.form(BudgetForm.self)
        switch try await EditBudgetLine.run(caseNumber: record.number, lineId: lineId, form.input, by: try request.staffMember(),
                                            in: request.operations) {
        case .done(let number): return Self.back(request, number, budget: "saved")
        case .problems(let problems):
            return try await renderBudgetLine(request, record: record, lineId: lineId, form: form, errors: request.texts(problems),
                                              status: .unprocessableEntity)
        }
    }

    func removeBudgetLine(request: Request) async throws -> Response {
        let record = try await Self.caseRecord(request)
        let lineId = try Self.id(request, "lineId")
        guard let line = try await BudgetLines(database: request.database).find(lineId: lineId, caseId: record.id!) else { throw Abort(.notFound) }
        guard ConfirmStep.isConfirmed(request) else {
            return try await ConfirmStep.staff(request, titleKey: "budget_remove_title",
                                               question: request.t("budget_remove_question").replacingOccurrences(of: "{name}", with: line.description),
                                               button: request.t("budget_remove"),
                                               cancelHref: StaffRoute.`case`.path(record.number, fragment: "budget"))
        }
        let number = try await RemoveBudgetLine.run(caseNumber: record.number, lineId: lineId, by: try request.staffMember(),
                                                    in: request.operations)
        return Self.back(request, number, budget: "removed")
    }
}
