import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// The inquiry inbox (D2). Newest first with customer, object and sender. "Create case" opens a
/// new-case form filled from the inquiry, editable; saving makes the case, marks the inquiry processed
/// and links it, and queues "notify the customer / the supplier" (e-mail, and SMS when switched on).
/// Several at once: "create cases" (each unchanged, categorised as warranty claim) or "delete".
struct StaffInboxController: RouteCollection {
    static let pageSize = 100

    func boot(routes: any RoutesBuilder) throws {
        routes.on(StaffRoute.inbox, use: list)
        routes.on(StaffRoute.inboxBulk, use: bulk)
        routes.on(StaffRoute.inboxItem, use: form)
        routes.on(StaffRoute.inboxItemSubmit, use: save)
        routes.on(StaffRoute.inboxItemDelete, use: delete)
    }

    struct Row: Encodable {
        var id: Int
        var subject: String
        var preview: String
        var receivedAt: String
        var customer: String
        var object: String
        var sender: String
        var caseType: String
    }

    struct ListPage: Encodable {
        var layout: Layout
        var rows: [Row]
        var total: Int
        var notice: String?
        var error: String?
        var smsEnabled: Bool
        var paging: Paging
    }

    func list(request: Request) async throws -> Response {
        try await renderList(request, error: nil, status: .ok)
    }

    func renderList(_ request: Request, error: String?, status: HTTPResponseStatus) async throws -> Response {
        let inquiries = Inquiries(database: request.db)
        let total = try await inquiries.countNew()
        let paging = Paging(request, total: total, pageSize: Self.pageSize, route: StaffRoute.inbox)
        let waiting = try await inquiries.waiting(offset: paging.offset, limit: Self.pageSize)
        let names = try await Names.load(for: waiting, on: request.db)
        let language = request.language
        let notice = request.notice([.created, .deleted], prefix: "inbox_notice_")
        let page = ListPage(
            layout: Layout(request, title: request.t("inbox_title"), area: "staff"),
            rows: waiting.map { inquiry in
                Row(id: inquiry.id!, subject: inquiry.subject,
                    preview: String(inquiry.description.prefix(140)) + (inquiry.description.count > 140 ? "…" : ""),
                    receivedAt: language.formatDateTime(inquiry.createdAt),
                    customer: inquiry.customerId.flatMap { names.customers[$0] } ?? "–",
                    object: inquiry.objectId.flatMap { names.objects[$0] } ?? "–",
                    sender: inquiry.senderName, caseType: inquiry.caseTypeId.flatMap { names.types[$0] } ?? "–")
            },
            total: total, notice: notice, error: error,
            smsEnabled: try await SettingsStore(database: request.db).load().smsEnabled,
            paging: paging)
        let response = try await request.view.render("staff/inbox", page).encodeResponse(for: request).get()
        response.status = status
        return response
    }

    /// Names for a page of inquiries, read in three queries.
    struct Names {
        var customers: [Int: String] = [:]
        var objects: [Int: String] = [:]
        var types: [Int: String] = [:]

        static func load(for inquiries: [InquiryRecord], on db: any Database) async throws -> Names {
            var names = Names()
            let customerIds = Set(inquiries.compactMap(\.customerId)), objectIds = Set(inquiries.compactMap(\.objectId))
            if !customerIds.isEmpty {
                for customer in try await CustomerRecord.query(on: db).filter(\.$id ~~ customerIds).all() { names.customers[customer.id!] = customer.name }
            }
            if !objectIds.isEmpty {
                for object in try await ObjectRecord.query(on: db).filter(\.$id ~~ objectIds).all() { names.objects[object.id!] = "\(object.name), \(object.address)" }
            }
            for type in try await CaseTypeRecord.query(on: db).all() { names.types[type.id!] = type.name }
            return names
        }
    }

    // MARK: Several at once

    func bulk(request: Request) async throws -> Response {
        let values = request.formValues(longest: 20)
        let ids = values.compactMap { key, value in key.hasPrefix("inquiry_") ? Int(key.dropFirst("inquiry_".count)) : nil }.sorted()
        guard !ids.isEmpty else { return try await renderList(request, error: request.t("inbox_error_none_selected"), status: .unprocessableEntity) }
        let action: ProcessInquiries.Action
        switch values["action"] {
        case "delete": action = .delete
        case "create":
            action = .createCases(warrantyCategoryId: try await warrantyCategory(request), notifyCustomer: values["notify_customer"] != nil,
                                  language: request.language)
        default: throw Abort(.badRequest)
        }
        let count = try await ProcessInquiries.run(ids: ids, action, by: try request.staffMember(), in: request.operations)
        return request.redirect(to: StaffRoute.inbox, notice: Notice(action.isDelete ? .deleted : .created, count: count))
    }

    /// The "warranty claim" category: the one remembered in the settings, else one named so in any of
    /// the four languages, else a new one — remembered for next time.
    func warrantyCategory(_ request: Request) async throws -> Int {
        let store = SettingsStore(database: request.db)
        var settings = try await store.load()
        if let id = settings.warrantyCategoryId, try await CategoryRecord.find(id, on: request.db) != nil { return id }
        let names = Set(Language.allCases.map { request.caseport.translations.text("inbox_warranty_category", in: $0).lowercased() })
        let id: Int
        if let existing = try await CategoryRecord.query(on: request.db).sort(\.$id).all().first(where: { names.contains($0.name.lowercased()) }) {
            id = try existing.requireID()
        } else {
            let next = try await CategoryRecord.query(on: request.db).max(\.$sortOrder) ?? 0
            let category = CategoryRecord(name: request.t("inbox_warranty_category"), sortOrder: next + 1)
            try await category.create(on: request.db)
            id = try category.requireID()
            try await SettingsAudit.record([.init(field: "categories added", before: "–", after: category.name)],
                                           subject: "categories", request: request)
        }
        settings.warrantyCategoryId = id
        try await store.save(settings)
        return id
    }

