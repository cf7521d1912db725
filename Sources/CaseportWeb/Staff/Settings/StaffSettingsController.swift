import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// The portal's general settings (D5): intake (inquiries first or cases first), SMS, self-registration,
/// organisation login field, password policy, extra list columns, what customers may edit.
/// Read through `SettingsStore`, saved by the `SaveSettings` operation (one audit line per change).
struct StaffSettingsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(StaffRoute.settings, use: show)
        routes.on(StaffRoute.settingsSubmit, use: save)
    }

    typealias Option = SelectOption

    struct Page: Encodable {
        var layout: Layout
        var tabs: [SettingsTab]
        var values: SettingsForm
        var errors: [String: String]
        var hasErrors: Bool
        var notice: String?
        var loginFields: [Option]
        var columns: [Option]
        /// Names the deployment's reminder time that applies when the field is empty (APPROVAL_REMINDER_DAYS, else 5).
        var reminderHint: String
    }

    func show(request: Request) async throws -> Response {
        let settings = try await SettingsStore(database: request.database).load()
        let notice = request.notice([.saved: "settings_saved"])
        return try await render(request, form: SettingsForm(settings), errors: [:], notice: notice, status: .ok)
    }

    func save(request: Request) async throws -> Response {
        let form = try request.form(SettingsForm.self)
        switch try await SaveSettings.run(form.input, by: try request.staffMember(), in: request.operations) {
        case .done:
            return request.redirect(to: StaffRoute.settings, notice: .saved)
        case .problems(let problems):
            return try await render(request, form: form, errors: request.texts(problems), notice: nil, status: .unprocessableEntity)
        }
    }

    func render(_ request: Request, form: SettingsForm, errors: [String: String], notice: String?,
                status: HTTPResponseStatus) async throws -> Response {
        let fields: [(OrganisationLoginField, String)] = [(.name, "settings_login_field_name"), (.shortCode, "settings_login_field_short_code"),
                                                          (.customerNumber, "settings_login_field_customer_number"), (.any, "settings_login_field_any")]
        let columns: [(PortalSettings.ListColumn, String)] = [(.category, "case_category"), (.caseType, "case_type"), (.priority, "case_priority"),
                                                              (.object, "case_object"), (.customer, "case_customer")]
        let page = Page(
            layout: Layout(request, title: request.t("settings_title"), area: "staff"),
            tabs: SettingsTab.all(request), values: form, errors: errors, hasErrors: !errors.isEmpty, notice: notice,
            loginFields: fields.map { Option(value: $0.0.rawValue, name: request.t($0.1), selected: form.loginField == $0.0.rawValue) },
            columns: columns.map { Option(value: "column_\($0.0.rawValue)", name: request.t($0.1), selected: form.columns.contains($0.0)) },
            reminderHint: request.t("settings_approval_reminder_hint").replacingOccurrences(
                of: "{days}", with: String(Int(request.caseport.config.delivery.approvalReminderAfter / 86_400))))
        let response = try await request.view.render("staff/settings", page).encodeResponse(for: request).get()
        response.status = status
        return response
    }
}

/// The general settings form (D5), as posted and as shown again. Unticked checkboxes are not sent.
struct SettingsForm: PostedForm, Encodable {
    static var longestValue: Int { 200 }
    var intake = "", loginField = "", passwordMinLength = ""
    var smsEnabled = false, selfRegistrationOpen = false, customerEditCategory = false, customerEditPriority = false
    var passwordDigit = false, passwordUppercase = false, passwordForbidLetters = false
    var columnCategory = false, columnCaseType = false, columnPriority = false, columnObject = false, columnCustomer = false
    var customerRequired = false, objectRequired = false, categoryRequired = false, approvalReminderDays = ""
    var customerAnswerReturns = false
    var contactPhone = "", contactEmail = ""

    /// The HTML field names. Decoding only: the page reads the properties by their Swift names, which is
    /// what `TemplateAudit` checks the template against.
    enum Names: String, CodingKey {
        case intake, loginField = "login_field", passwordMinLength = "password_min_length"
        case smsEnabled = "sms_enabled", selfRegistrationOpen = "self_registration_open"
        case customerEditCategory = "customer_edit_category", customerEditPriority = "customer_edit_priority"
        case passwordDigit = "password_digit", passwordUppercase = "password_uppercase", passwordForbidLetters = "password_forbid_letters"
        case columnCategory = "column_category", columnCaseType = "column_case_type", columnPriority = "column_priority"
        case columnObject = "column_object", columnCustomer = "column_customer"
        case customerRequired = "customer_required", objectRequired = "object_required", categoryRequired = "category_required"
        case approvalReminderDays = "approval_reminder_days"
        case customerAnswerReturns = "customer_answer_returns"
        case contactPhone = "contact_phone", contactEmail = "contact_email"
    }

