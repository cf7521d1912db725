import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// Master data for staff (D6): customers, objects, contacts with their links, and portal users.
/// Lists are searched and paged in SQL (never a whole table); forms keep every value and show
/// errors beside the fields; every change writes an audit line (E5). Customers, objects and
/// contacts are deactivated, never deleted, because cases refer to them.
struct MasterDataController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(StaffRoute.customers, use: customers)
        routes.on(StaffRoute.newCustomer, use: newCustomer)
        routes.on(StaffRoute.newCustomerSubmit, use: saveCustomer)
        routes.on(StaffRoute.customer, use: editCustomer)
        routes.on(StaffRoute.customerSubmit, use: saveCustomer)
        routes.on(StaffRoute.objects, use: objects)
        routes.on(StaffRoute.newObject, use: newObject)
        routes.on(StaffRoute.newObjectSubmit, use: saveObject)
        routes.on(StaffRoute.object, use: editObject)
        routes.on(StaffRoute.objectSubmit, use: saveObject)
        routes.on(StaffRoute.contacts, use: contacts)
        routes.on(StaffRoute.newContact, use: newContact)
        routes.on(StaffRoute.newContactSubmit, use: saveContact)
        routes.on(StaffRoute.contact, use: editContact)
        routes.on(StaffRoute.contactSubmit, use: saveContact)
        routes.on(StaffRoute.contactCustomerAdd, use: addCustomerLink)
        routes.on(StaffRoute.contactCustomerRemove, use: removeCustomerLink)
        routes.on(StaffRoute.contactObjectAdd, use: addObjectLink)
        routes.on(StaffRoute.contactObjectRemove, use: removeObjectLink)
        routes.on(StaffRoute.portalUsers, use: portalUsers)
        routes.on(StaffRoute.newPortalUser, use: newPortalUser)
        routes.on(StaffRoute.newPortalUserSubmit, use: savePortalUser)
        routes.on(StaffRoute.portalUser, use: editPortalUser)
        routes.on(StaffRoute.portalUserSubmit, use: savePortalUser)
        routes.on(StaffRoute.portalUserUnlock, use: unlockPortalUser)
    }

    static func id(_ request: Request, _ name: String = "id") throws -> Int {
        guard let id = request.parameters.get(name).flatMap(Int.init) else { throw Abort(.notFound) }
        return id
    }

    /// The `?customer=` filter of a list, when it names a customer.
    static func customerFilter(_ request: Request) async throws -> CustomerRecord? {
        guard let id = try? request.query.get(Int.self, at: "customer") else { return nil }
        return try await CustomerRecord.find(id, on: request.database)
    }

    static func yesNo(_ request: Request, _ value: Bool) -> String { request.t(value ? "answer_yes" : "answer_no") }

    static func activeCell(_ request: Request, _ active: Bool) -> MasterDataPages.Cell {
        active ? .init(text: request.t("answer_yes")) : .init(text: request.t("md_inactive"), inactive: true)
    }

    // MARK: customers

    func customers(request: Request) async throws -> View {
        let q = request.searchText
        func filtered() -> QueryBuilder<CustomerRecord> {
            let query = CustomerRecord.query(on: request.database)
            if !q.isEmpty {
                let like = TextSearch.like(request.database), pattern = TextSearch.pattern(q)
                query.group(.or) {
                    $0.filter(\.$name, like, pattern).filter(\.$shortCodeKey, like, TextSearch.pattern(LoginKey.fold(q)))
                        .filter(\.$customerNumber, like, pattern)
                }
            }
            return query
        }
        let paging = Paging(request, total: try await filtered().count(), route: StaffRoute.customers, query: ["q": q])
        let records = try await filtered().sort(\.$name).sort(\.$id)
            .range(paging.offset ..< paging.offset + Paging.listPageSize).all()
        let headers = ["md_name", "md_customer_number", "md_short_code", "md_active"].map(request.t)
        let page = MasterDataPages.ListPage(
            layout: Layout(request, title: request.t("md_customers"), area: "staff"),
            tabs: MasterDataPages.tabs(request, current: "customers"), path: StaffRoute.customers.path(),
            addLink: StaffRoute.newCustomer.path(), addLabel: request.t("md_add_customer"), q: q,
            searchLabel: request.t("md_search_customers"), hidden: [], filterNote: nil, headers: headers,
            rows: records.map {
                .init(id: $0.id!, headers: headers, cells: [
                    .init(text: $0.name, link: StaffRoute.customer.path($0.id!)), .init(text: $0.customerNumber),
                    .init(text: $0.shortCode), Self.activeCell(request, $0.isActive),
                ])
            },
            paging: paging, notice: request.notice([.created, .saved], prefix: "md_notice_"))
        return try await request.view.render("staff/md-list", page)
    }

    func newCustomer(request: Request) async throws -> Response {
        try await renderCustomer(request, target: nil, form: CustomerForm(), errors: [:], status: .ok)
    }

    func editCustomer(request: Request) async throws -> Response {
        guard let target = try await CustomerRecord.find(try Self.id(request), on: request.database) else { throw Abort(.notFound) }
        return try await renderCustomer(request, target: target, form: CustomerForm(target), errors: [:], status: .ok)
    }

    func saveCustomer(request: Request) async throws -> Response {
        var target: CustomerRecord?
        if request.parameters.get("id") != nil {
            guard let found = try await CustomerRecord.find(try Self.id(request), on: request.database) else { throw Abort(.notFound) }
            target = found
        }
        let form = try request.form(CustomerForm.self)
        do {
            switch try await SaveCustomer.run(form.input(customerId: try target?.requireID()), by: try request.staffMember(),
                                              in: request.operations) {
            case .done(let saved):
                return saved.created ? request.redirect(to: StaffRoute.customers, notice: .created)
                    : request.redirect(to: StaffRoute.customer, saved.customerId, notice: .saved)
            case .problems(let problems):
                return try await renderCustomer(request, target: target, form: form, errors: request.texts(problems),
                                                status: .unprocessableEntity)
            }
        } catch OperationError.stale {
            // Someone saved the same unique value between the check and the write.
            return try await renderCustomer(request, target: target, form: form,
                                            errors: [CustomerForm.CodingKeys.customerNumber.stringValue: request.t("md_error_saved_meanwhile")], status: .conflict)
        }
    }

    func renderCustomer(_ request: Request, target: CustomerRecord?, form: CustomerForm, errors: [String: String],
                        status: HTTPResponseStatus) async throws -> Response {
        var fields: [MasterDataPages.Field] = [
            .init(name: "customer_number", label: request.t("md_customer_number"), value: form.customerNumber,
                  error: errors["customer_number"], required: true, maxLength: 50),
            .init(name: "name", label: request.t("md_name"), value: form.name, error: errors["name"], required: true),
            .init(name: "short_code", label: request.t("md_short_code"), value: form.shortCode,
                  error: errors["short_code"], required: true, hint: request.t("md_short_code_hint"), maxLength: 50),
            .init(name: "single_user", label: request.t("md_single_user"), kind: "checkbox", checked: form.singleUser,
                  hint: request.t("md_single_user_hint")),
            try await MasterDataPages.handlerField(request, chosen: form.handler, error: errors["handler"]),
        ]
        var related: [MasterDataPages.Related] = []
        var files: MasterDataPages.FileSection?
        if let target, let id = target.id {
            fields.append(.init(name: "is_active", label: request.t("md_active_label"), kind: "checkbox",
                                checked: form.isActive, hint: request.t("md_customer_active_hint")))
            files = try await .load(request, owner: .customer(id), uploadAction: StaffRoute.customerFiles.path(id), error: errors["files"])
            related = [
                .init(href: StaffRoute.objects.path(query: ["customer": String(id)]), label: request.t("md_related_objects")),
                .init(href: StaffRoute.contacts.path(query: ["customer": String(id)]), label: request.t("md_related_contacts")),
                .init(href: StaffRoute.portalUsers.path(query: ["customer": String(id)]), label: request.t("md_related_portal_users")),
                .init(href: StaffRoute.cases.path(query: ["customer": String(id)]), label: request.t("md_related_cases")),
                .init(href: StaffRoute.newCase.path(query: ["customer": String(id)]), label: request.t("md_related_new_case")),
                // Issue 13: the customer's level of the claims' customer-page settings.
                .init(href: ClaimAccessRoute.customerSettings.path(id), label: request.t("claimaccess_customer_link")),
                .init(href: StaffRoute.customerReports.path(id), label: request.t("monthly_reports_staff_title")),
            ]
        }
        let page = MasterDataPages.FormPage(
            layout: Layout(request, title: target.map { $0.name } ?? request.t("md_add_customer"), area: "staff"),
            tabs: MasterDataPages.tabs(request, current: "customers"),
            backLink: StaffRoute.customers.path(), backLabel: request.t("md_customers"),
            action: target.map { StaffRoute.customerSubmit.path($0.id!) } ?? StaffRoute.newCustomerSubmit.path(),
            fields: fields, hasErrors: !errors.isEmpty, notice: request.notice([.saved, .uploaded, .removed], prefix: "md_notice_"),
            related: related, files: files)
        return try await MasterDataPages.render(request, page, status: status)
    }
}

/// The customer form (D6), as posted and as shown again.
struct CustomerForm: PostedForm {
    static var longestValue: Int { 1_000 }
    var name = "", shortCode = "", customerNumber = "", singleUser = false, isActive = true
    /// The responsible handler's id, "" for nobody (M023); absent leaves it unchanged.
    var handler: String?

    enum CodingKeys: String, CodingKey {
        case name, shortCode = "short_code", customerNumber = "customer_number", singleUser = "single_user", isActive = "is_active"
        case handler
    }

    init() {}

    init(_ customer: CustomerRecord) {
        (name, shortCode, customerNumber) = (customer.name, customer.shortCode, customer.customerNumber)
        (singleUser, isActive) = (customer.singleUser, customer.isActive)
        handler = customer.handlerId.map(String.init) ?? ""
    }

    func input(customerId: Int?) -> SaveCustomer.Input {
        SaveCustomer.Input(customerId: customerId, name: name, shortCode: shortCode, customerNumber: customerNumber,
                           singleUser: singleUser, isActive: isActive, handler: handler.map { ChosenId(form: $0) })
    }
}
