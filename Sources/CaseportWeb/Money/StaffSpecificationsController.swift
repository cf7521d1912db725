import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// B10 in the back office: every invoice specification; a new one from chosen unspecified rows of one
/// customer's cases; withdrawing one that is not approved (an approved one is final: refused with why).
struct StaffSpecificationsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(StaffRoute.specifications, use: list)
        routes.on(StaffRoute.newSpecification, use: new)
        routes.on(StaffRoute.newSpecificationSubmit, use: create)
        routes.on(StaffRoute.specification, use: show)
        routes.on(StaffRoute.specificationWithdraw, use: withdraw)
    }

    struct ListRow: Encodable {
        var id: Int
        var number: Int
        var title: String
        var customer: String
        var created: String
        var gross: String
        var state: String
    }

    struct ListPage: Encodable {
        var layout: Layout
        var notice: String?
        var rows: [ListRow]
    }

    func list(request: Request) async throws -> View {
        let specs = try await InvoiceSpecifications(database: request.database).all()
        let customerIds = Array(Set(specs.map(\.customerId)))
        let names = Dictionary(uniqueKeysWithValues: try await CustomerRecord.query(on: request.database).filter(\.$id ~~ customerIds).all()
            .map { ($0.id!, $0.name) })
        let page = ListPage(
            layout: Layout(request, title: request.t("specs_title"), area: "staff"),
            notice: request.notice([.deleted], prefix: "spec_notice_"),
            rows: specs.map {
                ListRow(id: $0.id!, number: $0.number, title: $0.title, customer: names[$0.customerId] ?? "",
                        created: MoneyViews.unixDate($0.createdUnix, request: request),
                        gross: $0.totals.gross.formatted(request.language), state: request.t($0.currentState.labelKey))
            })
        return try await request.view.render("staff/specifications", page)
    }

    struct Candidate: Encodable {
        var id: Int
        var caseNumber: Int
        var cells: [MoneyViews.Cell]
        var checked: Bool
    }

    struct NewPage: Encodable {
        var layout: Layout
        var hasErrors: Bool
        var errors: [String: String]
        var customers: [SelectOption]
        var customerId: Int?
        var title: String
        var headers: [MoneyViews.Header]
        var candidates: [Candidate]
    }

    static let columns: [ActionColumn] = [.date, .article, .quantity, .unit, .unitPrice, .net, .vat, .gross]

    func renderNew(_ request: Request, customerId: Int?, title: String, checked: Set<Int>, errors: [String: String]) async throws -> View {
        let customers = try await CustomerRecord.query(on: request.database).filter(\.$isActive == true).sort(\.$name).all()
        var candidates: [Candidate] = []
        if let customerId {
            candidates = try await CaseMoney(database: request.database).unspecifiedRows(customerId: customerId).map { entry in
                Candidate(id: entry.row.id!, caseNumber: entry.caseNumber,
                          cells: MoneyViews.cells(Self.columns, MoneyViews.Shown(entry.row), request: request),
                          checked: checked.contains(entry.row.id!))
            }
        }
        var headers = [MoneyViews.Header(label: request.t("case_number_short"), numeric: false)]
        headers += MoneyViews.headers(Self.columns, request: request)
        let page = NewPage(
            layout: Layout(request, title: request.t("spec_new"), area: "staff"),
            hasErrors: !errors.isEmpty, errors: errors,
            customers: customers.map { SelectOption(value: String($0.id!), name: "\($0.name) (\($0.customerNumber))", selected: $0.id == customerId) },
            customerId: customerId, title: title, headers: headers, candidates: candidates)
        return try await request.view.render("staff/specification-new", page)
    }

    func new(request: Request) async throws -> View {
        let customerId = (try? request.query.get(String.self, at: "customer")).flatMap { $0.count <= 12 ? Int($0) : nil }
        return try await renderNew(request, customerId: customerId, title: "", checked: [], errors: [:])
    }

    func create(request: Request) async throws -> Response {
        let form = try request.form(SpecificationForm.self)
        guard let customerId = form.customer else {
            return try await StaffPriceListController.unprocessable(
                try await renderNew(request, customerId: nil, title: form.title, checked: [],
                                    errors: ["customer": request.t("form_choose_from_list")]), request)
        }
        do {
            switch try await CreateSpecification.run(.init(customerId: customerId, title: form.title, rowIds: Array(form.rows)),
                                                     by: try request.staffMember(), in: request.operations) {
            case .done(let created):
                return request.redirect(to: StaffRoute.specification, created.specificationId, notice: .created)
            case .problems(let problems):
                return try await StaffPriceListController.unprocessable(
                    try await renderNew(request, customerId: customerId, title: form.title, checked: form.rows,
                                        errors: request.texts(problems)), request)
            }
        } catch OperationError.notFound {
            return try await StaffPriceListController.unprocessable(
                try await renderNew(request, customerId: nil, title: form.title, checked: [],
                                    errors: ["customer": request.t("form_choose_from_list")]), request)
        }
    }

    struct DetailPage: Encodable {
        var layout: Layout
        var id: Int
        var notice: String?
        var hasErrors: Bool
        var errors: [String: String]
        var customerName: String
        var created: String
        var createdBy: String
        var state: String
        var stateKey: String
        var final: Bool
        var answered: String?
        var answerComment: String?
        var headers: [MoneyViews.Header]
        var rows: [MoneyViews.Row]
        var totals: [MoneyViews.Cell]
    }

    func findSpec(_ request: Request) async throws -> InvoiceSpecificationRecord {
        guard let raw = request.parameters.get("id"), raw.count <= 12, let id = Int(raw),
              let spec = try await InvoiceSpecificationRecord.find(id, on: request.database) else { throw Abort(.notFound) }
        return spec
    }

    func render(_ request: Request, spec: InvoiceSpecificationRecord, errors: [String: String]) async throws -> View {
        let rows = try await InvoiceSpecifications(database: request.database).rows(specificationId: spec.id!)
        let customer = try await CustomerRecord.find(spec.customerId, on: request.database)
        let columns = PortalMoneyController.specColumns
        var headers = [MoneyViews.Header(label: request.t("case_number_short"), numeric: false)]
        headers += MoneyViews.headers(columns, request: request)
        var totals = [MoneyViews.Cell(text: "", numeric: false)]
        totals += MoneyViews.totals(columns, spec.totals, request: request)
        let answered = spec.answeredUnix.map {
            request.t("spec_answered_by").replacingOccurrences(of: "{name}", with: spec.answeredByName ?? "")
                .replacingOccurrences(of: "{date}", with: MoneyViews.unixDate($0, request: request))
        }
        let page = DetailPage(
            layout: Layout(request, title: "\(request.t("spec_number_short")) \(spec.number) – \(spec.title)", area: "staff", wide: true),
            id: spec.id!, notice: request.notice([.created], prefix: "spec_notice_"), hasErrors: !errors.isEmpty, errors: errors,
            customerName: customer?.name ?? "", created: MoneyViews.unixDate(spec.createdUnix, request: request),
            createdBy: spec.createdByName, state: request.t(spec.currentState.labelKey), stateKey: spec.state,
            final: spec.currentState.isFinal, answered: answered, answerComment: spec.answerComment, headers: headers,
            rows: rows.map { row in
                MoneyViews.Row(id: row.id!, cells: [MoneyViews.Cell(text: String(row.caseNumber), numeric: false)]
                               + MoneyViews.cells(columns, MoneyViews.Shown(row), request: request))
            },
            totals: totals)
        return try await request.view.render("staff/specification", page)
    }

    func show(request: Request) async throws -> View {
        try await render(request, spec: try await findSpec(request), errors: [:])
    }

    func withdraw(request: Request) async throws -> Response {
        let spec = try await findSpec(request)
        switch try await WithdrawSpecification.run(specificationId: spec.id!, by: try request.staffMember(), in: request.operations) {
        case .done:
            return request.redirect(to: StaffRoute.specifications, notice: .deleted)
        case .problems(let problems):
            return try await StaffPriceListController.unprocessable(
                try await render(request, spec: spec, errors: request.texts(problems)), request)
        }
    }
}

/// The new-specification form: the customer, a title and one checkbox `row_<id>` per chosen row.
struct SpecificationForm: PostedForm {
    var customer: Int?
    var title = ""
    var rows: Set<Int> = []

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: PostedName.self)
        customer = (try? container.decode(String.self, forKey: PostedName("customer"))).flatMap { $0.count <= 12 ? Int($0) : nil }
        title = (try? container.decode(String.self, forKey: PostedName("title"))) ?? ""
        for key in container.allKeys where key.stringValue.hasPrefix("row_") {
            if let id = Int(key.stringValue.dropFirst(4)), try container.decode(Bool.self, forKey: key) { rows.insert(id) }
        }
    }
}
