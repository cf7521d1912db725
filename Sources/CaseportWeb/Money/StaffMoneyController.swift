import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// D3/B8: a case's money page in the back office — its booked rows (book, remove) and its work orders
/// (create, edit, move draft → sent → accepted → done). Every staff member; every change is a case event.
struct StaffMoneyController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(StaffRoute.caseMoney, use: show)
        routes.on(StaffRoute.caseRowBook, use: book)
        routes.on(StaffRoute.caseRowRemove, use: removeRow)
        routes.on(StaffRoute.workOrderCreate, use: createWorkOrder)
        routes.on(StaffRoute.workOrder, use: showWorkOrder)
        routes.on(StaffRoute.workOrderUpdate, use: updateWorkOrder)
        routes.on(StaffRoute.workOrderState, use: changeState)
    }

    struct BookedRow: Encodable {
        var id: Int
        var cells: [MoneyViews.Cell]
        var specified: Bool
    }

    struct WorkOrderRow: Encodable {
        var id: Int
        /// "#12 Byt blandare".
        var label: String
        var type: String
        var state: String
        var supplier: String
        var planned: String
    }

    struct Page: Encodable {
        var layout: Layout
        var caseNumber: Int
        var subject: String
        var notice: String?
        var hasErrors: Bool
        var headers: [MoneyViews.Header]
        var rows: [BookedRow]
        var totals: [MoneyViews.Cell]
        var workOrders: [WorkOrderRow]
        var articles: [SelectOption]
        var actionCodes: [SelectOption]
        var openWorkOrders: [SelectOption]
        var row: RowForm
        var rowErrors: [String: String]
        var order: WorkOrderForm
        var orderErrors: [String: String]
        var types: [SelectOption]
        var suppliers: [SelectOption]
        var datePattern: String
    }

    static let staffColumns: [ActionColumn] = [.date, .actionCode, .article, .quantity, .unit, .unitPrice, .vatRate, .net, .vat, .gross,
                                               .workOrder, .note]

    struct PageState {
        var row = RowForm()
        var rowErrors: [String: String] = [:]
        var order = WorkOrderForm()
        var orderErrors: [String: String] = [:]
    }

    func findCase(_ request: Request) async throws -> CaseRecord {
        guard let raw = request.parameters.get("number"), raw.count <= 12, let number = Int(raw),
              let record = try await StaffCases(database: request.database).find(number: number) else { throw Abort(.notFound) }
        return record
    }

    func show(request: Request) async throws -> View {
        try await render(request, record: try await findCase(request), state: PageState())
    }

    func render(_ request: Request, record: CaseRecord, state: PageState) async throws -> View {
        let db = request.database
        let money = CaseMoney(database: db)
        let rows = try await money.rows(caseId: record.id!)
        let orders = try await money.workOrders(caseId: record.id!)
        let suppliers = try await SupplierRecord.query(on: db).sort(\.$name).all()
        let supplierNames = Dictionary(uniqueKeysWithValues: suppliers.map { ($0.id!, $0.name) })
        let articles = try await ArticleRecord.query(on: db).filter(\.$isActive == true).sort(\.$code).all()
        let codes = try await ActionCodeRecord.query(on: db).filter(\.$isActive == true).sort(\.$code).all()
        let language = request.language
        let page = Page(
            layout: Layout(request, title: "\(request.t("money_title")) – \(request.t("case_number_short")) \(record.number)", area: "staff"),
            caseNumber: record.number, subject: record.subject,
            notice: request.notice([.saved, .added, .removed, .created, .status], prefix: "money_notice_"),
            hasErrors: !state.rowErrors.isEmpty || !state.orderErrors.isEmpty,
            headers: MoneyViews.headers(Self.staffColumns, request: request),
            rows: rows.map { BookedRow(id: $0.id!, cells: MoneyViews.cells(Self.staffColumns, MoneyViews.Shown($0), request: request),
                                       specified: $0.specificationId != nil) },
            totals: MoneyViews.totals(Self.staffColumns, MoneyTotals(rows: rows.map(\.amounts)), request: request),
            workOrders: orders.map { order in
                WorkOrderRow(id: order.id!, label: "#\(order.id!) \(order.title)", type: request.t(order.type.labelKey),
                             state: request.t(order.currentState.labelKey),
                             supplier: order.supplierId.flatMap { supplierNames[$0] } ?? "–",
                             planned: [order.plannedStart, order.plannedEnd].compactMap { $0.map(language.formatDay) }.joined(separator: " – "))
            },
            articles: articles.map {
                SelectOption(value: String($0.id!), name: "\($0.code) \($0.name) (\($0.unitPrice.formatted(language))/\($0.unit))",
                             selected: state.row.article == String($0.id!))
            },
            actionCodes: codes.map { SelectOption(value: String($0.id!), name: "\($0.code) \($0.name)", selected: state.row.action_code == String($0.id!)) },
            openWorkOrders: orders.filter { $0.currentState.isOpen }.map {
                SelectOption(value: String($0.id!), name: "#\($0.id!) \($0.title)", selected: state.row.work_order == String($0.id!))
            },
            row: state.row, rowErrors: state.rowErrors, order: state.order, orderErrors: state.orderErrors,
            types: Self.typeOptions(request, chosen: state.order.work_order_type),
            suppliers: suppliers.filter { $0.isActive }.map { SelectOption(value: String($0.id!), name: $0.name, selected: state.order.supplier == String($0.id!)) },
            datePattern: request.t(language.dayPatternKey))
        return try await request.view.render("staff/case-money", page)
    }

    static func typeOptions(_ request: Request, chosen: String) -> [SelectOption] {
        WorkOrderType.allCases.map { SelectOption(value: $0.rawValue, name: request.t($0.labelKey), selected: $0.rawValue == chosen) }
    }

    func book(request: Request) async throws -> Response {
        let record = try await findCase(request)
        let form = try request.form(RowForm.self)
        let day = form.booked_on.trimmed.isEmpty ? "" : (request.language.parseDay(form.booked_on) ?? form.booked_on)
        let input = BookArticleRow.Input(caseNumber: record.number, article: ChosenId(form: form.article),
                                         actionCode: ChosenId(form: form.action_code), workOrder: ChosenId(form: form.work_order),
                                         quantity: form.quantity, bookedOn: day, note: form.note)
        switch try await BookArticleRow.run(input, by: try request.staffMember(), in: request.operations) {
        case .done:
            return request.redirect(to: StaffRoute.caseMoney, record.number, notice: .added, fragment: "rows")
        case .problems(let problems):
            var state = PageState()
            state.row = form
            state.rowErrors = request.texts(problems)
            return try await StaffPriceListController.unprocessable(try await render(request, record: record, state: state), request)
        }
    }

    func removeRow(request: Request) async throws -> Response {
        let record = try await findCase(request)
        guard let raw = request.parameters.get("rowId"), raw.count <= 12, let rowId = Int(raw) else { throw Abort(.notFound) }
        // Issue 12 point 7: removing a booked row asks first.
        guard ConfirmStep.isConfirmed(request) else {
            return try await ConfirmStep.staff(request, titleKey: "confirm_row_remove_title",
                                               question: request.t("confirm_row_remove_question"),
                                               button: request.t("confirm_remove_button"),
                                               cancelHref: StaffRoute.caseMoney.path(record.number, fragment: "rows"))
        }
        do {
            _ = try await RemoveArticleRow.run(caseNumber: record.number, rowId: rowId, by: try request.staffMember(), in: request.operations)
        } catch let error as OperationError {
            throw Abort(error.status)
        }
        return request.redirect(to: StaffRoute.caseMoney, record.number, notice: .removed, fragment: "rows")
    }

    func createWorkOrder(request: Request) async throws -> Response {
        let record = try await findCase(request)
        let form = try request.form(WorkOrderForm.self)
        switch try await SaveWorkOrder.run(form.input(request, caseNumber: record.number, workOrderId: nil),
                                           by: try request.staffMember(), in: request.operations) {
        case .done(let saved):
            return request.redirect(to: StaffRoute.workOrder, record.number, saved.workOrderId, notice: .created)
        case .problems(let problems):
            var state = PageState()
            state.order = form
            state.orderErrors = request.texts(problems)
            return try await StaffPriceListController.unprocessable(try await render(request, record: record, state: state), request)
        }
    }

    struct OrderPage: Encodable {
        var layout: Layout
        var caseNumber: Int
        var id: Int
        var notice: String?
        var hasErrors: Bool
        var state: String
        var stateKey: String
        var open: Bool
        var next: String?
        var nextLabel: String?
        var version: Int
        var values: WorkOrderForm
        var errors: [String: String]
        var types: [SelectOption]
        var suppliers: [SelectOption]
        var headers: [MoneyViews.Header]
        var rows: [MoneyViews.Row]
        var totals: [MoneyViews.Cell]
        var datePattern: String
    }

    func findOrder(_ request: Request, record: CaseRecord) async throws -> WorkOrderRecord {
        guard let raw = request.parameters.get("workOrderId"), raw.count <= 12, let id = Int(raw),
              let order = try await CaseMoney(database: request.database).workOrder(id: id, caseId: record.id!) else { throw Abort(.notFound) }
        return order
    }

    func renderOrder(_ request: Request, record: CaseRecord, order: WorkOrderRecord, values: WorkOrderForm?,
                     errors: [String: String]) async throws -> View {
        let language = request.language
        let values = values ?? WorkOrderForm(order, language: language)
        let rows = try await CaseMoney(database: request.database).rows(caseId: record.id!).filter { $0.workOrderId == order.id }
        let suppliers = try await SupplierRecord.query(on: request.database).sort(\.$name).all()
            .filter { $0.isActive || $0.id == order.supplierId }
        let columns: [ActionColumn] = [.date, .actionCode, .article, .quantity, .unit, .unitPrice, .net, .vat, .gross]
        let next = order.currentState.next
        let page = OrderPage(
            layout: Layout(request, title: "\(request.t("work_order_title")) #\(order.id!) – \(order.title)", area: "staff"),
            caseNumber: record.number, id: order.id!,
            notice: request.notice([.saved, .created, .status], prefix: "work_order_notice_"),
            hasErrors: !errors.isEmpty, state: request.t(order.currentState.labelKey), stateKey: order.state,
            open: order.currentState.isOpen, next: next?.rawValue, nextLabel: next.map { request.t("work_order_to_\($0.rawValue)") },
            version: order.version, values: values, errors: errors,
            types: Self.typeOptions(request, chosen: values.work_order_type),
            suppliers: suppliers.map { SelectOption(value: String($0.id!), name: $0.name, selected: values.supplier == String($0.id!)) },
            headers: MoneyViews.headers(columns, request: request),
            rows: rows.map { MoneyViews.Row(id: $0.id!, cells: MoneyViews.cells(columns, MoneyViews.Shown($0), request: request)) },
            totals: MoneyViews.totals(columns, MoneyTotals(rows: rows.map(\.amounts)), request: request),
            datePattern: request.t(language.dayPatternKey))
        return try await request.view.render("staff/work-order", page)
    }

    func showWorkOrder(request: Request) async throws -> View {
        let record = try await findCase(request)
        let order = try await findOrder(request, record: record)
        return try await renderOrder(request, record: record, order: order, values: nil, errors: [:])
    }

    func updateWorkOrder(request: Request) async throws -> Response {
        let record = try await findCase(request)
        let order = try await findOrder(request, record: record)
        let form = try request.form(WorkOrderForm.self)
        do {
            switch try await SaveWorkOrder.run(form.input(request, caseNumber: record.number, workOrderId: order.id),
                                               by: try request.staffMember(), in: request.operations) {
            case .done:
                return request.redirect(to: StaffRoute.workOrder, record.number, order.id!, notice: .saved)
            case .problems(let problems):
                return try await StaffPriceListController.unprocessable(
                    try await renderOrder(request, record: record, order: order, values: form, errors: request.texts(problems)), request)
            }
        } catch let error as OperationError where error == .stale || error == .notAllowedNow {
            let fresh = try await findOrder(request, record: record)
            let view = try await renderOrder(request, record: record, order: fresh, values: form,
                                             errors: ["form": request.t(error == .stale ? "work_order_error_stale" : "work_order_error_done")])
            let response = try await view.encodeResponse(for: request).get()
            response.status = .conflict
            return response
        }
    }

    func changeState(request: Request) async throws -> Response {
        let record = try await findCase(request)
        let order = try await findOrder(request, record: record)
        let form = try request.form(WorkOrderStateForm.self)
        guard let next = WorkOrderState(rawValue: form.state), let version = form.version else {
            return try await StaffPriceListController.unprocessable(
                try await renderOrder(request, record: record, order: order, values: nil,
                                      errors: ["state": request.t("work_order_error_transition")]), request)
        }
        do {
            switch try await ChangeWorkOrderState.run(caseNumber: record.number, workOrderId: order.id!, to: next, version: version,
                                                      by: try request.staffMember(), in: request.operations) {
            case .done:
                return request.redirect(to: StaffRoute.workOrder, record.number, order.id!, notice: .status)
            case .problems(let problems):
                return try await StaffPriceListController.unprocessable(
                    try await renderOrder(request, record: record, order: order, values: nil, errors: request.texts(problems)), request)
            }
        } catch OperationError.stale {
            let fresh = try await findOrder(request, record: record)
            let view = try await renderOrder(request, record: record, order: fresh, values: nil,
                                             errors: ["form": request.t("work_order_error_stale")])
            let response = try await view.encodeResponse(for: request).get()
            response.status = .conflict
            return response
        }
    }
}

