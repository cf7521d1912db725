import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// Contacts and their links to customers and objects (A7 reads these links: a link decides what a
/// contact's portal user sees, so adding or removing one is an access change in the audit log).
extension MasterDataController {
    func contacts(request: Request) async throws -> View {
        let q = request.searchText
        let customer = try await Self.customerFilter(request)
        let object: ObjectRecord? = try await (try? request.query.get(Int.self, at: "object")).asyncMap {
            try await ObjectRecord.find($0, on: request.database)
        } ?? nil
        func filtered() -> QueryBuilder<ContactRecord> {
            let query = ContactRecord.query(on: request.database)
            if let id = customer?.id {
                query.join(ContactCustomerLink.self, on: \ContactRecord.$id == \ContactCustomerLink.$contactId)
                    .filter(ContactCustomerLink.self, \.$customerId == id)
            }
            if let id = object?.id {
                query.join(ContactObjectLink.self, on: \ContactRecord.$id == \ContactObjectLink.$contactId)
                    .filter(ContactObjectLink.self, \.$objectId == id)
            }
            if !q.isEmpty {
                let like = TextSearch.like(request.database)
                let words = q.split(separator: " ").map(String.init)
                query.group(.or) { group in
                    group.filter(\.$firstName, like, TextSearch.pattern(q)).filter(\.$lastName, like, TextSearch.pattern(q))
                        .filter(\.$email, like, TextSearch.pattern(q)).filter(\.$phone, like, TextSearch.pattern(q))
                    // "Anna Berg": first name and last name.
                    if words.count == 2 {
                        group.group(.and) {
                            $0.filter(\.$firstName, like, TextSearch.pattern(words[0])).filter(\.$lastName, like, TextSearch.pattern(words[1]))
                        }
                    }
                }
            }
            return query
        }
        var keep = ["q": q]
        if let id = customer?.id { keep["customer"] = String(id) }
        if let id = object?.id { keep["object"] = String(id) }
        let paging = Paging(request, total: try await filtered().count(), route: StaffRoute.contacts, query: keep)
        let records = try await filtered().sort(\.$lastName).sort(\.$firstName).sort(\.$id)
            .range(paging.offset ..< paging.offset + Paging.listPageSize).all()
        let headers = ["md_name", "md_email", "md_phone", "md_active"].map(request.t)
        var hidden: [SelectOption] = []
        if let id = customer?.id { hidden.append(.init(value: "customer", name: String(id), selected: true)) }
        if let id = object?.id { hidden.append(.init(value: "object", name: String(id), selected: true)) }
        let note = [customer.map { "\(request.t("md_customer")): \($0.name) (\($0.customerNumber))" },
                    object.map { "\(request.t("md_object")): \($0.name)" }].compactMap { $0 }.joined(separator: " · ")
        let page = MasterDataPages.ListPage(
            layout: Layout(request, title: request.t("md_contacts"), area: "staff"),
            tabs: MasterDataPages.tabs(request, current: "contacts"), path: StaffRoute.contacts.path(),
            addLink: StaffRoute.newContact.path(), addLabel: request.t("md_add_contact"), q: q,
            searchLabel: request.t("md_search_contacts"), hidden: hidden, filterNote: note.isEmpty ? nil : note,
            headers: headers,
            rows: records.map {
                .init(id: $0.id!, headers: headers, cells: [
                    .init(text: "\($0.lastName), \($0.firstName)", link: StaffRoute.contact.path($0.id!)),
                    .init(text: $0.email ?? ""), .init(text: $0.phone ?? ""), Self.activeCell(request, $0.isActive),
                ])
            },
            paging: paging, notice: request.notice([.created, .saved], prefix: "md_notice_"))
        return try await request.view.render("staff/md-list", page)
    }

    func newContact(request: Request) async throws -> Response {
        try await renderContact(request, target: nil, form: ContactForm(), errors: [:], status: .ok)
    }

    func editContact(request: Request) async throws -> Response {
        guard let target = try await ContactRecord.find(try Self.id(request), on: request.database) else { throw Abort(.notFound) }
        return try await renderContact(request, target: target, form: ContactForm(target), errors: [:], status: .ok)
    }

