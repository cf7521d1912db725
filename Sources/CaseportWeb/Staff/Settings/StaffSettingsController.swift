import CaseportCore
import CaseportStore
import Fluent
import Vapor

/// The portal's general settings (D5): intake (inquiries first or cases first), SMS, self-registration,
/// organisation login field, password policy, extra list columns, what customers may edit.
/// Read and written through `SettingsStore`; every change writes an audit line.
struct StaffSettingsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(StaffRoute.settings, use: show)
        routes.on(StaffRoute.settingsSubmit, use: save)
    }

    typealias Option = SelectOption

    struct Page: Encodable {
        var layout: Layout
        var tabs: [SettingsTab]
        var values: [String: String]
        var errors: [String: String]
        var hasErrors: Bool
        var notice: String?
        var loginFields: [Option]
        var columns: [Option]
    }

    static let forbiddenLetters = "åäö"
    static let passwordLengths = 4...72

    /// The settings as the form's fields.
    static func values(of settings: PortalSettings) -> [String: String] {
        var values: [String: String] = [
            "intake": settings.inquiriesFirst ? "inquiries" : "cases",
            "login_field": settings.organisationLoginField.rawValue,
            "password_min_length": String(settings.passwordPolicy.minimumLength),
        ]
        func flag(_ key: String, _ on: Bool) { if on { values[key] = "1" } }
        flag("sms_enabled", settings.smsEnabled)
        flag("self_registration_open", settings.selfRegistrationOpen)
        flag("customer_edit_category", settings.customerMayEditCategory)
        flag("customer_edit_priority", settings.customerMayEditPriority)
        flag("password_digit", settings.passwordPolicy.requiresDigit)
        flag("password_uppercase", settings.passwordPolicy.requiresUppercase)
        flag("password_forbid_letters", !settings.passwordPolicy.forbiddenCharacters.isEmpty)
        for column in settings.extraListColumns { values["column_\(column.rawValue)"] = "1" }
        return values
    }

    /// Reads the form into settings, or says what is wrong next to which field. Pure, so it is tested directly.
    static func parse(_ values: [String: String], onto current: PortalSettings) -> (PortalSettings, [String: String]) {
        var settings = current
        var errors: [String: String] = [:]
        switch values["intake"] {
        case "inquiries": settings.inquiriesFirst = true
        case "cases": settings.inquiriesFirst = false
        default: errors["intake"] = "form_choose_from_list"
        }
        if let field = values["login_field"].flatMap(OrganisationLoginField.init(rawValue:)) {
            settings.organisationLoginField = field
        } else {
            errors["login_field"] = "form_choose_from_list"
        }
        let lengthText = (values["password_min_length"] ?? "").trimmingCharacters(in: .whitespaces)
        if let length = Int(lengthText), passwordLengths.contains(length) {
            settings.passwordPolicy.minimumLength = length
        } else {
            errors["password_min_length"] = lengthText.isEmpty ? "form_required" : "settings_error_password_length"
        }
        settings.smsEnabled = values["sms_enabled"] != nil
        settings.selfRegistrationOpen = values["self_registration_open"] != nil
        settings.customerMayEditCategory = values["customer_edit_category"] != nil
        settings.customerMayEditPriority = values["customer_edit_priority"] != nil
        settings.passwordPolicy.requiresDigit = values["password_digit"] != nil
        settings.passwordPolicy.requiresUppercase = values["password_uppercase"] != nil
        settings.passwordPolicy.forbiddenCharacters = values["password_forbid_letters"] != nil ? forbiddenLetters : ""
        settings.extraListColumns = PortalSettings.ListColumn.allCases.filter { values["column_\($0.rawValue)"] != nil }
        return (settings, errors)
    }

    /// What changed, field by field, for the audit log.
    static func changes(from old: PortalSettings, to new: PortalSettings) -> [SettingsAudit.Change] {
        func line(_ field: String, _ a: String, _ b: String) -> SettingsAudit.Change { .init(field: field, before: a, after: b) }
        let columns = { (s: PortalSettings) in s.extraListColumns.map(\.rawValue).joined(separator: ", ") }
        return [
            line("inquiries_first", .flag(old.inquiriesFirst), .flag(new.inquiriesFirst)),
            line("sms_enabled", .flag(old.smsEnabled), .flag(new.smsEnabled)),
            line("self_registration_open", .flag(old.selfRegistrationOpen), .flag(new.selfRegistrationOpen)),
            line("organisation_login_field", old.organisationLoginField.rawValue, new.organisationLoginField.rawValue),
            line("customer_may_edit_category", .flag(old.customerMayEditCategory), .flag(new.customerMayEditCategory)),
            line("customer_may_edit_priority", .flag(old.customerMayEditPriority), .flag(new.customerMayEditPriority)),
            line("password_minimum_length", String(old.passwordPolicy.minimumLength), String(new.passwordPolicy.minimumLength)),
            line("password_requires_digit", .flag(old.passwordPolicy.requiresDigit), .flag(new.passwordPolicy.requiresDigit)),
            line("password_requires_uppercase", .flag(old.passwordPolicy.requiresUppercase), .flag(new.passwordPolicy.requiresUppercase)),
            line("password_forbidden_characters", old.passwordPolicy.forbiddenCharacters, new.passwordPolicy.forbiddenCharacters),
            line("extra_list_columns", columns(old), columns(new)),
        ].filter { $0.before != $0.after }
    }

    func show(request: Request) async throws -> Response {
        let settings = try await SettingsStore(database: request.db).load()
        let notice = request.notice([.saved: "settings_saved"])
        return try await render(request, values: Self.values(of: settings), errors: [:], notice: notice, status: .ok)
    }

    func save(request: Request) async throws -> Response {
        let values = request.formValues(longest: 200)
        let store = SettingsStore(database: request.db)
        let current = try await store.load()
        let (updated, errors) = Self.parse(values, onto: current)
        guard errors.isEmpty else {
            return try await render(request, values: values, errors: errors.mapValues { request.t($0) }, notice: nil,
                                    status: .unprocessableEntity)
        }
        let changes = Self.changes(from: current, to: updated)
        if !changes.isEmpty {
            try await request.db.transaction { tx in
                try await SettingsStore(database: tx).save(updated)
                try await SettingsAudit.record(changes, subject: "settings", request: request, on: tx)
            }
        }
        return request.redirect(to: StaffRoute.settings, notice: .saved)
    }

    func render(_ request: Request, values: [String: String], errors: [String: String], notice: String?,
                status: HTTPResponseStatus) async throws -> Response {
        let fields: [(OrganisationLoginField, String)] = [(.name, "settings_login_field_name"), (.shortCode, "settings_login_field_short_code"),
                                                          (.customerNumber, "settings_login_field_customer_number"), (.any, "settings_login_field_any")]
        let columns: [(PortalSettings.ListColumn, String)] = [(.category, "case_category"), (.caseType, "case_type"), (.priority, "case_priority"),
                                                              (.object, "case_object"), (.customer, "case_customer")]
        let page = Page(
            layout: Layout(request, title: request.t("settings_title"), area: "staff"),
            tabs: SettingsTab.all(request), values: values, errors: errors, hasErrors: !errors.isEmpty, notice: notice,
            loginFields: fields.map { Option(value: $0.0.rawValue, name: request.t($0.1), selected: values["login_field"] == $0.0.rawValue) },
            columns: columns.map { Option(value: "column_\($0.0.rawValue)", name: request.t($0.1), selected: values["column_\($0.0.rawValue)"] != nil) })
        let response = try await request.view.render("staff/settings", page).encodeResponse(for: request).get()
        response.status = status
        return response
    }
}
