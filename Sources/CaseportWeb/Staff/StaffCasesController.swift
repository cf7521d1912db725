import CaseportCore
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
        _ = try request.requireStaff()
        let record = try await findCase(request)
        if record.hasUnreadActivity { try await StaffCases(database: request.db).markRead(caseId: record.id!) }
        return request.redirect(to: StaffRoute.`case`, record.number, notice: .read)
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
        let staffNames = Dictionary(uniqueKeysWithValues: catalogue.staff.map { ($0.id!, $0.name) })
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
            events: try await cases.events(caseId: record.id!).map { Self.describe($0, request: request, staffNames: staffNames, language: language) },
            messageBody: state.messageBody, internalNote: state.internalNote,
            createdAt: language.formatDateTime(record.createdAt), createdBy: record.createdByName,
            unread: record.hasUnreadActivity)
        let response = try await request.view.render("staff/case", page).encodeResponse(for: request).get()
        response.status = status
        return response
    }

    static func describe(_ event: CaseEventRecord, request: Request, staffNames: [Int: String], language: Language) -> EventView {
        func label(_ raw: String?) -> String {
            guard let raw, !raw.isEmpty else { return "–" }
            if event.kind == "status", let status = CaseStatus(rawValue: raw) { return request.staffStatus(status) }
            return raw
        }
        let text: String
        switch event.kind {
        case "status", "field", "handler", "supplier":
            let field = request.t("staff_field_\(event.field ?? event.kind)")
            text = "\(field): \(label(event.before)) → \(label(event.after))"
        default:
            text = request.t("staff_event_\(event.kind)")
        }
        return EventView(at: language.formatDateTime(event.at), actor: event.actorName, text: text)
    }

    // MARK: Changes

    func actor(_ request: Request) throws -> StaffCases.Actor {
        let staff = try request.requireStaff()
        return StaffCases.Actor(staffId: try staff.user.requireID(), name: staff.user.name)
    }

    func edit(request: Request) async throws -> Response {
        let actor = try actor(request)
        let record = try await findCase(request)
        let values = request.formValues()
        let catalogue = try await StaffCatalogue.load(on: request.db)
        var errors: [String: String] = [:]
        let subject = (values["subject"] ?? "").trimmed, description = (values["description"] ?? "").trimmed
        if subject.isEmpty { errors["subject"] = request.t("form_required") }
        if subject.count > InputLimits.subject { errors["subject"] = request.t("form_too_long") }
        if description.count > InputLimits.description { errors["description"] = request.t("form_too_long") }
        func pick(_ key: String, from ids: [Int?]) -> Int?? {
            let raw = values[key] ?? ""
            if raw.isEmpty { return .some(nil) }
            guard let id = Int(raw), ids.contains(id) else { errors[key] = request.t("form_choose_from_list"); return .none }
            return .some(id)
        }
        let category = pick("category", from: catalogue.categories.map(\.id))
        let type = pick("type", from: catalogue.types.map(\.id))
        let priority = pick("priority", from: catalogue.priorities.map(\.id))
        let handler = pick("handler", from: catalogue.staff.map(\.id))
        let supplier = pick("supplier", from: catalogue.suppliers.map(\.id))
        let customer = pick("customer", from: catalogue.customers.map(\.id))
        var object: Int?? = .some(nil)
        if let raw = values["object"], !raw.isEmpty {
            if let id = Int(raw), let found = try await ObjectRecord.find(id, on: request.db),
               customer.flatMap({ $0 }) == nil || customer.flatMap({ $0 }) == found.customerId {
                object = .some(id)
            } else {
                errors["object"] = request.t("new_case_error_object_customer")
                object = .none
            }
        }
        guard errors.isEmpty, let category, let type, let priority, let handler, let supplier, let customer, let object,
              let version = Int(values["version"] ?? "") else {
            if values["version"] == nil { errors["form"] = request.t("error_bad_request") }
            return try await render(request, record: record, state: PageState(values: values, errors: errors), status: .unprocessableEntity)
        }
        let names = catalogue.names
        func name(_ table: [Int: String], _ id: Int?) -> String? { id.flatMap { table[$0] } }
        let changes: [StaffCases.Change] = [
            .init(field: "subject", before: record.subject, after: subject) { $0.subject = subject },
            .init(field: "description", before: record.description, after: description) { $0.description = description },
            .init(field: "category", before: name(names.categories, record.categoryId), after: name(names.categories, category)) { $0.categoryId = category },
            .init(field: "type", before: name(names.types, record.caseTypeId), after: name(names.types, type)) { $0.caseTypeId = type },
            .init(field: "priority", before: name(names.priorities, record.priorityId), after: name(names.priorities, priority)) { $0.priorityId = priority },
            .init(field: "handler", before: name(names.staff, record.handlerId), after: name(names.staff, handler)) { $0.handlerId = handler },
            .init(field: "supplier", before: name(names.suppliers, record.supplierId), after: name(names.suppliers, supplier)) { $0.supplierId = supplier },
            .init(field: "customer", before: name(names.customers, record.customerId), after: name(names.customers, customer)) { $0.customerId = customer },
            .init(field: "object", before: record.objectId.map(String.init), after: object.map(String.init)) { $0.objectId = object },
        ]
        do {
            try await StaffCases(database: request.db).edit(caseId: record.id!, expectedVersion: version, changes: changes, by: actor)
        } catch StaffCases.ChangeError.stale {
            let fresh = try await findCase(request)
            return try await render(request, record: fresh, state: PageState(values: values, errors: ["form": request.t("staff_error_stale")]),
                                    status: .conflict)
        }
        return request.redirect(to: StaffRoute.`case`, record.number, notice: .saved)
    }

    func changeStatus(request: Request) async throws -> Response {
        let actor = try actor(request)
        let record = try await findCase(request)
        let values = request.formValues()
        guard let next = values["status"].flatMap(CaseStatus.init(rawValue:)), let version = Int(values["version"] ?? "") else {
            throw Abort(.badRequest)
        }
        do {
            try await StaffCases(database: request.db).changeStatus(caseId: record.id!, to: next, expectedVersion: version, by: actor)
        } catch StaffCases.ChangeError.stale {
            return try await render(request, record: record, state: PageState(errors: ["form": request.t("staff_error_stale")]), status: .conflict)
        } catch StaffCases.ChangeError.transitionNotAllowed {
            return try await render(request, record: record, state: PageState(errors: ["form": request.t("staff_error_transition")]),
                                    status: .unprocessableEntity)
        }
        return request.redirect(to: StaffRoute.`case`, record.number, notice: .status)
    }

    func addMessage(request: Request) async throws -> Response {
        let actor = try actor(request)
        let record = try await findCase(request)
        let values = request.formValues()
        let body = (values["body"] ?? "").trimmed
        let isInternal = values["internal"] != nil
        guard !body.isEmpty, body.count <= InputLimits.message else {
            let error = body.isEmpty ? request.t("message_error_empty") : request.t("form_too_long")
            return try await render(request, record: record,
                                    state: PageState(errors: ["body": error], messageBody: values["body"] ?? "", internalNote: isInternal),
                                    status: .unprocessableEntity)
        }
        let notifications = isInternal ? [] : try await Notifications.companyWrote(request, record: record)
        try await StaffCases(database: request.db).addMessage(caseId: record.id!, body: body, isInternal: isInternal, by: actor,
                                                             notifications: notifications)
        return request.redirect(to: StaffRoute.`case`, record.number, notice: .message, fragment: "messages")
    }
}

