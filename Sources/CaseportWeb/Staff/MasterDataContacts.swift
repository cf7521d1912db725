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
            try await ObjectRecord.find($0, on: request.db)
        } ?? nil
        func filtered() -> QueryBuilder<ContactRecord> {
            let query = ContactRecord.query(on: request.db)
            if let id = customer?.id {
                query.join(ContactCustomerLink.self, on: \ContactRecord.$id == \ContactCustomerLink.$contactId)
                    .filter(ContactCustomerLink.self, \.$customerId == id)
            }
            if let id = object?.id {
                query.join(ContactObjectLink.self, on: \ContactRecord.$id == \ContactObjectLink.$contactId)
                    .filter(ContactObjectLink.self, \.$objectId == id)
            }
            if !q.isEmpty {
                let like = TextSearch.like(request.db)
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
        try await renderContact(request, target: nil, values: ["is_active": "1"], errors: [:], status: .ok)
    }

    func editContact(request: Request) async throws -> Response {
        guard let target = try await ContactRecord.find(try Self.id(request), on: request.db) else { throw Abort(.notFound) }
        return try await renderContact(request, target: target, values: Self.values(of: target), errors: [:], status: .ok)
    }

    static func values(of contact: ContactRecord) -> [String: String] {
        var values = ["first_name": contact.firstName, "last_name": contact.lastName, "email": contact.email ?? "",
                      "phone": contact.phone ?? ""]
        if contact.isActive { values["is_active"] = "1" }
        return values
    }

    func saveContact(request: Request) async throws -> Response {
        var target: ContactRecord?
        if request.parameters.get("id") != nil {
            guard let found = try await ContactRecord.find(try Self.id(request), on: request.db) else { throw Abort(.notFound) }
            target = found
        }
        let values = request.formValues(longest: 1_000)
        var errors: [String: String] = [:]
        Self.requireText(request, values, "first_name", into: &errors)
        Self.requireText(request, values, "last_name", into: &errors)
        Self.requireText(request, values, "email", into: &errors, limit: InputLimits.email, required: false)
        Self.requireText(request, values, "phone", into: &errors, limit: InputLimits.phone, required: false)
        let email = (values["email"] ?? "").trimmed
        if errors["email"] == nil, !email.isEmpty, !email.looksLikeEmail { errors["email"] = request.t("form_invalid_email") }
        guard errors.isEmpty else {
            return try await renderContact(request, target: target, values: values, errors: errors, status: .unprocessableEntity)
        }
        let record = target ?? ContactRecord()
        var changes = ChangeList()
        changes.compare("first name", target?.firstName, values["first_name"]!.trimmed)
        changes.compare("last name", target?.lastName, values["last_name"]!.trimmed)
        changes.compare("email", target?.email, email.nilIfEmpty)
        changes.compare("phone", target?.phone, values["phone"]?.trimmed.nilIfEmpty)
        let wasActive = target?.isActive ?? true
        record.firstName = values["first_name"]!.trimmed
        record.lastName = values["last_name"]!.trimmed
        record.email = email.nilIfEmpty
        record.phone = values["phone"]?.trimmed.nilIfEmpty
        record.isActive = target == nil ? true : values["is_active"] != nil
        let isNew = target == nil, changeText = changes.text
        try await request.db.transaction { tx in
            try await record.save(on: tx)
            let subject = "contact \(record.id!) \(record.firstName) \(record.lastName)"
            if isNew {
                try await request.audit(.masterDataChanged, subject: subject, details: "created", on: tx)
            } else if let details = changeText {
                try await request.audit(.masterDataChanged, subject: subject, details: details, on: tx)
            }
            if wasActive != record.isActive {
                try await request.audit(.accessChanged, subject: subject, details: record.isActive ? "reactivated" : "deactivated", on: tx)
            }
        }
        return request.redirect(to: StaffRoute.contact, record.id!, notice: target == nil ? .created : .saved)
    }

    func addCustomerLink(request: Request) async throws -> Response {
        guard let contact = try await ContactRecord.find(try Self.id(request), on: request.db) else { throw Abort(.notFound) }
        let number = (request.formValues(longest: 200)["customer_number"] ?? "").trimmed
        guard !number.isEmpty, let customer = try await Self.customer(number: String(number.prefix(50)), on: request.db) else {
            return try await renderContact(request, target: contact, values: Self.values(of: contact), errors: [:],
                                           linkErrors: (number.isEmpty ? request.t("form_required") : request.t("md_error_unknown_customer"), nil),
                                           linkValues: (String(number.prefix(200)), ""), status: .unprocessableEntity)
        }
        try await request.db.transaction { tx in
            let exists = try await ContactCustomerLink.query(on: tx).filter(\.$contactId == contact.id!)
                .filter(\.$customerId == customer.id!).first()
            guard exists == nil else { return }
            try await ContactCustomerLink(contactId: contact.id!, customerId: customer.id!).create(on: tx)
            try await request.audit(.accessChanged, subject: "contact \(contact.id!) \(contact.firstName) \(contact.lastName)",
                                    details: "linked to customer \(customer.customerNumber)", on: tx)
        }
        return request.redirect(to: StaffRoute.contact, contact.id!, notice: .saved, fragment: "links-heading")
    }

    func removeCustomerLink(request: Request) async throws -> Response {
        guard let contact = try await ContactRecord.find(try Self.id(request), on: request.db) else { throw Abort(.notFound) }
        let customerId = try Self.id(request, "linked")
        try await request.db.transaction { tx in
            guard let link = try await ContactCustomerLink.query(on: tx).filter(\.$contactId == contact.id!)
                .filter(\.$customerId == customerId).first() else { return }
            try await link.delete(on: tx)
            let number = try await CustomerRecord.find(customerId, on: tx)?.customerNumber ?? String(customerId)
            try await request.audit(.accessChanged, subject: "contact \(contact.id!) \(contact.firstName) \(contact.lastName)",
                                    details: "unlinked from customer \(number)", on: tx)
        }
        return request.redirect(to: StaffRoute.contact, contact.id!, notice: .saved, fragment: "links-heading")
    }

    func addObjectLink(request: Request) async throws -> Response {
        guard let contact = try await ContactRecord.find(try Self.id(request), on: request.db) else { throw Abort(.notFound) }
        let typed = (request.formValues(longest: 200)["object_id"] ?? "").trimmed
        let object = try await Int(typed.prefix(12)).asyncMap { try await ObjectRecord.find($0, on: request.db) } ?? nil
        guard let object else {
            return try await renderContact(request, target: contact, values: Self.values(of: contact), errors: [:],
                                           linkErrors: (nil, typed.isEmpty ? request.t("form_required") : request.t("md_error_unknown_object")),
                                           linkValues: ("", String(typed.prefix(200))), status: .unprocessableEntity)
        }
        try await request.db.transaction { tx in
            let exists = try await ContactObjectLink.query(on: tx).filter(\.$contactId == contact.id!)
                .filter(\.$objectId == object.id!).first()
            guard exists == nil else { return }
            try await ContactObjectLink(contactId: contact.id!, objectId: object.id!).create(on: tx)
            try await request.audit(.accessChanged, subject: "contact \(contact.id!) \(contact.firstName) \(contact.lastName)",
                                    details: "linked to object \(object.id!) \(object.name)", on: tx)
        }
        return request.redirect(to: StaffRoute.contact, contact.id!, notice: .saved, fragment: "links-heading")
    }

    func removeObjectLink(request: Request) async throws -> Response {
        guard let contact = try await ContactRecord.find(try Self.id(request), on: request.db) else { throw Abort(.notFound) }
        let objectId = try Self.id(request, "linked")
        try await request.db.transaction { tx in
            guard let link = try await ContactObjectLink.query(on: tx).filter(\.$contactId == contact.id!)
                .filter(\.$objectId == objectId).first() else { return }
            try await link.delete(on: tx)
            try await request.audit(.accessChanged, subject: "contact \(contact.id!) \(contact.firstName) \(contact.lastName)",
                                    details: "unlinked from object \(objectId)", on: tx)
        }
        return request.redirect(to: StaffRoute.contact, contact.id!, notice: .saved, fragment: "links-heading")
    }

    func renderContact(_ request: Request, target: ContactRecord?, values: [String: String], errors: [String: String],
                       linkErrors: (String?, String?) = (nil, nil), linkValues: (String, String) = ("", ""),
                       status: HTTPResponseStatus) async throws -> Response {
        var fields: [MasterDataPages.Field] = [
            .init(name: "first_name", label: request.t("person_first_name"), value: values["first_name"] ?? "",
                  error: errors["first_name"], required: true),
            .init(name: "last_name", label: request.t("person_last_name"), value: values["last_name"] ?? "",
                  error: errors["last_name"], required: true),
            .init(name: "email", label: request.t("md_email"), kind: "email", value: values["email"] ?? "", error: errors["email"],
                  maxLength: InputLimits.email),
            .init(name: "phone", label: request.t("md_phone"), kind: "tel", value: values["phone"] ?? "", error: errors["phone"],
                  maxLength: InputLimits.phone),
        ]
        var section: MasterDataPages.LinkSection?
        var related: [MasterDataPages.Related] = []
        if let target, let id = target.id {
            fields.append(.init(name: "is_active", label: request.t("md_active_label"), kind: "checkbox",
                                checked: values["is_active"] != nil))
            // A contact has a handful of links; 200 is a guard, not a page size.
            let customerIds = try await ContactCustomerLink.query(on: request.db).filter(\.$contactId == id).limit(200).all().map(\.customerId)
            let objectIds = try await ContactObjectLink.query(on: request.db).filter(\.$contactId == id).limit(200).all().map(\.objectId)
            let customers = try await CustomerRecord.query(on: request.db).filter(\.$id ~~ customerIds).sort(\.$name).all()
            let objects = try await ObjectRecord.query(on: request.db).filter(\.$id ~~ objectIds).sort(\.$name).all()
            section = .init(
                customers: customers.map { .init(text: "\($0.name) (\($0.customerNumber))", href: StaffRoute.customer.path($0.id!),
                                                removeAction: StaffRoute.contactCustomerRemove.path(id, $0.id!)) },
                objects: objects.map { .init(text: "\($0.name), \($0.address) (#\($0.id!))", href: StaffRoute.object.path($0.id!),
                                            removeAction: StaffRoute.contactObjectRemove.path(id, $0.id!)) },
                addCustomerAction: StaffRoute.contactCustomerAdd.path(id), addObjectAction: StaffRoute.contactObjectAdd.path(id),
                customerError: linkErrors.0, objectError: linkErrors.1, customerValue: linkValues.0, objectValue: linkValues.1)
            let user = try await PortalUserRecord.query(on: request.db).filter(\.$contactId == id).first()
            if let user { related.append(.init(href: StaffRoute.portalUser.path(user.id!), label: request.t("md_related_portal_user"))) }
        }
        let page = MasterDataPages.FormPage(
            layout: Layout(request, title: target.map { "\($0.firstName) \($0.lastName)" } ?? request.t("md_add_contact"), area: "staff"),
            tabs: MasterDataPages.tabs(request, current: "contacts"),
            backLink: StaffRoute.contacts.path(), backLabel: request.t("md_contacts"),
            action: target.map { StaffRoute.contactSubmit.path($0.id!) } ?? StaffRoute.newContactSubmit.path(),
            fields: fields, hasErrors: !errors.isEmpty || linkErrors.0 != nil || linkErrors.1 != nil,
            notice: request.notice([.created, .saved], prefix: "md_notice_"), related: related, linkSection: section)
        return try await MasterDataPages.render(request, page, status: status)
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
