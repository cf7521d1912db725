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
        // Photos and files may come with "Confirm" (issue 12 point 5): multipart, streamed like every upload.
        routes.on(PortalRoute.newCaseConfirm, body: .stream, use: confirm).acceptsMultipart()
        routes.on(PortalRoute.newCaseReceipt, use: receipt)
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
        /// "Back" to the case list as the user left it (issue 11 point 8).
        var backLink: String
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
        /// A date field's format in the page's language (A3), e.g. "DD.MM.ÅÅÅÅ".
        var pattern: String?
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
        /// The form as typed.
        var values: NewCaseForm
        var errors: [String: String]
        var hasErrors: Bool
        /// Issue 12: the summary of what failed, each line linking to its field.
        var errorSummary: [ErrorLink]?
        var fields: [FieldInput]
        var categories: [Option]
        var customers: [Option]
        var objects: [Option]
        var customerFixed: String?
        var objectFixed: String?
        /// "object id:customer id" pairs, so choosing an object can set its customer (Public/js/new-case.js;
        /// without JavaScript the server derives the customer from the object).
        var objectCustomers: String
        var smsEnabled: Bool
        var copyByEmail: Bool
        var smsOnMessages: Bool
        var person: PersonPicker.Context
        /// For the confirmation page: the values as the reader will see them, and every raw value as a hidden field.
        var summary: [Shown]
        var hidden: [Shown]
        /// D5: the deployment's "mandatory" settings, marked on the form (the operation enforces them).
        var required: Required
        /// The confirmation page's photo and file field (issue 12 point 5): its size limit.
        var maxUploadMegabytes = UploadReceiver.maximumFileBytes / 1_048_576
    }

    struct Required: Encodable {
        var category: Bool, customer: Bool, object: Bool
    }

    func start(request: Request) async throws -> Response {
        let principal = try request.requirePortal()
        guard CaseCreationRule(for: principal.viewer).mayCreate else { throw Abort(.forbidden) }
        let types = try await request.newCaseCatalogue().types
        let chosen = (try? request.query.get(String.self, at: "type")).flatMap(Int.init)
        if types.isEmpty || chosen != nil {
            if let chosen, !types.contains(where: { $0.id == chosen }) {
                return try await typePage(request, types: types, error: request.t("new_case_error_type"))
            }
            var form = NewCaseForm()
            form.type = chosen.map(String.init) ?? ""
            // A8: a shared account's copy goes to the person chosen on the form (an empty field), not the account.
            form.copyEmail = principal.user.isShared ? "" : (principal.user.email ?? "")
            form.smsPhone = principal.user.phone ?? ""
            // Issue 12: a user with exactly one customer or object to choose gets it filled in.
            let setting = try await request.newCaseSetting(typeId: chosen)
            if setting.customers.count == 1, let only = setting.customers.first?.id { form.customer = String(only) }
            if setting.objects.count == 1, let only = setting.objects.first {
                form.object = String(only.id)
                // …and the customer follows from the object.
                if form.customer.isEmpty, setting.customers.contains(where: { $0.id == only.customerId }) {
                    form.customer = String(only.customerId)
                }
            }
            return try await formPage(request, principal: principal, form: form, errors: [:], template: "portal/new-case", status: .ok,
                                      setting: setting)
        }
        return try await typePage(request, types: types, error: nil)
    }

    func typePage(_ request: Request, types: [NewCaseChoices.CaseType], error: String?) async throws -> Response {
        let names = try await request.catalogueNames()  // issue 12: the reader's language, else the default name
        let page = TypePage(layout: Layout(request, title: request.t("new_case_title")),
                            types: types.map {
                                TypeChoice(id: $0.id, name: names.name(.caseType, $0.id, $0.name, in: request.language),
                                           description: $0.description, billable: $0.isBillable)
                            },
                            error: error, backLink: ListReturn.cases.backLink(request))
        let response = try await request.view.render("portal/new-case-type", page).encodeResponse(for: request).get()
        if error != nil { response.status = .unprocessableEntity }
        return response
    }

    /// "Send": check, then show the confirmation page or the form with its problems.
    func review(request: Request) async throws -> Response {
        let principal = try request.requirePortal()
        let form = try request.form(NewCaseForm.self)
        // One read of the setting for the check and the page that follows (issue 17 point 5: it was read twice).
        let member = try request.portalMember()
        let setting = try await request.newCaseSetting(typeId: form.typeId)
        let problems = try await RegisterCase.check(form.input(language: request.language), setting: setting, by: member,
                                                    in: request.operations)
        guard problems.isEmpty else {
            return try await formPage(request, principal: principal, form: form, errors: request.texts(problems, name: NewCaseForm.name),
                                      template: "portal/new-case", status: .unprocessableEntity, setting: setting)
        }
        return try await formPage(request, principal: principal, form: form, errors: [:], template: "portal/new-case-confirm", status: .ok,
                                  setting: setting)
    }

    /// "Cancel" on the confirmation page: back to the form, values kept.
    func edit(request: Request) async throws -> Response {
        let principal = try request.requirePortal()
        return try await formPage(request, principal: principal, form: try request.form(NewCaseForm.self), errors: [:],
                                  template: "portal/new-case", status: .ok)
    }

    /// "Confirm": check again (the page could have been altered) and save. The confirmation page's form
    /// is multipart when it carries photos or files (issue 12 point 5); they are stored through
    /// `UploadIntake` and attached to the new case. A refused upload (too large, too many) shows the
    /// confirmation page again with everything typed kept and nothing created.
    func confirm(request: Request) async throws -> Response {
        let principal = try request.requirePortal()
        guard CSRFMiddleware.isMultipart(request) else {
            return try await register(request, principal: principal, form: try request.form(NewCaseForm.self), files: [])
        }
        var answer: Response?
        do {
            try await UploadIntake.store(request, filesRequired: false) { fields, stored in
                answer = try await register(request, principal: principal,
                                            form: try NewCaseForm(from: FormValueDecoder(values: fields)), files: stored)
            }
        } catch let refused as UploadIntake.Refused {
            let form = (try? NewCaseForm(from: FormValueDecoder(values: refused.fields))) ?? NewCaseForm()
            return try await formPage(request, principal: principal, form: form, errors: ["files": request.t(refused.key)],
                                      template: "portal/new-case-confirm", status: refused.status)
        }
        guard let answer else { throw Abort(.internalServerError) }
        return answer
    }

    func register(_ request: Request, principal: PortalPrincipal, form: NewCaseForm,
                  files: [AttachUploadedFiles.StoredUpload]) async throws -> Response {
        switch try await RegisterCase.run(form.input(language: request.language), by: try request.portalMember(), in: request.operations,
                                          catalogue: try await request.newCaseCatalogue(),
                                          reach: try await request.newCaseReach(principal)) {
        case .done(.caseCreated(let number)):
            // A7: a user without a contact may create cases but sees none; they get a receipt instead of a 404.
            // (The case's id, number and subject under the access rule: issue 17 point 5, not its whole detail.)
            guard try await VisibleCases(database: request.database).target(number: number, for: principal.visibility) != nil else {
                await Self.discard(files, request: request)  // nobody could see them on the case
                return request.redirect(to: PortalRoute.newCaseReceipt, query: [("number", String(number))])
            }
            if !files.isEmpty {
                do {
                    _ = try await AttachUploadedFiles.run(.init(caseNumber: number, files: files, language: request.language,
                                                                author: form.person.choice),
                                                          by: try request.portalMember(), in: request.operations)
                } catch {
                    // The case exists; its files did not make it. Nothing may point at half-kept bytes.
                    request.logger.warning("new case \(number): files not attached: \(error)")
                    await Self.discard(files, request: request)
                }
            }
            let response = request.redirect(to: PortalRoute.`case`, number, notice: .created)
            PersonPicker.remember(form.person.choice, on: response, request: request)
            return response
        case .done(.inquirySent(let id)):
            return request.redirect(to: PortalRoute.inquiry, id, notice: .received)
        case .problems(let problems):
            // Chosen files are not kept: the form page cannot hold them; the confirmation page asks again.
            await Self.discard(files, request: request)
            return try await formPage(request, principal: principal, form: form, errors: request.texts(problems, name: NewCaseForm.name),
                                      template: "portal/new-case", status: .unprocessableEntity)
        }
    }

    static func discard(_ files: [AttachUploadedFiles.StoredUpload], request: Request) async {
        for file in files { try? await request.caseport.storage.delete(key: file.storageKey) }
    }

    struct ReceiptPage: Encodable {
        var layout: Layout
        var number: Int
        var text: String
    }

    /// The receipt after Confirm for a user who cannot open the case (A7: no contact). It shows only the
    /// number in its own address, so it tells nobody anything about any case.
    func receipt(request: Request) async throws -> View {
        _ = try request.requirePortal()
        guard let number = (try? request.query.get(String.self, at: "number")).flatMap(Int.init), number > 0 else {
            throw Abort(.notFound)
        }
        let page = ReceiptPage(layout: Layout(request, title: request.t("new_case_receipt_title")), number: number,
                               text: request.t("new_case_receipt_text").replacingOccurrences(of: "{number}", with: String(number)))
        return try await request.view.render("portal/new-case-receipt", page)
    }

    /// The form's fields in page order (each error key is its field's id), for the error summary.
    static func errorAnchors(_ fields: [FieldInput]) -> [ErrorSummary.Anchor] {
        let before: [ErrorSummary.Anchor] = [
            .init("person", "person", label: "person_pick"), .init("person_first_name", "person_first_name", label: "person_first_name"),
            .init("person_last_name", "person_last_name", label: "person_last_name"), .init("person_email", "person_email", label: "person_email"),
            .init("subject", "subject", label: "case_subject"), .init("description", "description", label: "case_description"),
        ]
        let after: [ErrorSummary.Anchor] = [
            .init("category", "category", label: "case_category"), .init("customer", "customer", label: "case_customer"),
            .init("object", "object", label: "case_object"), .init("work_site_address", "work_site_address", label: "new_case_work_site_address"),
            .init("reference_name", "reference_name", label: "new_case_reference_name"),
            .init("copy_email", "copy_email", label: "new_case_copy_by_email"), .init("sms_phone", "sms_phone", label: "new_case_sms_on_messages"),
        ]
        return before + fields.map { ErrorSummary.Anchor($0.name, $0.name) } + after
    }

    /// `setting`: the one the caller already read for `form.typeId` in this request, else read here.
    func formPage(_ request: Request, principal: PortalPrincipal, form: NewCaseForm, errors: [String: String],
                  template: String, status: HTTPResponseStatus, setting loaded: NewCaseSetting? = nil) async throws -> Response {
        let setting: NewCaseSetting
        if let loaded { setting = loaded } else { setting = try await request.newCaseSetting(typeId: form.typeId) }
        let names = try await request.catalogueNames(), language = request.language  // issue 12
        let typeName = setting.caseType.map { names.name(.caseType, $0.id, $0.name, in: language) }
        let fields = setting.fields.map { field -> FieldInput in
            let name = NewCaseForm.fieldName(field.id), value = form.typeFields[field.id] ?? ""
            var options: [Option] = []
            if field.kind == .choice {
                options = field.choiceList.map { Option(value: $0, name: $0, selected: value == $0) }
            } else if field.kind == .yesno {
                options = [Option(value: "yes", name: request.t("answer_yes"), selected: value == "yes"),
                           Option(value: "no", name: request.t("answer_no"), selected: value == "no")]
            }
            // A date is shown and typed as the page's language writes it (A3); the operation stores yyyy-mm-dd.
            let shownValue = field.kind == .date ? request.language.parseDay(value).map { request.language.formatDay($0) } ?? value : value
            return FieldInput(name: name, label: names.name(.typeField, field.id, field.label, in: language), kind: field.kind.rawValue, required: field.isRequired,
                              value: shownValue, options: options, error: errors[name],
                              pattern: field.kind == .date ? request.t(request.language.dayPatternKey) : nil)
        }
        func option(_ chosen: String, _ id: Int?, _ name: String) -> Option {
            Option(value: id.map(String.init) ?? "", name: name, selected: chosen == id.map(String.init))
        }

        // The confirmation page: what was entered, in words.
        var summary: [Shown] = []
        if let typeName { summary.append(Shown(label: request.t("case_type"), value: typeName)) }
        summary.append(Shown(label: request.t("case_subject"), value: form.subject.trimmed))
        summary.append(Shown(label: request.t("case_description"), value: form.description.trimmed))
        if let id = Int(form.category), let category = setting.categories.first(where: { $0.id == id }) {
            summary.append(Shown(label: request.t("case_category"), value: names.name(.category, category.id, category.name, in: language)))
        }
        let objectId = setting.rule.objectFixed ?? Int(form.object)
        let chosenObject = setting.reach.objects.first(where: { $0.id == objectId })
        // Issue 12 point 5: with no customer chosen, the customer follows from the object (as `RegisterCase` does).
        let customerId = setting.rule.customerFixed ?? Int(form.customer) ?? chosenObject?.customerId
        if let customer = setting.reach.customers.first(where: { $0.id == customerId }) {
            summary.append(Shown(label: request.t("case_customer"), value: customer.name))
        }
        if let object = chosenObject {
            summary.append(Shown(label: request.t("case_object"), value: "\(object.name), \(object.address)"))
        }
        // The form shown again (after problems or "Change") selects the object's customer when none was chosen.
        let shownCustomer = form.customer.isEmpty ? chosenObject.map { String($0.customerId) } ?? "" : form.customer
        if !form.workSiteAddress.trimmed.isEmpty {
            summary.append(Shown(label: request.t("new_case_work_site_address"), value: form.workSiteAddress.trimmed))
        }
        if !form.referenceName.trimmed.isEmpty {
            summary.append(Shown(label: request.t("new_case_reference_name"), value: form.referenceName.trimmed))
        }
        for field in fields where !field.value.trimmed.isEmpty {
            let shown = field.options.first { $0.value == field.value }?.name ?? field.value
            summary.append(Shown(label: field.label, value: shown))
        }
        if form.copyByEmail {
            summary.append(Shown(label: request.t("new_case_copy_by_email"), value: form.copyEmail.trimmed))
        }
        if setting.settings.smsEnabled, form.smsOnMessages {
            summary.append(Shown(label: request.t("new_case_sms_on_messages"), value: form.smsPhone.trimmed))
        }
        if principal.user.isShared {
            let input = form.person
            var who = "\(input.person_first_name ?? "") \(input.person_last_name ?? "")".trimmed
            if let id = Int(input.person ?? ""),
               let person = try await AccountPeople(database: request.database).find(id: id, userId: try principal.user.requireID()) {
                who = person.displayName
            }
            summary.append(Shown(label: request.t("person_who"), value: who))
        }

        let page = FormPage(
            layout: Layout(request, title: request.t(template == "portal/new-case-confirm" ? "new_case_confirm_title" : "new_case_title")),
            typeId: form.type, typeName: typeName, typeDescription: setting.caseType?.description,
            billable: setting.caseType?.isBillable ?? false, values: form, errors: errors, hasErrors: !errors.isEmpty,
            errorSummary: ErrorSummary.links(errors, anchors: Self.errorAnchors(fields), request: request),
            fields: fields,
            categories: setting.categories.map { option(form.category, $0.id, names.name(.category, $0.id, $0.name, in: language)) },
            customers: setting.customers.map { option(shownCustomer, $0.id, $0.name) },
            objects: setting.objects.map { option(form.object, $0.id, "\($0.name) – \($0.address)") },
            customerFixed: setting.customerFixed?.name, objectFixed: setting.objectFixed.map { "\($0.name) – \($0.address)" },
            objectCustomers: setting.objects.map { "\($0.id):\($0.customerId)" }.joined(separator: ","),
            smsEnabled: setting.settings.smsEnabled,
            copyByEmail: form.copyByEmail, smsOnMessages: form.smsOnMessages,
            person: try await PersonPicker.context(request, principal: principal, input: form.person),
            summary: summary,
            hidden: form.hiddenFields.map { Shown(label: $0.name, value: $0.value) },
            required: Required(category: setting.settings.categoryRequired && !setting.categories.isEmpty,
                               customer: setting.settings.customerRequired, object: setting.settings.objectRequired))
        let response = try await request.view.render(template, page).encodeResponse(for: request).get()
        response.status = status
        return response
    }
}