    init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: Names.self)
        func tick(_ name: Names) throws -> Bool { try form.decode(Bool.self, forKey: name) }
        intake = try form.decode(String.self, forKey: .intake)
        loginField = try form.decode(String.self, forKey: .loginField)
        passwordMinLength = try form.decode(String.self, forKey: .passwordMinLength)
        (smsEnabled, selfRegistrationOpen) = (try tick(.smsEnabled), try tick(.selfRegistrationOpen))
        (customerEditCategory, customerEditPriority) = (try tick(.customerEditCategory), try tick(.customerEditPriority))
        (passwordDigit, passwordUppercase, passwordForbidLetters) = (try tick(.passwordDigit), try tick(.passwordUppercase),
                                                                     try tick(.passwordForbidLetters))
        (columnCategory, columnCaseType, columnPriority) = (try tick(.columnCategory), try tick(.columnCaseType), try tick(.columnPriority))
        (columnObject, columnCustomer) = (try tick(.columnObject), try tick(.columnCustomer))
        (customerRequired, objectRequired, categoryRequired) = (try tick(.customerRequired), try tick(.objectRequired),
                                                                try tick(.categoryRequired))
        approvalReminderDays = try form.decode(String.self, forKey: .approvalReminderDays)
        customerAnswerReturns = try tick(.customerAnswerReturns)
        contactPhone = try form.decode(String.self, forKey: .contactPhone)
        contactEmail = try form.decode(String.self, forKey: .contactEmail)
    }

    init() {}

    init(_ settings: PortalSettings) {
        intake = settings.inquiriesFirst ? "inquiries" : "cases"
        loginField = settings.organisationLoginField.rawValue
        passwordMinLength = String(settings.passwordPolicy.minimumLength)
        smsEnabled = settings.smsEnabled
        selfRegistrationOpen = settings.selfRegistrationOpen
        customerEditCategory = settings.customerMayEditCategory
        customerEditPriority = settings.customerMayEditPriority
        passwordDigit = settings.passwordPolicy.requiresDigit
        passwordUppercase = settings.passwordPolicy.requiresUppercase
        passwordForbidLetters = !settings.passwordPolicy.forbiddenCharacters.isEmpty
        columns = Set(settings.extraListColumns)
        customerRequired = settings.customerRequired
        objectRequired = settings.objectRequired
        categoryRequired = settings.categoryRequired
        approvalReminderDays = settings.approvalReminderDays.map(String.init) ?? ""
        customerAnswerReturns = settings.customerAnswerReturnsCase
        contactPhone = settings.contactPhone
        contactEmail = settings.contactEmail
    }

    /// The ticked extra list columns (one checkbox each, `column_<raw value>`).
    var columns: Set<PortalSettings.ListColumn> {
        get {
            let ticked: [(PortalSettings.ListColumn, Bool)] = [(.category, columnCategory), (.caseType, columnCaseType),
                                                               (.priority, columnPriority), (.object, columnObject), (.customer, columnCustomer)]
            return Set(ticked.filter(\.1).map(\.0))
        }
        set {
            (columnCategory, columnCaseType, columnPriority) = (newValue.contains(.category), newValue.contains(.caseType), newValue.contains(.priority))
            (columnObject, columnCustomer) = (newValue.contains(.object), newValue.contains(.customer))
        }
    }

    var input: SaveSettings.Input {
        SaveSettings.Input(intake: intake, loginField: loginField, passwordMinimumLength: passwordMinLength, smsEnabled: smsEnabled,
                           selfRegistrationOpen: selfRegistrationOpen, customerMayEditCategory: customerEditCategory,
                           customerMayEditPriority: customerEditPriority, passwordRequiresDigit: passwordDigit,
                           passwordRequiresUppercase: passwordUppercase, passwordForbidsLetters: passwordForbidLetters,
                           extraListColumns: columns, customerRequired: customerRequired, objectRequired: objectRequired,
                           categoryRequired: categoryRequired, approvalReminderDays: approvalReminderDays,
                           customerAnswerReturnsCase: customerAnswerReturns, contactPhone: contactPhone,
                           contactEmail: contactEmail)
    }
}
