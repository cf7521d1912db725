import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// D5: an administrator saves the portal's general settings — intake (inquiries first or cases first),
/// SMS, self-registration, the organisation login field, the password policy, extra list columns and
/// what customers may edit, what a new case must have, the approval reminder time. One `settings_changed` audit line per changed setting; nothing is written
/// when nothing changed. (Portal pages see the change through the `settings` table's change stamp, M014.)
public enum SaveSettings {
    public struct Input: Sendable {
        /// "inquiries" or "cases", as the form's radio buttons send it.
        public var intake: String
        /// An `OrganisationLoginField` raw value.
        public var loginField: String
        public var passwordMinimumLength: String
        public var smsEnabled: Bool
        public var selfRegistrationOpen: Bool
        public var customerMayEditCategory: Bool
        public var customerMayEditPriority: Bool
        public var passwordRequiresDigit: Bool
        public var passwordRequiresUppercase: Bool
        public var passwordForbidsLetters: Bool
        public var extraListColumns: Set<PortalSettings.ListColumn>
        /// D5: what a new case must have.
        public var customerRequired: Bool
        public var objectRequired: Bool
        public var categoryRequired: Bool
        /// D5/B6: days before the approval reminder, as typed; empty: the deployment's default.
        public var approvalReminderDays: String
        /// Issue 12: a customer's answer hands a waiting case back to the company.
        public var customerAnswerReturnsCase: Bool
        /// Issue 12: the company's phone and e-mail for customers, as typed; empty: not shown.
        public var contactPhone: String
        public var contactEmail: String

        public init(intake: String, loginField: String, passwordMinimumLength: String, smsEnabled: Bool,
                    selfRegistrationOpen: Bool, customerMayEditCategory: Bool, customerMayEditPriority: Bool,
                    passwordRequiresDigit: Bool, passwordRequiresUppercase: Bool, passwordForbidsLetters: Bool,
                    extraListColumns: Set<PortalSettings.ListColumn>, customerRequired: Bool = false,
                    objectRequired: Bool = false, categoryRequired: Bool = false, approvalReminderDays: String = "",
                    customerAnswerReturnsCase: Bool = true, contactPhone: String = "", contactEmail: String = "") {
            self.contactPhone = contactPhone
            self.contactEmail = contactEmail
            self.customerAnswerReturnsCase = customerAnswerReturnsCase
            self.customerRequired = customerRequired
            self.objectRequired = objectRequired
            self.categoryRequired = categoryRequired
            self.approvalReminderDays = approvalReminderDays
            self.intake = intake
            self.loginField = loginField
            self.passwordMinimumLength = passwordMinimumLength
            self.smsEnabled = smsEnabled
            self.selfRegistrationOpen = selfRegistrationOpen
            self.customerMayEditCategory = customerMayEditCategory
            self.customerMayEditPriority = customerMayEditPriority
            self.passwordRequiresDigit = passwordRequiresDigit
            self.passwordRequiresUppercase = passwordRequiresUppercase
            self.passwordForbidsLetters = passwordForbidsLetters
            self.extraListColumns = extraListColumns
        }
    }

    public enum Field: String, Hashable, Sendable {
        case intake, loginField = "login_field", passwordMinimumLength = "password_min_length"
        case approvalReminderDays = "approval_reminder_days"
        case contactPhone = "contact_phone", contactEmail = "contact_email"
    }

    /// The letters a policy that "forbids letters" refuses.
    public static let forbiddenLetters = "åäö"
    public static let passwordLengths = 4...72

    /// Returns how many settings changed (0: nothing written).
    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Outcome<Int, Field> {
        try actor.requireAdmin()
        let current = try await SettingsStore(database: context.database).load()
        let updated: PortalSettings
        switch apply(input, onto: current) {
        case .problems(let problems): return .problems(problems)
        case .done(let settings): updated = settings
        }
        let changes = changes(from: current, to: updated)
        guard !changes.isEmpty else { return .done(0) }
        try await context.save(updated, changes: changes, subject: "settings", by: actor)
        return .done(changes.count)
    }

