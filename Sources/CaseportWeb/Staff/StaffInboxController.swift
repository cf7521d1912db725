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
        /// A handler (not an administrator) may limit the list to their customers and objects (M023).
        var canLimit: Bool
        var mine: Bool
        var allLink: String
        var mineLink: String
    }

    func list(request: Request) async throws -> Response {
        try await renderList(request, error: nil, status: .ok)
    }

    /// "Only mine" (`?mine=1`): inquiries whose customer or object is assigned to this handler.
    /// Administrators always see all of them.
    static func assignedTo(_ request: Request) throws -> Int? {
        let staff = try request.staffMember()
        guard !staff.isAdmin, (try? request.query.get(String.self, at: "mine")) == "1" else { return nil }
        return staff.staffId
    }

    func renderList(_ request: Request, error: String?, status: HTTPResponseStatus) async throws -> Response {
        let inquiries = Inquiries(database: request.database)
        let staff = try request.staffMember()
        let assignedTo = try Self.assignedTo(request)
        let total = try await inquiries.countNew(assignedTo: assignedTo)
        let paging = Paging(request, total: total, pageSize: Self.pageSize, route: StaffRoute.inbox,
                            query: assignedTo == nil ? [:] : ["mine": "1"])
        let waiting = try await inquiries.waiting(offset: paging.offset, limit: Self.pageSize, assignedTo: assignedTo)
        let names = try await Names.load(for: waiting, on: request.database)
        let language = request.language
        let notice = request.notice([.created, .deleted], prefix: "inbox_notice_")
        let page = ListPage(
            layout: Layout(request, title: request.t("inbox_title"), area: "staff"),
            rows: waiting.map { row($0, names: names, language: language) },
            total: total, notice: notice, error: error,
            smsEnabled: try await SettingsStore(database: request.database).load().smsEnabled,
            paging: paging, canLimit: !staff.isAdmin, mine: assignedTo != nil,
            allLink: StaffRoute.inbox.path(), mineLink: StaffRoute.inbox.path(query: ["mine": "1"]))
        let response = try await request.view.render("staff/inbox", page).encodeResponse(for: request).get()
        response.status = status
        return response
    }

    func row(_ inquiry: InquiryRecord, names: Names, language: Language) -> Row {
        Row(id: inquiry.id!, subject: inquiry.subject,
            preview: String(inquiry.description.prefix(140)) + (inquiry.description.count > 140 ? "…" : ""),
            receivedAt: language.formatDateTime(inquiry.createdAt),
            customer: inquiry.customerId.flatMap { names.customers[$0] } ?? "–",
            object: inquiry.objectId.flatMap { names.objects[$0] } ?? "–",
            sender: inquiry.senderName, caseType: inquiry.caseTypeId.flatMap { names.types[$0] } ?? "–")
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

    /// The page that asks before several inquiries are deleted (D2): it names them and posts the same
    /// selection again with `confirmed`.
    struct ConfirmPage: Encodable {
        var layout: Layout
        var rows: [Row]
        var lead: String
        var button: String
        var backLink: String
        var mine: Bool
    }

    func bulk(request: Request) async throws -> Response {
        let form = try request.form(InboxBulkForm.self)
        let ids = form.inquiryIds
        guard !ids.isEmpty else { return try await renderList(request, error: request.t("inbox_error_none_selected"), status: .unprocessableEntity) }
        let action: ProcessInquiries.Action
        switch form.action {
        case "delete":
            // Issue 12 point 7: deleting asks first, one inquiry as much as several.
            if !form.confirmed { return try await renderConfirm(request, ids: ids, mine: form.mine) }
            action = .delete
        case "create":
            action = .createCases(notifyCustomer: form.notifyCustomer, language: request.language, sendSms: form.sendSms)
        default: throw Abort(.badRequest)
        }
        let count = try await ProcessInquiries.run(ids: ids, action, by: try request.staffMember(), in: request.operations)
        return request.redirect(to: StaffRoute.inbox, notice: Notice(action.isDelete ? .deleted : .created, count: count),
                                query: form.mine ? [("mine", "1")] : [])
    }

    func renderConfirm(_ request: Request, ids: [Int], mine: Bool, backLink: String? = nil) async throws -> Response {
        let selected = try await InquiryRecord.query(on: request.database).filter(\.$id ~~ ids).filter(\.$status == .new)
            .sort(\.$createdAt, .descending).sort(\.$id, .descending).all()
        guard !selected.isEmpty else {
            return try await renderList(request, error: request.t("inbox_error_already_processed"), status: .conflict)
        }
        let names = try await Names.load(for: selected, on: request.database)
        let count = ["n": String(selected.count)]
        // One inquiry reads "this inquiry", not "these 1 inquiries" (issue 12 point 7).
        let one = selected.count == 1
        let page = ConfirmPage(
            layout: Layout(request, title: request.t(one ? "inbox_confirm_delete_title_one" : "inbox_confirm_delete_title"), area: "staff"),
            rows: selected.map { row($0, names: names, language: request.language) },
            lead: Notifications.fill(request.t(one ? "inbox_confirm_delete_lead_one" : "inbox_confirm_delete_lead"), count),
            button: Notifications.fill(request.t(one ? "inbox_confirm_delete_button_one" : "inbox_confirm_delete_button"), count),
            backLink: backLink ?? (mine ? StaffRoute.inbox.path(query: ["mine": "1"]) : StaffRoute.inbox.path()), mine: mine)
        return try await request.view.render("staff/inbox-confirm", page).encodeResponse(for: request).get()
    }

    // MARK: One inquiry → a case

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
        /// The form as typed (or as the inquiry said it).
        var values: InquiryCaseForm
        var errors: [String: String]
        var hasErrors: Bool
        var selects: CaseSelects
        var smsEnabled: Bool
    }

    func findInquiry(_ request: Request) async throws -> InquiryRecord {
        guard let id = request.parameters.get("id").flatMap(Int.init),
              let inquiry = try await Inquiries(database: request.database).find(id: id) else { throw Abort(.notFound) }
        return inquiry
    }

    func form(request: Request) async throws -> Response {
        let inquiry = try await findInquiry(request)
        if inquiry.status == .processed {
            if let caseId = inquiry.caseId, let record = try await CaseRecord.find(caseId, on: request.database) {
                return request.redirect(to: StaffRoute.`case`, record.number)
            }
            throw Abort(.notFound)
        }
        return try await renderForm(request, inquiry: inquiry, form: InquiryCaseForm(inquiry), errors: [:], status: .ok)
    }

    func renderForm(_ request: Request, inquiry: InquiryRecord, form: InquiryCaseForm, errors: [String: String],
                    status: HTTPResponseStatus) async throws -> Response {
        let selects = try await CaseSelects.load(request, layout: CaseSelects.inquiryLayout, chosen: form.selection,
                                                 currentObjectId: inquiry.objectId, errors: errors)
        let names = try await Names.load(for: [inquiry], on: request.database)
        var original: [Shown] = [Shown(label: request.t("inbox_sender"), value: [inquiry.senderName, inquiry.senderEmail, inquiry.senderPhone].compactMap { $0 }.joined(separator: " · "))]
        if let customer = inquiry.customerId.flatMap({ names.customers[$0] }) { original.append(Shown(label: request.t("case_customer"), value: customer)) }
        if let object = inquiry.objectId.flatMap({ names.objects[$0] }) { original.append(Shown(label: request.t("case_object"), value: object)) }
        if let type = inquiry.caseTypeId.flatMap({ names.types[$0] }) { original.append(Shown(label: request.t("case_type"), value: type)) }
        let page = FormPage(
            layout: Layout(request, title: request.t("inbox_create_title"), area: "staff"),
            id: try inquiry.requireID(), receivedAt: request.language.formatDateTime(inquiry.createdAt), original: original,
            fieldValues: inquiry.fieldValues.map { Shown(label: $0.label, value: $0.value) },
            values: form, errors: errors, hasErrors: !errors.isEmpty,
            selects: selects,
            smsEnabled: try await SettingsStore(database: request.database).load().smsEnabled)
        let response = try await request.view.render("staff/inbox-case", page).encodeResponse(for: request).get()
        response.status = status
        return response
    }

    func save(request: Request) async throws -> Response {
        let inquiry = try await findInquiry(request)
        let form = try request.form(InquiryCaseForm.self)
        do {
            switch try await CaseFromInquiry.run(form.input(inquiryId: try inquiry.requireID(), language: request.language),
                                                 by: try request.staffMember(), in: request.operations) {
            case .done(let number):
                return request.redirect(to: StaffRoute.`case`, number, notice: .saved)
            case .problems(let problems):
                return try await renderForm(request, inquiry: inquiry, form: form, errors: request.texts(problems),
                                            status: .unprocessableEntity)
            }
        } catch OperationError.alreadyDone {
            return try await renderList(request, error: request.t("inbox_error_already_processed"), status: .conflict)
        }
    }

    func delete(request: Request) async throws -> Response {
        let inquiry = try await findInquiry(request)
        // Issue 12 point 7: the inquiry's own "Delete" asks first; the confirmation posts the bulk
        // deletion with `confirmed`, so this route never deletes without it.
        guard (try? request.content.get(String.self, at: "confirmed")) == "1" else {
            return try await renderConfirm(request, ids: [try inquiry.requireID()], mine: false,
                                           backLink: StaffRoute.inboxItem.path(try inquiry.requireID()))
        }
        let count = try await ProcessInquiries.run(ids: [try inquiry.requireID()], .delete, by: try request.staffMember(),
                                                   in: request.operations)
        return request.redirect(to: StaffRoute.inbox, notice: Notice(.deleted, count: count))
    }
}

