import CaseportCore
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

    func actorName(_ request: Request) throws -> String { try request.requireStaff().user.name }

    // MARK: Several at once

    func bulk(request: Request) async throws -> Response {
        let values = request.formValues(longest: 20)
        let ids = values.compactMap { key, value in key.hasPrefix("inquiry_") ? Int(key.dropFirst("inquiry_".count)) : nil }.sorted()
        guard !ids.isEmpty else { return try await renderList(request, error: request.t("inbox_error_none_selected"), status: .unprocessableEntity) }
        switch values["action"] {
        case "delete":
            let count = try await Inquiries(database: request.db).delete(ids: ids)
            return request.redirect(to: StaffRoute.inbox, notice: Notice(.deleted, count: count))
        case "create":
            let notifyCustomer = values["notify_customer"] != nil
            let settings = try await SettingsStore(database: request.db).load()
            let warranty = try await warrantyCategory(request)
            let inquiries = Inquiries(database: request.db)
            var created = 0
            for id in ids {
                guard let inquiry = try await inquiries.find(id: id), inquiry.status == .new else { continue }
                var new = Inquiries.newCase(from: inquiry)
                new.categoryId = warranty
                let recipients = notifyCustomer ? try await customerRecipients(inquiry, request: request) : nil
                do {
                    _ = try await inquiries.createCase(inquiryId: id, new, processedBy: try actorName(request),
                                                           staffId: try request.requireStaff().user.requireID()) { record in
                        guard let recipients else { return [] }
                        return Notifications.inquiryAccepted(request, email: recipients.email, phone: recipients.phone, sms: settings.smsEnabled,
                                                             language: recipients.language, caseNumber: record.number, subject: record.subject)
                    }
                    created += 1
                } catch Inquiries.InquiryError.alreadyProcessed {
                    continue
                }
            }
            return request.redirect(to: StaffRoute.inbox, notice: Notice(.created, count: created))
        default:
            throw Abort(.badRequest)
        }
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

    struct Recipients: Sendable {
        var email: String?
        var phone: String?
        var language: Language
    }

    /// Where "notify the customer" goes: the sender's details, in the sender's language when known.
    func customerRecipients(_ inquiry: InquiryRecord, request: Request, email: String? = nil, phone: String? = nil) async throws -> Recipients {
        var language = request.language
        if let userId = inquiry.createdByUserId, let user = try await PortalUserRecord.find(userId, on: request.db),
           let code = user.language, let saved = Language(rawValue: code) {
            language = saved
        }
        return Recipients(email: email ?? inquiry.senderEmail, phone: phone ?? inquiry.senderPhone, language: language)
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
        guard inquiry.status == .new else {
            return try await renderList(request, error: request.t("inbox_error_already_processed"), status: .conflict)
        }
        let values = request.formValues()
        let catalogue = try await StaffCatalogue.load(on: request.db)
        var errors: [String: String] = [:]
        let subject = (values["subject"] ?? "").trimmed, description = (values["description"] ?? "").trimmed
        if subject.isEmpty { errors["subject"] = request.t("form_required") }
        if subject.count > InputLimits.subject { errors["subject"] = request.t("form_too_long") }
        if description.count > InputLimits.description { errors["description"] = request.t("form_too_long") }
        func pick(_ key: String, from ids: [Int?]) -> Int? {
            let raw = values[key] ?? ""
            if raw.isEmpty { return nil }
            guard let id = Int(raw), ids.contains(id) else { errors[key] = request.t("form_choose_from_list"); return nil }
            return id
        }
        let category = pick("category", from: catalogue.categories.map(\.id))
        let type = pick("type", from: catalogue.types.map(\.id))
        let priority = pick("priority", from: catalogue.priorities.map(\.id))
        let handler = pick("handler", from: catalogue.staff.map(\.id))
        let supplierId = pick("supplier", from: catalogue.suppliers.map(\.id))
        let customer = pick("customer", from: catalogue.customers.map(\.id))
        var object: Int?
        if let raw = values["object"], !raw.isEmpty {
            if let id = Int(raw), let found = try await ObjectRecord.find(id, on: request.db), customer == nil || customer == found.customerId {
                object = id
            } else {
                errors["object"] = request.t("new_case_error_object_customer")
            }
        }
        let short = { (key: String, limit: Int) -> String? in
            let text = (values[key] ?? "").trimmed
            if text.count > limit { errors[key] = request.t("form_too_long") }
            return text.isEmpty ? nil : text
        }
        let address = short("work_site_address", 300), reference = short("reference_name", 200)
        let senderName = short("sender_name", 200), senderEmail = short("sender_email", 254), senderPhone = short("sender_phone", 40)
        if senderName == nil { errors["sender_name"] = request.t("form_required") }
        if let senderEmail, !senderEmail.looksLikeEmail { errors["sender_email"] = request.t("inbox_error_email") }
        let notifyCustomer = values["notify_customer"] != nil, notifySupplier = values["notify_supplier"] != nil
        if notifyCustomer, senderEmail == nil, senderPhone == nil { errors["notify_customer"] = request.t("inbox_error_no_customer_address") }
        let supplier = catalogue.suppliers.first { $0.id == supplierId }
        if notifySupplier {
            if supplier == nil { errors["notify_supplier"] = request.t("inbox_error_no_supplier") }
            else if supplier?.email == nil, supplier?.phone == nil { errors["notify_supplier"] = request.t("inbox_error_no_supplier_address") }
        }
        guard errors.isEmpty else {
            return try await renderForm(request, inquiry: inquiry, values: values, errors: errors, status: .unprocessableEntity)
        }
        var new = Inquiries.newCase(from: inquiry)
        new.subject = subject
        new.description = description
        new.categoryId = category
        new.caseTypeId = type
        new.priorityId = priority
        new.handlerId = handler
        new.customerId = customer
        new.objectId = object
        new.workSiteAddress = address
        new.referenceName = reference
        new.createdByName = senderName ?? inquiry.senderName
        // A case with no type keeps no type fields; a different type keeps the values as they were asked.
        if type == nil { new.fieldValues = [] }
        let settings = try await SettingsStore(database: request.db).load()
        let recipients = try await customerRecipients(inquiry, request: request, email: senderEmail, phone: senderPhone)
        let record: CaseRecord
        do {
            record = try await Inquiries(database: request.db).createCase(inquiryId: try inquiry.requireID(), new,
                                                                        processedBy: try actorName(request),
                                                           staffId: try request.requireStaff().user.requireID()) { record in
                var rows: [OutboxRecord] = []
                if notifyCustomer {
                    rows += Notifications.inquiryAccepted(request, email: senderEmail, phone: senderPhone, sms: settings.smsEnabled,
                                                          language: recipients.language, caseNumber: record.number, subject: record.subject)
                }
                if notifySupplier, let supplier {
                    rows += Notifications.supplierAssigned(request, email: supplier.email, phone: supplier.phone, sms: settings.smsEnabled,
                                                           caseNumber: record.number, subject: record.subject,
                                                           address: address ?? "")
                }
                return rows
            }
        } catch Inquiries.InquiryError.alreadyProcessed {
            return try await renderList(request, error: request.t("inbox_error_already_processed"), status: .conflict)
        }
        // The supplier is assigned through the case's own edit path so the timeline shows it.
        if let supplierId {
            try await StaffCases(database: request.db).edit(
                caseId: try record.requireID(), expectedVersion: record.version,
                changes: [.init(field: "supplier", before: nil, after: supplier?.name) { $0.supplierId = supplierId }],
                by: StaffCases.Actor(staffId: try request.requireStaff().user.requireID(), name: try actorName(request)))
        }
        return request.redirect(to: StaffRoute.`case`, record.number, notice: .saved)
    }

    func delete(request: Request) async throws -> Response {
        let inquiry = try await findInquiry(request)
        let count = try await Inquiries(database: request.db).delete(ids: [try inquiry.requireID()])
        return request.redirect(to: StaffRoute.inbox, notice: Notice(.deleted, count: count))
    }
}
