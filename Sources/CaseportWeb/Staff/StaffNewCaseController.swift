import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// Staff register a case in the back office (issue 11 point 3, D3): subject, description, the seven
/// selects of the case page, the contact person, work-site address and reference name. Opened from a
/// customer's or an object's page (`?customer=` / `?object=`), the form starts with them chosen and
/// offers their contacts. Further contacts are linked on the case page.
struct StaffNewCaseController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(StaffRoute.newCase, use: start)
        routes.on(StaffRoute.newCaseSubmit, use: save)
        routes.on(StaffRoute.caseContactAdd, use: linkContact)
        routes.on(StaffRoute.caseContactRemove, use: unlinkContact)
    }

    struct Page: Encodable {
        var layout: Layout
        var values: StaffNewCaseForm
        var errors: [String: String]
        var hasErrors: Bool
        var selects: CaseSelects
        var contacts: [SelectOption]
    }

    func start(request: Request) async throws -> Response {
        let staff = try request.requireStaff()
        var form = StaffNewCaseForm()
        form.selection.handler = staff.user.id.map(String.init) ?? ""
        if let objectId = try? request.query.get(Int.self, at: "object"), let object = try await ObjectRecord.find(objectId, on: request.database) {
            (form.selection.customer, form.selection.object) = (String(object.customerId), String(objectId))
        } else if let customerId = try? request.query.get(Int.self, at: "customer"),
                  try await CustomerRecord.find(customerId, on: request.database) != nil {
            form.selection.customer = String(customerId)
        }
        return try await render(request, form: form, errors: [:], status: .ok)
    }

    func save(request: Request) async throws -> Response {
        let form = try request.form(StaffNewCaseForm.self)
        switch try await CreateStaffCase.run(form.input, by: try request.staffMember(), in: request.operations) {
        case .done(let number):
            return request.redirect(to: StaffRoute.`case`, number, notice: .created)
        case .problems(let problems):
            return try await render(request, form: form, errors: request.texts(problems), status: .unprocessableEntity)
        }
    }

    func render(_ request: Request, form: StaffNewCaseForm, errors: [String: String], status: HTTPResponseStatus) async throws -> Response {
        let selects = try await CaseSelects.load(request, layout: CaseSelects.caseLayout, chosen: form.selection,
                                                 currentObjectId: Int(form.selection.object), errors: errors)
        let candidates = try await CaseContacts(database: request.database)
            .candidates(customerId: Int(form.selection.customer), objectId: Int(form.selection.object))
        let page = Page(layout: Layout(request, title: request.t("staff_new_case_title"), area: "staff"),
                        values: form, errors: errors, hasErrors: !errors.isEmpty, selects: selects,
                        contacts: candidates.map {
                            SelectOption(value: String($0.id!), name: $0.displayName + ($0.email.map { " (\($0))" } ?? ""),
                                         selected: form.contact == String($0.id!))
                        })
        let response = try await request.view.render("staff/new-case", page).encodeResponse(for: request).get()
        response.status = status
        return response
    }

    // MARK: Contacts of a case (A7)

    func linkContact(request: Request) async throws -> Response {
        let form = try request.form(CaseContactForm.self)
        let number = try StaffCasesController.caseNumber(request)
        switch try await LinkCaseContact.run(caseNumber: number, contact: ChosenId(form: form.contact),
                                             by: try request.staffMember(), in: request.operations) {
        case .done(let number):
            // On a claim that sends links to all contacts, a new contact may be due one at once.
            request.caseport.claimLinkWakeUps.wake(caseNumber: number)
            return request.redirect(to: StaffRoute.`case`, number, notice: .added, fragment: "contacts")
        case .problems(let problems):
            let cases = StaffCasesController()
            var state = StaffCasesController.PageState(errors: request.texts(problems))
            state.contactChoice = form.contact
            return try await cases.render(request, record: try await cases.findCase(request), state: state, status: .unprocessableEntity)
        }
    }

    func unlinkContact(request: Request) async throws -> Response {
        guard let contactId = request.parameters.get("contact").flatMap(Int.init) else { throw Abort(.notFound) }
        // Issue 12 point 7: unlinking asks first, naming the contact.
        guard ConfirmStep.isConfirmed(request) else {
            let record = try await StaffCasesController().findCase(request)
            guard let contact = try await ContactRecord.find(contactId, on: request.database) else { throw Abort(.notFound) }
            return try await ConfirmStep.staff(
                request, titleKey: "confirm_unlink_title",
                question: request.t("confirm_unlink_contact_question").replacingOccurrences(of: "{name}", with: contact.displayName)
                    .replacingOccurrences(of: "{number}", with: String(record.number)),
                button: request.t("confirm_unlink_button"), cancelHref: StaffRoute.`case`.path(record.number, fragment: "contacts"))
        }
        do {
            let number = try await UnlinkCaseContact.run(caseNumber: try StaffCasesController.caseNumber(request), contactId: contactId,
                                                         by: try request.staffMember(), in: request.operations)
            return request.redirect(to: StaffRoute.`case`, number, notice: .deleted, fragment: "contacts")
        } catch OperationError.notAllowedNow {
            let cases = StaffCasesController()
            return try await cases.render(request, record: try await cases.findCase(request),
                                          state: .init(errors: ["contact": request.t("staff_error_contact_primary")]),
                                          status: .unprocessableEntity)
        }
    }
}

/// The back office's new-case form, as posted and as shown again.
struct StaffNewCaseForm: PostedForm, Encodable {
    var subject = "", description = "", workSiteAddress = "", referenceName = "", contact = ""
    var selection = CaseSelection()

    enum Posted: String, CodingKey {
        case subject, description, contact, workSiteAddress = "work_site_address", referenceName = "reference_name"
    }
    /// What the page reads (`values.subject`).
    enum CodingKeys: CodingKey { case subject, description, workSiteAddress, referenceName }

    init() {}

    init(from decoder: any Decoder) throws {
        let posted = try decoder.container(keyedBy: Posted.self)
        subject = try posted.decode(String.self, forKey: .subject)
        description = try posted.decode(String.self, forKey: .description)
        workSiteAddress = try posted.decodeIfPresent(String.self, forKey: .workSiteAddress) ?? ""
        referenceName = try posted.decodeIfPresent(String.self, forKey: .referenceName) ?? ""
        contact = try posted.decodeIfPresent(String.self, forKey: .contact) ?? ""
        selection = try CaseSelection(from: decoder)
    }

    var input: CreateStaffCase.Input {
        CreateStaffCase.Input(subject: subject, description: description, category: ChosenId(form: selection.category),
                              type: ChosenId(form: selection.type), priority: ChosenId(form: selection.priority),
                              handler: ChosenId(form: selection.handler), supplier: ChosenId(form: selection.supplier),
                              customer: ChosenId(form: selection.customer), object: ChosenId(form: selection.object),
                              contact: ChosenId(form: contact), workSiteAddress: workSiteAddress, referenceName: referenceName)
    }
}

/// The case page's "link a contact" form.
struct CaseContactForm: PostedForm {
    var contact = ""
}