    /// The input applied to `current`, or what is wrong next to which field.
    static func apply(_ input: Input, onto current: PortalSettings) -> Outcome<PortalSettings, Field> {
        var settings = current
        var problems = Problems<Field>()
        switch input.intake {
        case "inquiries": settings.inquiriesFirst = true
        case "cases": settings.inquiriesFirst = false
        default: problems.add(.intake, ProblemKey.chooseFromList)
        }
        if let field = OrganisationLoginField(rawValue: input.loginField) {
            settings.organisationLoginField = field
        } else {
            problems.add(.loginField, ProblemKey.chooseFromList)
        }
        let lengthText = input.passwordMinimumLength.trimmingCharacters(in: .whitespaces)
        if let length = Int(lengthText), passwordLengths.contains(length) {
            settings.passwordPolicy.minimumLength = length
        } else {
            problems.add(.passwordMinimumLength, lengthText.isEmpty ? ProblemKey.required : "settings_error_password_length")
        }
        let daysText = input.approvalReminderDays.trimmingCharacters(in: .whitespaces)
        if daysText.isEmpty {
            settings.approvalReminderDays = nil
        } else if let days = Int(daysText), PortalSettings.approvalReminderDayRange.contains(days) {
            settings.approvalReminderDays = days
        } else {
            problems.add(.approvalReminderDays, "settings_error_reminder_days")
        }
        let phone = input.contactPhone.trimmingCharacters(in: .whitespaces)
        if phone.isEmpty || phone.count <= PortalSettings.contactPhoneLength
            && phone.allSatisfy({ $0.isASCII && ($0.isNumber || " +-()/".contains($0)) }) && phone.contains(where: \.isNumber) {
            settings.contactPhone = phone
        } else {
            problems.add(.contactPhone, "settings_error_contact_phone")
        }
        let email = input.contactEmail.trimmingCharacters(in: .whitespaces)
        if email.isEmpty || EmailAddress.isValid(email) {
            settings.contactEmail = email
        } else {
            problems.add(.contactEmail, "settings_error_contact_email")
        }
        guard problems.isEmpty else { return .problems(problems) }
        settings.customerRequired = input.customerRequired
        settings.objectRequired = input.objectRequired
        settings.categoryRequired = input.categoryRequired
        settings.customerAnswerReturnsCase = input.customerAnswerReturnsCase
        settings.smsEnabled = input.smsEnabled
        settings.selfRegistrationOpen = input.selfRegistrationOpen
        settings.customerMayEditCategory = input.customerMayEditCategory
        settings.customerMayEditPriority = input.customerMayEditPriority
        settings.passwordPolicy.requiresDigit = input.passwordRequiresDigit
        settings.passwordPolicy.requiresUppercase = input.passwordRequiresUppercase
        settings.passwordPolicy.forbiddenCharacters = input.passwordForbidsLetters ? forbiddenLetters : ""
        settings.extraListColumns = PortalSettings.ListColumn.allCases.filter(input.extraListColumns.contains)
        return .done(settings)
    }

    /// What changed, setting by setting, for the audit log.
    static func changes(from old: PortalSettings, to new: PortalSettings) -> [SettingsChange] {
        func line(_ field: String, _ a: String, _ b: String) -> SettingsChange { .init(field: field, before: a, after: b) }
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
            line("customer_required", .flag(old.customerRequired), .flag(new.customerRequired)),
            line("object_required", .flag(old.objectRequired), .flag(new.objectRequired)),
            line("category_required", .flag(old.categoryRequired), .flag(new.categoryRequired)),
            line("customer_answer_returns_case", .flag(old.customerAnswerReturnsCase), .flag(new.customerAnswerReturnsCase)),
            line("approval_reminder_days", old.approvalReminderDays.map(String.init) ?? "", new.approvalReminderDays.map(String.init) ?? ""),
            line("contact_phone", old.contactPhone, new.contactPhone),
            line("contact_email", old.contactEmail, new.contactEmail),
        ].filter { $0.before != $0.after }
    }
}
