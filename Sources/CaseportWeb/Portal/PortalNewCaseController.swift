import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// New case (B4): pick a case type, fill the form, review it on a confirmation page, then confirm.
/// "Cancel" on the confirmation page returns to the form with every value kept.
struct PortalNewCaseController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(PortalRoute.newCase, use: start)
        routes.on(PortalRoute.newCaseReview, use: review)
        routes.on(PortalRoute.newCaseEdit, use: edit)
        routes.on(PortalRoute.newCaseConfirm, use: confirm)
    }

    struct TypeChoice: Encodable {
        var id: Int
        var name: String
        var description: String
        var billable: Bool
    }

    struct TypePage: Encodable {
        var layout: Layout
        var types: [TypeChoice]
        var error: String?
    }

    typealias Option = SelectOption

    struct FieldInput: Encodable {
        var name: String
        var label: String
        var kind: String
        var required: Bool
        var value: String
        var options: [Option]
        var error: String?
    }

    struct Shown: Encodable {
        var label: String
        var value: String
    }

    struct FormPage: Encodable {
        var layout: Layout
        var typeId: String
        var typeName: String?
        var typeDescription: String?
        var billable: Bool
        var values: [String: String]
        var errors: [String: String]
        var hasErrors: Bool
        var fields: [FieldInput]
        var categories: [Option]
        var customers: [Option]
        var objects: [Option]
        var customerFixed: String?
        var objectFixed: String?
        var smsEnabled: Bool
        var copyByEmail: Bool
        var smsOnMessages: Bool
        var person: PersonPicker.Context
        /// For the confirmation page: the values as the reader will see them, and every raw value as a hidden field.
        var summary: [Shown]
        var hidden: [Shown]
    }

    func start(request: Request) async throws -> Response {
        let principal = try request.requirePortal()
        guard CaseCreationRule(for: principal.viewer).mayCreate else { throw Abort(.forbidden) }
        let types = try await CaseTypeRecord.query(on: request.db).filter(\.$isActive == true).sort(\.$sortOrder).all()
        let chosen = (try? request.query.get(String.self, at: "type")).flatMap(Int.init)
        if types.isEmpty || chosen != nil {
            if let chosen, !types.contains(where: { $0.id == chosen }) {
                return try await typePage(request, types: types, error: request.t("new_case_error_type"))
            }
            var values: [String: String] = ["type": chosen.map(String.init) ?? ""]
            values["copy_email"] = principal.user.email ?? ""
            values["sms_phone"] = principal.user.phone ?? ""
            return try await formPage(request, principal: principal, form: NewCaseForm(values: values), errors: [:],
                                      template: "portal/new-case", status: .ok)
        }
        return try await typePage(request, types: types, error: nil)
    }

    func typePage(_ request: Request, types: [CaseTypeRecord], error: String?) async throws -> Response {
        let page = TypePage(layout: Layout(request, title: request.t("new_case_title")),
                            types: types.map { TypeChoice(id: $0.id!, name: $0.name, description: $0.description, billable: $0.isBillable) },
                            error: error)
        let response = try await request.view.render("portal/new-case-type", page).encodeResponse(for: request).get()
        if error != nil { response.status = .unprocessableEntity }
        return response
    }

    func readForm(_ request: Request) -> NewCaseForm {
        NewCaseForm(values: request.formValues())
    }

    /// "Send": check, then show the confirmation page or the form with its problems.
    func review(request: Request) async throws -> Response {
        let principal = try request.requirePortal()
        let form = readForm(request)
        let problems = try await RegisterCase.check(form.input(language: request.language), by: try request.portalMember(),
                                                    in: request.operations)
        guard problems.isEmpty else {
            return try await formPage(request, principal: principal, form: form, errors: request.texts(problems, name: NewCaseForm.name),
                                      template: "portal/new-case", status: .unprocessableEntity)
        }
        return try await formPage(request, principal: principal, form: form, errors: [:], template: "portal/new-case-confirm", status: .ok)
    }

    /// "Cancel" on the confirmation page: back to the form, values kept.
    func edit(request: Request) async throws -> Response {
        let principal = try request.requirePortal()
        return try await formPage(request, principal: principal, form: readForm(request), errors: [:],
                                  template: "portal/new-case", status: .ok)
    }

    /// "Confirm": check again (the page could have been altered) and save.
    func confirm(request: Request) async throws -> Response {
        let principal = try request.requirePortal()
        let form = readForm(request)
        switch try await RegisterCase.run(form.input(language: request.language), by: try request.portalMember(), in: request.operations) {
        case .done(.caseCreated(let number)):
            return request.redirect(to: PortalRoute.`case`, number, notice: .created)
        case .done(.inquirySent(let id)):
            return request.redirect(to: PortalRoute.inquiry, id, notice: .received)
        case .problems(let problems):
            return try await formPage(request, principal: principal, form: form, errors: request.texts(problems, name: NewCaseForm.name),
                                      template: "portal/new-case", status: .unprocessableEntity)
        }
    }

    func formPage(_ request: Request, principal: PortalPrincipal, form: NewCaseForm, errors: [String: String],
                  template: String, status: HTTPResponseStatus) async throws -> Response {
        let setting = try await NewCaseSetting.load(for: try request.portalMember(), typeId: Int(form["type"]), on: request.db)
        let values = form.values
        let fields = setting.fields.map { field -> FieldInput in
            let name = "field_\(field.id!)"
            var options: [Option] = []
            if field.kind == .choice {
                options = field.choiceList.map { Option(value: $0, name: $0, selected: values[name] == $0) }
            } else if field.kind == .yesno {
                options = [Option(value: "yes", name: request.t("answer_yes"), selected: values[name] == "yes"),
                           Option(value: "no", name: request.t("answer_no"), selected: values[name] == "no")]
            }
            return FieldInput(name: name, label: field.label, kind: field.kind.rawValue, required: field.isRequired,
                              value: values[name] ?? "", options: options, error: errors[name])
        }
        func option(_ key: String, _ id: Int?, _ name: String) -> Option {
            Option(value: id.map(String.init) ?? "", name: name, selected: values[key] == id.map(String.init))
        }

        // The confirmation page: what was entered, in words.
        var summary: [Shown] = []
        if let type = setting.caseType { summary.append(Shown(label: request.t("case_type"), value: type.name)) }
        summary.append(Shown(label: request.t("case_subject"), value: form.trimmed("subject")))
        summary.append(Shown(label: request.t("case_description"), value: form.trimmed("description")))
        if let id = Int(form["category"]), let category = setting.categories.first(where: { $0.id == id }) {
            summary.append(Shown(label: request.t("case_category"), value: category.name))
        }
        let customerId = setting.rule.customerFixed ?? Int(form["customer"])
        if let customer = setting.reach.customers.first(where: { $0.id == customerId }) {
            summary.append(Shown(label: request.t("case_customer"), value: customer.name))
        }
        let objectId = setting.rule.objectFixed ?? Int(form["object"])
        if let object = setting.reach.objects.first(where: { $0.id == objectId }) {
            summary.append(Shown(label: request.t("case_object"), value: "\(object.name), \(object.address)"))
        }
        for (label, key) in [("new_case_work_site_address", "work_site_address"), ("new_case_reference_name", "reference_name")]
        where !form.trimmed(key).isEmpty {
            summary.append(Shown(label: request.t(label), value: form.trimmed(key)))
        }
        for field in fields where !field.value.trimmed.isEmpty {
            let shown = field.options.first { $0.value == field.value }?.name ?? field.value
            summary.append(Shown(label: field.label, value: shown))
        }
        if form.checked("copy_by_email") {
            summary.append(Shown(label: request.t("new_case_copy_by_email"), value: form.trimmed("copy_email")))
        }
        if setting.settings.smsEnabled, form.checked("sms_on_messages") {
            summary.append(Shown(label: request.t("new_case_sms_on_messages"), value: form.trimmed("sms_phone")))
        }
        if principal.user.isShared {
            let input = form.personInput
            var who = "\(input.person_first_name ?? "") \(input.person_last_name ?? "")".trimmed
            if let id = Int(input.person ?? ""),
               let person = try await AccountPeople(database: request.db).find(id: id, userId: try principal.user.requireID()) {
                who = person.displayName
            }
            summary.append(Shown(label: request.t("person_who"), value: who))
        }

        let page = FormPage(
            layout: Layout(request, title: request.t(template == "portal/new-case-confirm" ? "new_case_confirm_title" : "new_case_title")),
            typeId: form["type"], typeName: setting.caseType?.name, typeDescription: setting.caseType?.description,
            billable: setting.caseType?.isBillable ?? false, values: values, errors: errors, hasErrors: !errors.isEmpty,
            fields: fields,
            categories: setting.categories.map { option("category", $0.id, $0.name) },
            customers: setting.customers.map { option("customer", $0.id, $0.name) },
            objects: setting.objects.map { option("object", $0.id, "\($0.name) – \($0.address)") },
            customerFixed: setting.customerFixed?.name, objectFixed: setting.objectFixed.map { "\($0.name) – \($0.address)" },
            smsEnabled: setting.settings.smsEnabled,
            copyByEmail: form.checked("copy_by_email"), smsOnMessages: form.checked("sms_on_messages"),
            person: try await PersonPicker.context(request, principal: principal, input: form.personInput),
            summary: summary,
            hidden: values.sorted { $0.key < $1.key }.map { Shown(label: $0.key, value: $0.value) })
        let response = try await request.view.render(template, page).encodeResponse(for: request).get()
        response.status = status
        return response
    }
}
