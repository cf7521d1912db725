import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// B8 "Actions": a case's booked article rows, in the columns the deployment chose, for whoever sees
/// the case (the A7 rule: another customer's case is the same 404 as the case page). B10: invoice
/// specifications, for users whose contact is linked to customers (`SpecificationAccess`), with
/// approve and reject.
struct PortalMoneyController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(PortalRoute.caseActions, use: actions)
        routes.on(PortalRoute.specifications, use: specifications)
        routes.on(PortalRoute.specification, use: specification)
        routes.on(PortalRoute.specificationApprove, use: approve)
        routes.on(PortalRoute.specificationReject, use: reject)
    }

    struct ActionsPage: Encodable {
        var layout: Layout
        var caseNumber: Int
        var subject: String
        var headers: [MoneyViews.Header]
        var rows: [MoneyViews.Row]
        var totals: [MoneyViews.Cell]
    }

    func actions(request: Request) async throws -> View {
        let (_, detail) = try await PortalCaseController().findCase(request)
        let settings = try await SettingsStore(database: request.database).load()
        let columns = settings.actionColumns.isEmpty ? ActionColumn.standard : settings.actionColumns
        let rows = try await CaseMoney(database: request.database).rows(caseId: detail.id)
        let page = ActionsPage(
            layout: Layout(request, title: "\(request.t("actions_title")) – \(request.t("case_number_short")) \(detail.number)"),
            caseNumber: detail.number, subject: detail.subject,
            headers: MoneyViews.headers(columns, request: request),
            rows: rows.map { MoneyViews.Row(id: $0.id!, cells: MoneyViews.cells(columns, MoneyViews.Shown($0), request: request)) },
            totals: MoneyViews.totals(columns, MoneyTotals(rows: rows.map(\.amounts)), request: request))
        return try await request.view.render("portal/case-actions", page)
    }

    struct ListRow: Encodable {
        var id: Int
        var number: Int
        var title: String
        var created: String
        var gross: String
        var state: String
        var waiting: Bool
    }

    struct ListPage: Encodable {
        var layout: Layout
        var rows: [ListRow]
    }

    func specifications(request: Request) async throws -> View {
        let principal = try request.requirePortal()
        let customers = SpecificationAccess.customerIds(for: principal.viewer)
        // Not for invoice-customer or object logins, nor contacts without a customer (LF seed): 404.
        guard !customers.isEmpty else { throw Abort(.notFound) }
        let specs = try await InvoiceSpecifications(database: request.database).list(customerIds: customers)
        let page = ListPage(
            layout: Layout(request, title: request.t("specs_title")),
            rows: specs.map {
                ListRow(id: $0.id!, number: $0.number, title: $0.title, created: MoneyViews.unixDate($0.createdUnix, request: request),
                        gross: $0.totals.gross.formatted(request.language), state: request.t($0.currentState.labelKey),
                        waiting: $0.currentState == .waiting)
            })
        return try await request.view.render("portal/specifications", page)
    }

    struct DetailPage: Encodable {
        var layout: Layout
        var id: Int
        var number: Int
        var title: String
        var customerName: String
        var created: String
        var state: String
        var stateKey: String
        var waiting: Bool
        var answered: String?
        var answerComment: String?
        var headers: [MoneyViews.Header]
        var rows: [MoneyViews.Row]
        var totals: [MoneyViews.Cell]
        var notice: String?
        var hasErrors: Bool
        var errors: [String: String]
        var comment: String
    }

    /// The specification's columns: the case it came from, then the money columns.
    static let specColumns: [ActionColumn] = [.date, .article, .quantity, .unit, .unitPrice, .vatRate, .net, .vat, .gross]

    func findSpecification(_ request: Request) async throws -> InvoiceSpecificationRecord {
        let principal = try request.requirePortal()
        guard let raw = request.parameters.get("id"), raw.count <= 12, let id = Int(raw),
              let spec = try await InvoiceSpecifications(database: request.database)
                .find(id: id, customerIds: SpecificationAccess.customerIds(for: principal.viewer))
        else { throw Abort(.notFound) }
        return spec
    }

    func specification(request: Request) async throws -> View {
        let spec = try await findSpecification(request)
        return try await render(request, spec: spec, errors: [:], comment: "",
                                notice: request.notice([.approved, .rejected], prefix: "spec_notice_"))
    }

    func render(_ request: Request, spec: InvoiceSpecificationRecord, errors: [String: String], comment: String,
                notice: String?) async throws -> View {
        let rows = try await InvoiceSpecifications(database: request.database).rows(specificationId: spec.id!)
        let customer = try await CustomerRecord.find(spec.customerId, on: request.database)
        var headers = [MoneyViews.Header(label: request.t("case_number_short"), numeric: false)]
        headers += MoneyViews.headers(Self.specColumns, request: request)
        var totals = [MoneyViews.Cell(text: "", numeric: false)]
        totals += MoneyViews.totals(Self.specColumns, spec.totals, request: request)
        var answered: String?
        if let at = spec.answeredUnix {
            answered = request.t("spec_answered_by").replacingOccurrences(of: "{name}", with: spec.answeredByName ?? "")
                .replacingOccurrences(of: "{date}", with: MoneyViews.unixDate(at, request: request))
        }
        let page = DetailPage(
            layout: Layout(request, title: "\(request.t("spec_number_short")) \(spec.number) – \(spec.title)", wide: true),
            id: spec.id!, number: spec.number, title: spec.title, customerName: customer?.name ?? "",
            created: MoneyViews.unixDate(spec.createdUnix, request: request),
            state: request.t(spec.currentState.labelKey), stateKey: spec.currentState.rawValue,
            waiting: spec.currentState == .waiting, answered: answered, answerComment: spec.answerComment,
            headers: headers,
            rows: rows.map { row in
                MoneyViews.Row(id: row.id!, cells: [MoneyViews.Cell(text: String(row.caseNumber), numeric: false)]
                               + MoneyViews.cells(Self.specColumns, MoneyViews.Shown(row), request: request))
            },
            totals: totals, notice: notice, hasErrors: !errors.isEmpty, errors: errors, comment: comment)
        return try await request.view.render("portal/specification", page)
    }

    func approve(request: Request) async throws -> Response {
        try await answer(request, .approve, comment: "")
    }

    func reject(request: Request) async throws -> Response {
        let form = try request.form(SpecificationAnswerForm.self)
        return try await answer(request, .reject(comment: form.comment), comment: form.comment)
    }

    private func answer(_ request: Request, _ answer: AnswerSpecification.Answer, comment: String) async throws -> Response {
        let spec = try await findSpecification(request)
        switch try await AnswerSpecification.run(specificationId: spec.id!, answer: answer, by: try request.portalMember(),
                                                 in: request.operations) {
        case .done:
            return request.redirect(to: PortalRoute.specification, spec.id!, notice: answer == .approve ? .approved : .rejected)
        case .problems(let problems):
            let fresh = try await findSpecification(request)
            let view = try await render(request, spec: fresh, errors: request.texts(problems), comment: comment.trimmed, notice: nil)
            let response = try await view.encodeResponse(for: request).get()
            response.status = .unprocessableEntity
            return response
        }
    }
}

struct SpecificationAnswerForm: PostedForm {
    static var longestValue: Int { InputLimits.message + 1 }
    var comment = ""
}