/// The lists the back office's forms offer. Small tables, read per page view.
struct StaffCatalogue {
    var categories: [CategoryRecord]
    var types: [CaseTypeRecord]
    var priorities: [PriorityRecord]
    var staff: [StaffUserRecord]
    var suppliers: [SupplierRecord]
    var customers: [CustomerRecord]

    struct Names {
        var categories: [Int: String]
        var types: [Int: String]
        var priorities: [Int: String]
        var staff: [Int: String]
        var suppliers: [Int: String]
        var customers: [Int: String]
    }

    var names: Names {
        Names(categories: Dictionary(uniqueKeysWithValues: categories.map { ($0.id!, $0.name) }),
              types: Dictionary(uniqueKeysWithValues: types.map { ($0.id!, $0.name) }),
              priorities: Dictionary(uniqueKeysWithValues: priorities.map { ($0.id!, $0.name) }),
              staff: Dictionary(uniqueKeysWithValues: staff.map { ($0.id!, $0.name) }),
              suppliers: Dictionary(uniqueKeysWithValues: suppliers.map { ($0.id!, $0.name) }),
              customers: Dictionary(uniqueKeysWithValues: customers.map { ($0.id!, $0.name) }))
    }

    static func load(on db: any Database) async throws -> StaffCatalogue {
        StaffCatalogue(
            categories: try await CategoryRecord.query(on: db).sort(\.$sortOrder).all(),
            types: try await CaseTypeRecord.query(on: db).sort(\.$sortOrder).all(),
            priorities: try await PriorityRecord.query(on: db).sort(\.$rank).all(),
            staff: try await StaffUserRecord.query(on: db).filter(\.$isActive == true).sort(\.$name).all(),
            suppliers: try await SupplierRecord.query(on: db).filter(\.$isActive == true).sort(\.$name).all(),
            // Customer choice lists stop at 1 000; a search field replaces them with the master-data pages.
            customers: try await CustomerRecord.query(on: db).sort(\.$name).limit(1_000).all())
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