    func saveContact(request: Request) async throws -> Response {
        var target: ContactRecord?
        if request.parameters.get("id") != nil {
            guard let found = try await ContactRecord.find(try Self.id(request), on: request.database) else { throw Abort(.notFound) }
            target = found
        }
        let form = try request.form(ContactForm.self)
        switch try await SaveContact.run(form.input(contactId: try target?.requireID()), by: try request.staffMember(),
                                         in: request.operations) {
        case .done(let saved):
            return request.redirect(to: StaffRoute.contact, saved.contactId, notice: saved.created ? .created : .saved)
        case .problems(let problems):
            return try await renderContact(request, target: target, form: form, errors: request.texts(problems), status: .unprocessableEntity)
        }
    }

    func addCustomerLink(request: Request) async throws -> Response {
        let form = try request.form(ContactLinkForm.self)
        return try await changeLink(request, form: form, .customer(number: form.customerNumber))
    }

    func addObjectLink(request: Request) async throws -> Response {
        let form = try request.form(ContactLinkForm.self)
        return try await changeLink(request, form: form, .object(id: form.objectId))
    }

    func removeCustomerLink(request: Request) async throws -> Response {
        try await removeLink(request, .customer(try Self.id(request, "linked")))
    }

    func removeObjectLink(request: Request) async throws -> Response {
        try await removeLink(request, .object(try Self.id(request, "linked")))
    }

    private func changeLink(_ request: Request, form: ContactLinkForm, _ link: LinkContact.Link) async throws -> Response {
        guard let contact = try await ContactRecord.find(try Self.id(request), on: request.database) else { throw Abort(.notFound) }
        let contactId = try contact.requireID()
        switch try await LinkContact.add(link, toContact: contactId, by: try request.staffMember(), in: request.operations) {
        case .done:
            return request.redirect(to: StaffRoute.contact, contactId, notice: .saved, fragment: "links-heading")
        case .problems(let problems):
            // The contact's own form shows what is stored; the link form keeps what was typed.
            let errors = request.texts(problems)
            return try await renderContact(request, target: contact, form: ContactForm(contact), errors: [:], link: form,
                                           linkErrors: errors, status: .unprocessableEntity)
        }
    }

    private func removeLink(_ request: Request, _ linked: LinkContact.Linked) async throws -> Response {
        let contactId = try Self.id(request)
        // Issue 12 point 7: removing a link asks first, naming both ends.
        guard ConfirmStep.isConfirmed(request) else {
            guard let contact = try await ContactRecord.find(contactId, on: request.database) else { throw Abort(.notFound) }
            let other: String
            switch linked {
            case .customer(let id): other = try await CustomerRecord.find(id, on: request.database)?.name ?? "–"
            case .object(let id): other = try await ObjectRecord.find(id, on: request.database)?.name ?? "–"
            }
            return try await ConfirmStep.staff(
                request, titleKey: "confirm_unlink_title",
                question: request.t("confirm_unlink_link_question").replacingOccurrences(of: "{name}", with: contact.displayName)
                    .replacingOccurrences(of: "{other}", with: other),
                button: request.t("confirm_unlink_button"), cancelHref: StaffRoute.contact.path(contactId, fragment: "links-heading"))
        }
        // An unknown contact is `OperationError.notFound`, a 404 page (ErrorPageMiddleware).
        try await LinkContact.remove(linked, fromContact: contactId, by: try request.staffMember(), in: request.operations)
        return request.redirect(to: StaffRoute.contact, contactId, notice: .saved, fragment: "links-heading")
    }

