import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// Case handling in the back office (D3, D4): the case list with filters, and the case page where
/// staff edit every field, move the case through the workflow, write to the customer or add internal
/// notes, and see the timeline. Edits carry the version they were made on; a stale edit is refused
/// with the typed values kept.
struct StaffCasesController: RouteCollection {
    static let pageSize = 50
    /// Beyond this the list says "more than 10 000" and pages stop; filters narrow it down.
    static let countCap = 10_000

    func boot(routes: any RoutesBuilder) throws {
        routes.on(StaffRoute.cases, use: list)
        routes.on(StaffRoute.casesMarkAllRead, use: markAllRead)
        routes.on(StaffRoute.`case`, use: show)
        routes.on(StaffRoute.caseEdit, use: edit)
        routes.on(StaffRoute.caseStatus, use: changeStatus)
        routes.on(StaffRoute.caseMessage, use: addMessage)
        routes.on(StaffRoute.caseRead, use: markRead)
    }

    typealias Option = SelectOption

    struct Row: Encodable {
        var number: Int
        var subject: String
        var status: String
        var closed: Bool
        var createdAt: String
        var customer: String
        var object: String
        var handler: String
        var priority: String
        var unread: Bool
    }

    struct ListPage: Encodable {
        var layout: Layout
        var rows: [Row]
        var total: String
        var unreadTotal: Int
        var paging: Paging
        var q: String
        var statuses: [Option]
        var handlers: [Option]
        var categories: [Option]
        var types: [Option]
        var priorities: [Option]
        var customers: [Option]
        var unreadOnly: Bool
        var filtered: Bool
    }

    struct ListQuery: Decodable {
        var q: String?
        var status: String?
        var handler: String?
        var category: String?
        var type: String?
        var priority: String?
        var customer: String?
        var unread: String?
        var page: String?
    }

    func list(request: Request) async throws -> View {
        _ = try request.requireStaff()
        let query = (try? request.query.decode(ListQuery.self)) ?? ListQuery()
        var filter = StaffCaseFilter()
        filter.base.text = String((query.q ?? "").prefix(200))
        if query.status == "active" { filter.base.statusGroup = .active } else { filter.base.status = query.status.flatMap(CaseStatus.init(rawValue:)) }
        if query.handler == "none" { filter.unassigned = true } else { filter.handlerId = query.handler.flatMap(Int.init) }
        filter.base.categoryId = query.category.flatMap(Int.init)
        filter.base.caseTypeId = query.type.flatMap(Int.init)
        filter.priorityId = query.priority.flatMap(Int.init)
        filter.base.customerId = query.customer.flatMap(Int.init)
        filter.unreadOnly = query.unread == "1"

        let cases = StaffCases(database: request.db)
        let counted = try await cases.count(filter, cap: Self.countCap)
        // Pages stop at the cap; the list's query is kept in every page link.
        let paging = Paging(requested: Int(query.page ?? ""), total: min(counted, Self.countCap), pageSize: Self.pageSize) { page in
            StaffRoute.cases.path([], query: [("q", query.q), ("status", query.status), ("handler", query.handler),
                                              ("category", query.category), ("type", query.type), ("priority", query.priority),
                                              ("customer", query.customer), ("unread", query.unread), ("page", String(page))])
        }
        let rows = try await cases.page(filter, offset: paging.offset, limit: Self.pageSize)
        let catalogue = try await StaffCatalogue.load(on: request.db)
        let language = request.language
        var statuses = [Option(value: "active", name: request.t("filter_state_active"), selected: query.status == "active")]
        statuses += CaseStatus.allCases.map { Option(value: $0.rawValue, name: request.staffStatus($0), selected: query.status == $0.rawValue) }
        var handlers = [Option(value: "none", name: request.t("staff_unassigned"), selected: filter.unassigned)]
        handlers += catalogue.staff.map { Option(value: String($0.id!), name: $0.name, selected: filter.handlerId == $0.id) }
        let context = ListPage(
            layout: Layout(request, title: request.t("staff_cases_title"), area: "staff"),
            rows: rows.map {
                Row(number: $0.number, subject: $0.subject, status: request.staffStatus($0.status), closed: $0.status.isClosed,
                    createdAt: language.formatDateTime($0.createdAt), customer: $0.customerName ?? "–", object: $0.objectName ?? "–",
                    handler: $0.handlerName ?? "–", priority: $0.priorityName ?? "–", unread: $0.hasUnreadActivity)
            },
            total: counted > Self.countCap ? request.t("staff_more_than").replacingOccurrences(of: "{n}", with: String(Self.countCap)) : String(counted),
            unreadTotal: try await cases.countUnread(), paging: paging,
            q: filter.base.text, statuses: statuses, handlers: handlers,
            categories: catalogue.categories.map { Option(value: String($0.id!), name: $0.name, selected: filter.base.categoryId == $0.id) },
            types: catalogue.types.map { Option(value: String($0.id!), name: $0.name, selected: filter.base.caseTypeId == $0.id) },
            priorities: catalogue.priorities.map { Option(value: String($0.id!), name: $0.name, selected: filter.priorityId == $0.id) },
            customers: catalogue.customers.map { Option(value: String($0.id!), name: $0.name, selected: filter.base.customerId == $0.id) },
            unreadOnly: filter.unreadOnly, filtered: !filter.isEmpty)
        return try await request.view.render("staff/cases", context)
    }

