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
            let query = ObjectRecord.query(on: request.database)
            if let id = customer?.id { query.filter(\.$customerId == id) }
            if !q.isEmpty {
                let like = TextSearch.like(request.database), pattern = TextSearch.pattern(q)
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
        let owners = Dictionary(uniqueKeysWithValues: try await CustomerRecord.query(on: request.database)
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
        var form = ObjectForm()
        if let customer = try await Self.customerFilter(request) { form.customerNumber = customer.customerNumber }
        return try await renderObject(request, target: nil, form: form, errors: [:], status: .ok)
    }

    func editObject(request: Request) async throws -> Response {
        guard let target = try await ObjectRecord.find(try Self.id(request), on: request.database) else { throw Abort(.notFound) }
        let owner = try await CustomerRecord.find(target.customerId, on: request.database)
        let form = ObjectForm(name: target.name, address: target.address, customerNumber: owner?.customerNumber ?? "",
                              isActive: target.isActive, handler: target.handlerId.map(String.init) ?? "")
        return try await renderObject(request, target: target, form: form, errors: [:], status: .ok)
    }

    func saveObject(request: Request) async throws -> Response {
        var target: ObjectRecord?
        if request.parameters.get("id") != nil {
            guard let found = try await ObjectRecord.find(try Self.id(request), on: request.database) else { throw Abort(.notFound) }
            target = found
        }
        let form = try request.form(ObjectForm.self)
        let input = SaveObject.Input(objectId: try target?.requireID(), name: form.name, address: form.address,
                                     customerNumber: form.customerNumber, isActive: form.isActive,
                                     handler: form.handler.map { ChosenId(form: $0) })
        switch try await SaveObject.run(input, by: try request.staffMember(), in: request.operations) {
        case .done(let saved):
            return saved.created ? request.redirect(to: StaffRoute.objects, notice: .created)
                : request.redirect(to: StaffRoute.object, saved.objectId, notice: .saved)
        case .problems(let problems):
            return try await renderObject(request, target: target, form: form, errors: request.texts(problems), status: .unprocessableEntity)
        }
    }

    func renderObject(_ request: Request, target: ObjectRecord?, form: ObjectForm, errors: [String: String],
                      status: HTTPResponseStatus) async throws -> Response {
        var fields: [MasterDataPages.Field] = [
            .init(name: "customer_number", label: request.t("md_customer_number"), value: form.customerNumber,
                  error: errors["customer_number"], required: true, hint: request.t("md_customer_number_hint"), maxLength: 50),
            .init(name: "name", label: request.t("md_name"), value: form.name, error: errors["name"], required: true),
            .init(name: "address", label: request.t("md_address"), value: form.address, error: errors["address"],
                  required: true, maxLength: 500),
            try await MasterDataPages.handlerField(request, chosen: form.handler, error: errors["handler"]),
        ]
        var related: [MasterDataPages.Related] = []
        var files: MasterDataPages.FileSection?
        if let target, let id = target.id {
            files = try await .load(request, owner: .object(id), uploadAction: StaffRoute.objectFiles.path(id), error: errors["files"])
            fields.append(.init(name: "is_active", label: request.t("md_active_label"), kind: "checkbox",
                                checked: form.isActive, hint: request.t("md_object_active_hint")))
            related = [
                .init(href: StaffRoute.contacts.path(query: ["object": String(id)]), label: request.t("md_related_contacts")),
                .init(href: StaffRoute.customer.path(target.customerId), label: request.t("md_customer")),
                .init(href: StaffRoute.newCase.path(query: ["object": String(id)]), label: request.t("md_related_new_case")),
            ]
        }
        let page = MasterDataPages.FormPage(
            layout: Layout(request, title: target.map { "\($0.name) (#\($0.id!))" } ?? request.t("md_add_object"), area: "staff"),
            tabs: MasterDataPages.tabs(request, current: "objects"),
            backLink: StaffRoute.objects.path(), backLabel: request.t("md_objects"),
            action: target.map { StaffRoute.objectSubmit.path($0.id!) } ?? StaffRoute.newObjectSubmit.path(),
            fields: fields, hasErrors: !errors.isEmpty, notice: request.notice([.saved, .uploaded, .removed], prefix: "md_notice_"),
            related: related, files: files)
        return try await MasterDataPages.render(request, page, status: status)
    }
}

/// The object form (D6), as posted and as shown again.
struct ObjectForm: PostedForm {
    static var longestValue: Int { 1_000 }
    var name = "", address = "", customerNumber = "", isActive = true
    /// The responsible handler's id, "" for nobody (M023); absent leaves it unchanged.
    var handler: String?

    enum CodingKeys: String, CodingKey {
        case name, address, customerNumber = "customer_number", isActive = "is_active", handler
    }
}