struct RowForm: PostedForm, Encodable {
    static var longestValue: Int { 501 }
    var article = "", action_code = "", work_order = "", quantity = "", booked_on = "", note = ""
}

struct WorkOrderForm: PostedForm, Encodable {
    var work_order_type = "", supplier = "", title = "", description = "", planned_start = "", planned_end = ""
    var version: Int?

    init() {}

    init(_ order: WorkOrderRecord, language: Language) {
        work_order_type = order.workOrderType
        supplier = order.supplierId.map(String.init) ?? ""
        title = order.title
        description = order.description
        planned_start = order.plannedStart.map(language.formatDay) ?? ""
        planned_end = order.plannedEnd.map(language.formatDay) ?? ""
        version = order.version
    }

    func input(_ request: Request, caseNumber: Int, workOrderId: Int?) -> SaveWorkOrder.Input {
        func day(_ typed: String) -> String {
            typed.trimmed.isEmpty ? "" : (request.language.parseDay(typed) ?? typed)
        }
        return SaveWorkOrder.Input(caseNumber: caseNumber, workOrderId: workOrderId, version: version, type: work_order_type,
                                   supplier: ChosenId(form: supplier), title: title, description: description,
                                   plannedStart: day(planned_start), plannedEnd: day(planned_end))
    }
}

struct WorkOrderStateForm: PostedForm {
    var state = ""
    var version: Int?
}