    func markAllRead(request: Request) async throws -> Response {
        _ = try request.requireStaff()
        try await StaffCases(database: request.db).markAllRead()
        return request.redirect(to: StaffRoute.cases)
    }

    // MARK: The case page

    struct MessageView: Encodable {
        var author: String
        var body: String
        var isInternal: Bool
        var fromCustomer: Bool
        var createdAt: String
    }

    struct EventView: Encodable {
        var at: String
        var actor: String
        var text: String
    }

    struct CasePage: Encodable {
        var layout: Layout
        var number: Int
        var version: Int
        var status: String
        var closed: Bool
        var transitions: [Option]
        var values: [String: String]
        var errors: [String: String]
        var notice: String?
        var choices: StaffCaseChoices
        var messages: [MessageView]
        var events: [EventView]
        var messageBody: String
        var internalNote: Bool
        var createdAt: String
        var createdBy: String
        /// Customer activity nobody in the back office has marked as read yet (D4).
        var unread: Bool
    }

    struct PageState {
        var values: [String: String]? = nil
        var errors: [String: String] = [:]
        var notice: String?
        var messageBody = ""
        var internalNote = false
    }

    func findCase(_ request: Request) async throws -> CaseRecord {
        guard let number = request.parameters.get("number").flatMap(Int.init),
              let record = try await StaffCases(database: request.db).find(number: number) else { throw Abort(.notFound) }
        return record
    }

    func show(request: Request) async throws -> Response {
        _ = try request.requireStaff()
        let record = try await findCase(request)
        var state = PageState()
        state.notice = request.notice([.saved, .status, .message, .read], prefix: "staff_notice_")
        // A GET changes nothing: the customer's activity (D4) stays unread until "Mark as read" is posted.
        return try await render(request, record: record, state: state, status: .ok)
    }

    /// "Mark as read" on the case page (D4): an explicit, CSRF-protected POST.
    func markRead(request: Request) async throws -> Response {
        let number = try await MarkCaseRead.run(caseNumber: try Self.caseNumber(request), by: try request.staffMember(),
                                                in: request.operations)
        return request.redirect(to: StaffRoute.`case`, number, notice: .read)
    }

    static func caseNumber(_ request: Request) throws -> Int {
        guard let number = request.parameters.get("number").flatMap(Int.init) else { throw Abort(.notFound) }
        return number
    }

    static func values(of record: CaseRecord) -> [String: String] {
        func text(_ id: Int?) -> String { id.map(String.init) ?? "" }
        return ["subject": record.subject, "description": record.description, "category": text(record.categoryId),
                "type": text(record.caseTypeId), "priority": text(record.priorityId), "handler": text(record.handlerId),
                "supplier": text(record.supplierId), "customer": text(record.customerId), "object": text(record.objectId)]
    }