    /// - Parameters:
    ///   - link: the link form as typed, with `linkErrors` by its field names, when adding a link failed.
    func renderContact(_ request: Request, target: ContactRecord?, form: ContactForm, errors: [String: String],
                       link: ContactLinkForm = ContactLinkForm(), linkErrors: [String: String] = [:],
                       status: HTTPResponseStatus) async throws -> Response {
        var fields: [MasterDataPages.Field] = [
            .init(name: "first_name", label: request.t("person_first_name"), value: form.firstName,
                  error: errors["first_name"], required: true),
            .init(name: "last_name", label: request.t("person_last_name"), value: form.lastName,
                  error: errors["last_name"], required: true),
            .init(name: "email", label: request.t("md_email"), kind: "email", value: form.email, error: errors["email"],
                  maxLength: InputLimits.email),
            .init(name: "phone", label: request.t("md_phone"), kind: "tel", value: form.phone, error: errors["phone"],
                  maxLength: InputLimits.phone),
        ]
        var section: MasterDataPages.LinkSection?
        var related: [MasterDataPages.Related] = []
        if let target, let id = target.id {
            fields.append(.init(name: "is_active", label: request.t("md_active_label"), kind: "checkbox",
                                checked: form.isActive))
            // A contact has a handful of links; 200 is a guard, not a page size.
            let customerIds = try await ContactCustomerLink.query(on: request.database).filter(\.$contactId == id).limit(200).all().map(\.customerId)
            let objectIds = try await ContactObjectLink.query(on: request.database).filter(\.$contactId == id).limit(200).all().map(\.objectId)
            let customers = try await CustomerRecord.query(on: request.database).filter(\.$id ~~ customerIds).sort(\.$name).all()
            let objects = try await ObjectRecord.query(on: request.database).filter(\.$id ~~ objectIds).sort(\.$name).all()
            section = .init(
                customers: customers.map { .init(text: "\($0.name) (\($0.customerNumber))", href: StaffRoute.customer.path($0.id!),
                                                removeAction: StaffRoute.contactCustomerRemove.path(id, $0.id!)) },
                objects: objects.map { .init(text: "\($0.name), \($0.address) (#\($0.id!))", href: StaffRoute.object.path($0.id!),
                                            removeAction: StaffRoute.contactObjectRemove.path(id, $0.id!)) },
                addCustomerAction: StaffRoute.contactCustomerAdd.path(id), addObjectAction: StaffRoute.contactObjectAdd.path(id),
                customerError: linkErrors[LinkContact.Field.customerNumber.rawValue],
                objectError: linkErrors[LinkContact.Field.objectId.rawValue],
                customerValue: String(link.customerNumber.trimmed.prefix(200)), objectValue: String(link.objectId.trimmed.prefix(200)))
            let user = try await PortalUserRecord.query(on: request.database).filter(\.$contactId == id).first()
            if let user { related.append(.init(href: StaffRoute.portalUser.path(user.id!), label: request.t("md_related_portal_user"))) }
        }
        let page = MasterDataPages.FormPage(
            layout: Layout(request, title: target.map { "\($0.firstName) \($0.lastName)" } ?? request.t("md_add_contact"), area: "staff"),
            tabs: MasterDataPages.tabs(request, current: "contacts"),
            backLink: StaffRoute.contacts.path(), backLabel: request.t("md_contacts"),
            action: target.map { StaffRoute.contactSubmit.path($0.id!) } ?? StaffRoute.newContactSubmit.path(),
            fields: fields, hasErrors: !errors.isEmpty || !linkErrors.isEmpty,
            notice: request.notice([.created, .saved], prefix: "md_notice_"), related: related, linkSection: section)
        return try await MasterDataPages.render(request, page, status: status)
    }
}

/// The contact form (D6), as posted and as shown again.
struct ContactForm: PostedForm {
    static var longestValue: Int { 1_000 }
    var firstName = "", lastName = "", email = "", phone = "", isActive = true

    enum CodingKeys: String, CodingKey {
        case firstName = "first_name", lastName = "last_name", email, phone, isActive = "is_active"
    }

    init() {}

    init(_ contact: ContactRecord) {
        (firstName, lastName, email, phone) = (contact.firstName, contact.lastName, contact.email ?? "", contact.phone ?? "")
        isActive = contact.isActive
    }

    func input(contactId: Int?) -> SaveContact.Input {
        SaveContact.Input(contactId: contactId, firstName: firstName, lastName: lastName, email: email, phone: phone, isActive: isActive)
    }
}

/// The contact page's two small link forms (a customer number, an object id), as posted and shown again.
struct ContactLinkForm: PostedForm {
    static var longestValue: Int { 200 }
    var customerNumber = "", objectId = ""

    enum CodingKeys: String, CodingKey {
        case customerNumber = "customer_number", objectId = "object_id"
    }

    init() {}
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