extension ProcessInquiries.Action {
    var isDelete: Bool {
        if case .delete = self { return true }
        return false
    }
}

// MARK: Forms

/// A case made from an inquiry (D2): the case's fields, the sender, and whom to notify — as posted,
/// and as the inquiry said it before the first edit.
struct InquiryCaseForm: PostedForm, Encodable {
    var subject = "", description = ""
    var selection = CaseSelection()
    var workSiteAddress = "", referenceName = ""
    var senderName = "", senderEmail = "", senderPhone = ""
    var notifyCustomer = false, notifySupplier = false
    /// "Also send SMS" (AP seed: a switch at the bottom of the form); off until switched on.
    var sendSms = false

    /// The posted names (also the names `CaseFromInquiry.Field` gives its problems).
    enum Posted: String, CodingKey {
        case subject, description, workSiteAddress = "work_site_address", referenceName = "reference_name"
        case senderName = "sender_name", senderEmail = "sender_email", senderPhone = "sender_phone"
        case notifyCustomer = "notify_customer", notifySupplier = "notify_supplier", sendSms = "send_sms"
    }
    /// What the page reads (`values.senderName`).
    enum CodingKeys: CodingKey {
        case subject, description, workSiteAddress, referenceName, senderName, senderEmail, senderPhone, notifyCustomer, notifySupplier
        case sendSms
    }