    func render(_ request: Request, record: CaseRecord, state: PageState, status: HTTPResponseStatus) async throws -> Response {
        let catalogue = try await StaffCatalogue.load(on: request.db)
        let cases = StaffCases(database: request.db)
        let values = state.values ?? Self.values(of: record)
        let language = request.language
        let choices = try await StaffCaseChoices.load(catalogue, values: values, currentObjectId: record.objectId, on: request.db)
        let page = CasePage(
            layout: Layout(request, title: "\(request.t("case_number_short")) \(record.number) – \(record.subject)", area: "staff"),
            number: record.number, version: record.version, status: request.staffStatus(record.status), closed: record.status.isClosed,
            transitions: record.status.allowedNext.map { Option(value: $0.rawValue, name: request.staffStatus($0), selected: false) },
            values: values, errors: state.errors, notice: state.notice,
            choices: choices,
            messages: try await cases.allMessages(caseId: record.id!).map {
                MessageView(author: $0.authorKind == .system ? request.t("message_system_author") : $0.authorName, body: $0.body,
                            isInternal: $0.isInternal, fromCustomer: $0.authorKind == .customer,
                            createdAt: language.formatDateTime($0.createdAt))
            },
            events: try await cases.events(caseId: record.id!).map { Self.describe($0, request: request, language: language) },
            messageBody: state.messageBody, internalNote: state.internalNote,
            createdAt: language.formatDateTime(record.createdAt), createdBy: record.createdByName,
            unread: record.hasUnreadActivity)
        let response = try await request.view.render("staff/case", page).encodeResponse(for: request).get()
        response.status = status
        return response
    }

    static func describe(_ stored: StoredCaseEvent, request: Request, language: Language) -> EventView {
        func shown(_ raw: String?) -> String {
            guard let raw, !raw.isEmpty else { return "–" }
            return raw
        }
        func change(_ fieldKey: String, _ before: String?, _ after: String?) -> String {
            "\(request.t("staff_field_\(fieldKey)")): \(shown(before)) → \(shown(after))"
        }
        let text: String
        switch stored.event {
        case .statusChanged(let from, let to):
            text = change("status", request.staffStatus(from), request.staffStatus(to))
        case .fieldChanged(let field, let before, let after):
            text = change(field.rawValue, before, after)
        case .handlerChanged(let before, let after):
            text = change("handler", before, after)
        case .supplierChanged(let before, let after):
            text = change("supplier", before, after)
        case .filesUploaded(let names):
            text = request.t("staff_event_files_uploaded").replacingOccurrences(of: "{names}", with: names.joined(separator: ", "))
        case .fileRemoved(let name):
            text = request.t("staff_event_file_removed").replacingOccurrences(of: "{name}", with: name)
        default:
            text = request.t("staff_event_\(stored.event.kind.rawValue)")
        }
        return EventView(at: language.formatDateTime(stored.at), actor: stored.actor.name, text: text)
    }

    // MARK: Changes

    func edit(request: Request) async throws -> Response {
        let values = request.formValues()
        guard let version = Int(values["version"] ?? "") else {
            let record = try await findCase(request)
            return try await render(request, record: record, state: PageState(values: values, errors: ["form": request.t("error_bad_request")]),
                                    status: .unprocessableEntity)
        }
        let input = EditCase.Input(
            caseNumber: try Self.caseNumber(request), expectedVersion: version,
            subject: values["subject"] ?? "", description: values["description"] ?? "",
            category: ChosenId(form: values["category"]), type: ChosenId(form: values["type"]),
            priority: ChosenId(form: values["priority"]), handler: ChosenId(form: values["handler"]),
            supplier: ChosenId(form: values["supplier"]), customer: ChosenId(form: values["customer"]),
            object: ChosenId(form: values["object"]))
        do {
            switch try await EditCase.run(input, by: try request.staffMember(), in: request.operations) {
            case .done(let number):
                return request.redirect(to: StaffRoute.`case`, number, notice: .saved)
            case .problems(let problems):
                let record = try await findCase(request)
                return try await render(request, record: record, state: PageState(values: values, errors: request.texts(problems)),
                                        status: .unprocessableEntity)
            }
        } catch OperationError.stale {
            let fresh = try await findCase(request)
            return try await render(request, record: fresh, state: PageState(values: values, errors: ["form": request.t("staff_error_stale")]),
                                    status: .conflict)
        }
    }

