import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// Objects (properties, buildings, installations) in the back office; each belongs to one customer,
/// chosen by customer number so the form never lists every customer.
extension MasterDataController {
    func objects(request: Request) async throws -> View {
        let q = request.searchText
        let customer = try await Self.customerFilter(request)
        func filtered() -> QueryBuilder<ObjectRecord> {
            let query = ObjectRecord.query(on: request.db)
            if let id = customer?.id { query.filter(\.$customerId == id) }
            if !q.isEmpty {
                let like = TextSearch.like(request.db), pattern = TextSearch.pattern(q)
                query.group(.or) { group in
                    group.filter(\.$name, like, pattern).filter(\.$address, like, pattern)
                    if let id = Int(q) { group.filter(\.$id == id) }
                }
            }
            return query
        }
        var keep = ["q": q]
        if let id = customer?.id { keep["customer"] = String(id) }
        let paging = Paging(request, total: try await filtered().count(), route: StaffRoute.objects, query: keep)
        let records = try await filtered().sort(\.$name).sort(\.$id)
            .range(paging.offset ..< paging.offset + Paging.listPageSize).all()
        // The page's customers in one query.
        let owners = Dictionary(uniqueKeysWithValues: try await CustomerRecord.query(on: request.db)
            .filter(\.$id ~~ Set(records.map(\.customerId))).all().map { ($0.id!, $0) })
        let headers = ["md_name", "md_object_id", "md_address", "md_customer", "md_active"].map(request.t)
        let page = MasterDataPages.ListPage(
            layout: Layout(request, title: request.t("md_objects"), area: "staff"),
            tabs: MasterDataPages.tabs(request, current: "objects"), path: StaffRoute.objects.path(),
            addLink: StaffRoute.newObject.path(query: ["customer": customer.map { String($0.id!) }]),
            addLabel: request.t("md_add_object"), q: q, searchLabel: request.t("md_search_objects"),
            hidden: customer.map { [SelectOption(value: "customer", name: String($0.id!), selected: true)] } ?? [],
            filterNote: customer.map { "\(request.t("md_customer")): \($0.name) (\($0.customerNumber))" },
            headers: headers,
            rows: records.map { object in
                let owner = owners[object.customerId]
                return .init(id: object.id!, headers: headers, cells: [
                    .init(text: object.name, link: StaffRoute.object.path(object.id!)), .init(text: String(object.id!)),
                    .init(text: object.address),
                    .init(text: owner.map { "\($0.name) (\($0.customerNumber))" } ?? "", link: owner.map { StaffRoute.customer.path($0.id!) }),
                    Self.activeCell(request, object.isActive),
                ])
            },
            paging: paging, notice: request.notice([.created, .saved], prefix: "md_notice_"))
        return try await request.view.render("staff/md-list", page)
    }

    func newObject(request: Request) async throws -> Response {
        var values = ["is_active": "1"]
        if let customer = try await Self.customerFilter(request) { values["customer_number"] = customer.customerNumber }
        return try await renderObject(request, target: nil, values: values, errors: [:], status: .ok)
    }

    func editObject(request: Request) async throws -> Response {
        guard let target = try await ObjectRecord.find(try Self.id(request), on: request.db) else { throw Abort(.notFound) }
        let owner = try await CustomerRecord.find(target.customerId, on: request.db)
        var values = ["name": target.name, "address": target.address, "customer_number": owner?.customerNumber ?? ""]
        if target.isActive { values["is_active"] = "1" }
        return try await renderObject(request, target: target, values: values, errors: [:], status: .ok)
    }

    func saveObject(request: Request) async throws -> Response {
        var target: ObjectRecord?
        if request.parameters.get("id") != nil {
            guard let found = try await ObjectRecord.find(try Self.id(request), on: request.db) else { throw Abort(.notFound) }
            target = found
        }
        let values = request.formValues(longest: 1_000)
        let input = SaveObject.Input(objectId: try target?.requireID(), name: values["name"] ?? "", address: values["address"] ?? "",
                                     customerNumber: values["customer_number"] ?? "", isActive: values["is_active"] != nil)
        switch try await SaveObject.run(input, by: try request.staffMember(), in: request.operations) {
        case .done(let saved):
            return saved.created ? request.redirect(to: StaffRoute.objects, notice: .created)
                : request.redirect(to: StaffRoute.object, saved.objectId, notice: .saved)
        case .problems(let problems):
            return try await renderObject(request, target: target, values: values, errors: request.texts(problems), status: .unprocessableEntity)
        }
    }

    func renderObject(_ request: Request, target: ObjectRecord?, values: [String: String], errors: [String: String],
                      status: HTTPResponseStatus) async throws -> Response {
        var fields: [MasterDataPages.Field] = [
            .init(name: "customer_number", label: request.t("md_customer_number"), value: values["customer_number"] ?? "",
                  error: errors["customer_number"], required: true, hint: request.t("md_customer_number_hint"), maxLength: 50),
            .init(name: "name", label: request.t("md_name"), value: values["name"] ?? "", error: errors["name"], required: true),
            .init(name: "address", label: request.t("md_address"), value: values["address"] ?? "", error: errors["address"],
                  required: true, maxLength: 500),
        ]
        var related: [MasterDataPages.Related] = []
        if let target, let id = target.id {
            fields.append(.init(name: "is_active", label: request.t("md_active_label"), kind: "checkbox",
                                checked: values["is_active"] != nil, hint: request.t("md_object_active_hint")))
            related = [
                .init(href: StaffRoute.contacts.path(query: ["object": String(id)]), label: request.t("md_related_contacts")),
                .init(href: StaffRoute.customer.path(target.customerId), label: request.t("md_customer")),
            ]
        }
        let page = MasterDataPages.FormPage(
            layout: Layout(request, title: target.map { "\($0.name) (#\($0.id!))" } ?? request.t("md_add_object"), area: "staff"),
            tabs: MasterDataPages.tabs(request, current: "objects"),
            backLink: StaffRoute.objects.path(), backLabel: request.t("md_objects"),
            action: target.map { StaffRoute.objectSubmit.path($0.id!) } ?? StaffRoute.newObjectSubmit.path(),
            fields: fields, hasErrors: !errors.isEmpty, notice: request.notice([.saved], prefix: "md_notice_"),
            related: related)
        return try await MasterDataPages.render(request, page, status: status)
    }
}