    init(_ inquiry: InquiryRecord) {
        (subject, description) = (inquiry.subject, inquiry.description)
        selection = CaseSelection(category: inquiry.categoryId, type: inquiry.caseTypeId, priority: nil, handler: nil, supplier: nil,
                                  customer: inquiry.customerId, object: inquiry.objectId)
        (workSiteAddress, referenceName) = (inquiry.workSiteAddress ?? "", inquiry.referenceName ?? "")
        (senderName, senderEmail, senderPhone) = (inquiry.senderName, inquiry.senderEmail ?? "", inquiry.senderPhone ?? "")
        notifyCustomer = true
    }

    init(from decoder: any Decoder) throws {
        let posted = try decoder.container(keyedBy: Posted.self)
        subject = try posted.decode(String.self, forKey: .subject)
        description = try posted.decode(String.self, forKey: .description)
        selection = try CaseSelection(from: decoder)
        workSiteAddress = try posted.decode(String.self, forKey: .workSiteAddress)
        referenceName = try posted.decode(String.self, forKey: .referenceName)
        senderName = try posted.decode(String.self, forKey: .senderName)
        senderEmail = try posted.decode(String.self, forKey: .senderEmail)
        senderPhone = try posted.decode(String.self, forKey: .senderPhone)
        notifyCustomer = try posted.decode(Bool.self, forKey: .notifyCustomer)
        notifySupplier = try posted.decode(Bool.self, forKey: .notifySupplier)
        sendSms = try posted.decode(Bool.self, forKey: .sendSms)
    }

    func input(inquiryId: Int, language: Language) -> CaseFromInquiry.Input {
        CaseFromInquiry.Input(
            inquiryId: inquiryId, subject: subject, description: description,
            category: ChosenId(form: selection.category), type: ChosenId(form: selection.type),
            priority: ChosenId(form: selection.priority), handler: ChosenId(form: selection.handler),
            supplier: ChosenId(form: selection.supplier), customer: ChosenId(form: selection.customer),
            object: ChosenId(form: selection.object), workSiteAddress: workSiteAddress, referenceName: referenceName,
            senderName: senderName, senderEmail: senderEmail, senderPhone: senderPhone,
            notifyCustomer: notifyCustomer, notifySupplier: notifySupplier, language: language, sendSms: sendSms)
    }
}

/// "Several at once" on the inbox list: the ticked inquiries (`inquiry_<id>`), the button pressed,
/// whether to tell the senders (and by SMS too), and — for deleting several — whether the confirmation
/// page was answered.
struct InboxBulkForm: PostedForm {
    static var longestValue: Int { 20 }
    var action = ""
    var notifyCustomer = false
    var sendSms = false
    var confirmed = false
    /// The list was limited to the handler's own (`?mine=1`), so "back" returns there.
    var mine = false
    var inquiryIds: [Int] = []

    init(from decoder: any Decoder) throws {
        let posted = try decoder.container(keyedBy: PostedName.self)
        action = try posted.decode(String.self, forKey: PostedName("action"))
        notifyCustomer = try posted.decode(Bool.self, forKey: PostedName("notify_customer"))
        sendSms = try posted.decode(Bool.self, forKey: PostedName("send_sms"))
        confirmed = try posted.decode(Bool.self, forKey: PostedName("confirmed"))
        mine = try posted.decode(Bool.self, forKey: PostedName("mine"))
        inquiryIds = posted.allKeys.compactMap { $0.suffix(after: "inquiry_").flatMap { Int($0) } }.sorted()
    }
}