    func changeStatus(request: Request) async throws -> Response {
        let values = request.formValues()
        guard let next = values["status"].flatMap(CaseStatus.init(rawValue:)), let version = Int(values["version"] ?? "") else {
            throw Abort(.badRequest)
        }
        do {
            let number = try await ChangeCaseStatus.run(.init(caseNumber: try Self.caseNumber(request), expectedVersion: version, next: next),
                                                        by: try request.staffMember(), in: request.operations)
            return request.redirect(to: StaffRoute.`case`, number, notice: .status)
        } catch OperationError.stale {
            return try await render(request, record: try await findCase(request),
                                    state: PageState(errors: ["form": request.t("staff_error_stale")]), status: .conflict)
        } catch OperationError.notAllowedNow {
            return try await render(request, record: try await findCase(request),
                                    state: PageState(errors: ["form": request.t("staff_error_transition")]), status: .unprocessableEntity)
        }
    }

    func addMessage(request: Request) async throws -> Response {
        let values = request.formValues()
        let isInternal = values["internal"] != nil
        let input = WriteStaffMessage.Input(caseNumber: try Self.caseNumber(request), body: values["body"] ?? "", isInternal: isInternal)
        switch try await WriteStaffMessage.run(input, by: try request.staffMember(), in: request.operations) {
        case .done(let number):
            return request.redirect(to: StaffRoute.`case`, number, notice: .message, fragment: "messages")
        case .problems(let problems):
            return try await render(request, record: try await findCase(request),
                                    state: PageState(errors: request.texts(problems) { _ in "body" }, messageBody: values["body"] ?? "",
                                                     internalNote: isInternal),
                                    status: .unprocessableEntity)
        }
    }
}

/// One choice of a back-office select.
typealias StaffOption = SelectOption

/// The selects of a staff case form (the case page, and a case made from an inquiry), with the
/// typed or stored `values` selected. Deactivated categories, types and priorities are offered only
/// when they are the value already chosen.
struct StaffCaseChoices: Encodable {
    var categories: [StaffOption]
    var types: [StaffOption]
    var priorities: [StaffOption]
    var handlers: [StaffOption]
    var suppliers: [StaffOption]
    var customers: [StaffOption]
    var objects: [StaffOption]

    static func load(_ catalogue: StaffCatalogue, values: [String: String], currentObjectId: Int?,
                     on db: any Database) async throws -> StaffCaseChoices {
        func options<T>(_ items: [T], _ key: String, id: (T) -> Int?, name: (T) -> String) -> [StaffOption] {
            items.map { StaffOption(value: id($0).map(String.init) ?? "", name: name($0), selected: values[key] == id($0).map(String.init)) }
        }
        func chosen(_ key: String, _ id: Int?) -> Bool { values[key] == id.map(String.init) }
        // The chosen customer's objects, and the object the record has now.
        let objects = try await ObjectRecord.query(on: db)
            .group(.or) { group in
                if let customer = Int(values["customer"] ?? "") { group.filter(\.$customerId == customer) }
                if let object = currentObjectId { group.filter(\.$id == object) }
                group.filter(\.$id == -1)
            }.sort(\.$name).limit(500).all()
        return StaffCaseChoices(
            categories: options(catalogue.categories.filter { $0.isActive || chosen("category", $0.id) }, "category", id: { $0.id }, name: { $0.name }),
            types: options(catalogue.types.filter { $0.isActive || chosen("type", $0.id) }, "type", id: { $0.id }, name: { $0.name }),
            priorities: options(catalogue.priorities.filter { $0.isActive || chosen("priority", $0.id) }, "priority", id: { $0.id }, name: { $0.name }),
            handlers: options(catalogue.staff, "handler", id: { $0.id }, name: { $0.name }),
            suppliers: options(catalogue.suppliers, "supplier", id: { $0.id }, name: { $0.name }),
            customers: options(catalogue.customers, "customer", id: { $0.id }, name: { $0.name }),
            objects: options(objects, "object", id: { $0.id }, name: { "\($0.name) – \($0.address)" }))
    }
}

extension Request {
    /// A status as staff read it: the portal's "Waiting for you" is "Waiting for the customer" here.
    func staffStatus(_ status: CaseStatus) -> String {
        status == .waitingForCustomer ? t("staff_status_waiting_for_customer") : t(status.labelKey)
    }
}