extension Request {
    /// The new-case form's active case types, their fields and the categories: kept at the change stamp
    /// (`StampedCache`; `case_types`, `case_type_fields` and `categories` raise it, so every server reads
    /// them again on its next request after a change), read when the request has no stamp.
    func newCaseCatalogue() async throws -> NewCaseChoices.Catalogue {
        guard let stamp = changeStamp else { return try await NewCaseChoices.Catalogue.load(on: database) }
        if let kept = caseport.newCaseCatalogue.value(for: "", at: stamp) { return kept }
        let catalogue = try await NewCaseChoices.Catalogue.load(on: database)
        caseport.newCaseCatalogue.store(catalogue, for: "", at: stamp)
        return catalogue
    }

    /// The customers and objects within the user's reach, kept per user at the change stamp as the user
    /// (`PortalSessionMiddleware`) is: `customers`, `objects` and the access links all raise it.
    func newCaseReach(_ principal: PortalPrincipal) async throws -> NewCaseChoices.Reach {
        guard let stamp = changeStamp, let userId = principal.user.id else {
            return try await NewCaseChoices.Reach.of(principal.visibility, on: database)
        }
        let key = String(userId)
        if let kept = caseport.newCaseReach.value(for: key, at: stamp) { return kept }
        let reach = try await NewCaseChoices.Reach.of(principal.visibility, on: database)
        caseport.newCaseReach.store(reach, for: key, at: stamp)
        return reach
    }

    /// Everything the new-case form is shown and checked with for the signed-in user and this type, from
    /// what this request and this server already have (the frame's settings, the kept catalogue and reach).
    func newCaseSetting(typeId: Int?) async throws -> NewCaseSetting {
        let principal = try requirePortal()
        return try await NewCaseSetting.load(for: try portalMember(), typeId: typeId, on: database, settings: keptFrameSettings,
                                             catalogue: try await newCaseCatalogue(), reach: try await newCaseReach(principal))
    }
}