    // MARK: One inquiry → a case

    typealias Option = SelectOption

    struct Shown: Encodable {
        var label: String
        var value: String
    }

    struct FormPage: Encodable {
        var layout: Layout
        var id: Int
        var receivedAt: String
        var original: [Shown]
        var fieldValues: [Shown]
        var values: [String: String]
        var errors: [String: String]
        var hasErrors: Bool
        var choices: StaffCaseChoices
        var smsEnabled: Bool
    }

    func findInquiry(_ request: Request) async throws -> InquiryRecord {
        guard let id = request.parameters.get("id").flatMap(Int.init),
              let inquiry = try await Inquiries(database: request.db).find(id: id) else { throw Abort(.notFound) }
        return inquiry
    }

    static func values(of inquiry: InquiryRecord) -> [String: String] {
        func text(_ id: Int?) -> String { id.map(String.init) ?? "" }
        return ["subject": inquiry.subject, "description": inquiry.description, "type": text(inquiry.caseTypeId),
                "category": text(inquiry.categoryId), "customer": text(inquiry.customerId), "object": text(inquiry.objectId),
                "work_site_address": inquiry.workSiteAddress ?? "", "reference_name": inquiry.referenceName ?? "",
                "sender_name": inquiry.senderName, "sender_email": inquiry.senderEmail ?? "", "sender_phone": inquiry.senderPhone ?? "",
                "notify_customer": "1"]
    }

    func form(request: Request) async throws -> Response {
        let inquiry = try await findInquiry(request)
        if inquiry.status == .processed {
            if let caseId = inquiry.caseId, let record = try await CaseRecord.find(caseId, on: request.db) {
                return request.redirect(to: StaffRoute.`case`, record.number)
            }
            throw Abort(.notFound)
        }
        return try await renderForm(request, inquiry: inquiry, values: Self.values(of: inquiry), errors: [:], status: .ok)
    }

    func renderForm(_ request: Request, inquiry: InquiryRecord, values: [String: String], errors: [String: String],
                    status: HTTPResponseStatus) async throws -> Response {
        let catalogue = try await StaffCatalogue.load(on: request.db)
        let choices = try await StaffCaseChoices.load(catalogue, values: values, currentObjectId: inquiry.objectId, on: request.db)
        let names = try await Names.load(for: [inquiry], on: request.db)
        var original: [Shown] = [Shown(label: request.t("inbox_sender"), value: [inquiry.senderName, inquiry.senderEmail, inquiry.senderPhone].compactMap { $0 }.joined(separator: " · "))]
        if let customer = inquiry.customerId.flatMap({ names.customers[$0] }) { original.append(Shown(label: request.t("case_customer"), value: customer)) }
        if let object = inquiry.objectId.flatMap({ names.objects[$0] }) { original.append(Shown(label: request.t("case_object"), value: object)) }
        if let type = inquiry.caseTypeId.flatMap({ names.types[$0] }) { original.append(Shown(label: request.t("case_type"), value: type)) }
        let page = FormPage(
            layout: Layout(request, title: request.t("inbox_create_title"), area: "staff"),
            id: try inquiry.requireID(), receivedAt: request.language.formatDateTime(inquiry.createdAt), original: original,
            fieldValues: inquiry.fieldValues.map { Shown(label: $0.label, value: $0.value) },
            values: values, errors: errors, hasErrors: !errors.isEmpty,
            choices: choices,
            smsEnabled: try await SettingsStore(database: request.db).load().smsEnabled)
        let response = try await request.view.render("staff/inbox-case", page).encodeResponse(for: request).get()
        response.status = status
        return response
    }

    func save(request: Request) async throws -> Response {
        let inquiry = try await findInquiry(request)
        let values = request.formValues()
        func text(_ key: String) -> String { values[key] ?? "" }
        let input = CaseFromInquiry.Input(
            inquiryId: try inquiry.requireID(), subject: text("subject"), description: text("description"),
            category: ChosenId(form: values["category"]), type: ChosenId(form: values["type"]), priority: ChosenId(form: values["priority"]),
            handler: ChosenId(form: values["handler"]), supplier: ChosenId(form: values["supplier"]),
            customer: ChosenId(form: values["customer"]), object: ChosenId(form: values["object"]),
            workSiteAddress: text("work_site_address"), referenceName: text("reference_name"), senderName: text("sender_name"),
            senderEmail: text("sender_email"), senderPhone: text("sender_phone"),
            notifyCustomer: values["notify_customer"] != nil, notifySupplier: values["notify_supplier"] != nil, language: request.language)
        do {
            switch try await CaseFromInquiry.run(input, by: try request.staffMember(), in: request.operations) {
            case .done(let number):
                return request.redirect(to: StaffRoute.`case`, number, notice: .saved)
            case .problems(let problems):
                return try await renderForm(request, inquiry: inquiry, values: values, errors: request.texts(problems),
                                            status: .unprocessableEntity)
            }
        } catch OperationError.alreadyDone {
            return try await renderList(request, error: request.t("inbox_error_already_processed"), status: .conflict)
        }
    }

    func delete(request: Request) async throws -> Response {
        let inquiry = try await findInquiry(request)
        let count = try await Inquiries(database: request.db).delete(ids: [try inquiry.requireID()])
        return request.redirect(to: StaffRoute.inbox, notice: Notice(.deleted, count: count))
    }
}

extension ProcessInquiries.Action {
    var isDelete: Bool {
        if case .delete = self { return true }
        return false
    }
}
