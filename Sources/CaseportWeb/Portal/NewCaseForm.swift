import CaseportCore
import CaseportStore
import Fluent
import Vapor

/// The new-case form's values (B4), read from a posted form and checked against the case type, the
/// deployment's settings and the viewer's A7 creation rule. Every value is kept as typed so that an
/// error, or "Cancel" on the confirmation page, gives the form back with nothing lost.
struct NewCaseForm {
    var values: [String: String]

    init(values: [String: String]) {
        self.values = values
    }

    subscript(_ key: String) -> String { values[key] ?? "" }
    func trimmed(_ key: String) -> String { self[key].trimmed }
    func checked(_ key: String) -> Bool { values[key] != nil && values[key] != "" && values[key] != "0" }

    var personInput: PersonPicker.Input {
        PersonPicker.Input(person: values["person"], person_first_name: values["person_first_name"],
                           person_last_name: values["person_last_name"], person_email: values["person_email"],
                           person_phone: values["person_phone"])
    }

    /// Everything a form needs to be shown or checked.
    struct Setting {
        var caseType: CaseTypeRecord?
        var fields: [CaseTypeFieldRecord]
        var rule: CaseCreationRule
        var reach: Reach
        var settings: PortalSettings
        var categories: [CategoryRecord]

        /// The customers offered in the form: those the rule lets the viewer choose.
        var customers: [CustomerRecord] {
            reach.customers.filter { rule.selectableCustomerIds.contains($0.id!) }
        }
        /// The objects offered: linked ones and those of selectable customers, unless staff deactivated them (D6).
        var objects: [ObjectRecord] {
            reach.objects.filter { ($0.isActive || $0.id == rule.objectFixed)
                && (rule.selectableObjectIds.contains($0.id!) || rule.objectsOfCustomerIds.contains($0.customerId)) }
        }
        var customerFixed: CustomerRecord? { rule.customerFixed.flatMap { id in reach.customers.first { $0.id == id } } }
        var objectFixed: ObjectRecord? { rule.objectFixed.flatMap { id in reach.objects.first { $0.id == id } } }

        static func load(_ request: Request, principal: PortalPrincipal, typeId: Int?) async throws -> Setting {
            let db = request.db
            var caseType: CaseTypeRecord?
            if let typeId {
                caseType = try await CaseTypeRecord.query(on: db).filter(\.$id == typeId).filter(\.$isActive == true).first()
            }
            var fields: [CaseTypeFieldRecord] = []
            if let caseType {
                fields = try await CaseTypeFieldRecord.query(on: db).filter(\.$caseTypeId == caseType.requireID())
                    .filter(\.$isActive == true).sort(\.$sortOrder).all()
            }
            let rule = CaseCreationRule(for: principal.viewer)
            let reach = try await Reach.of(CaseVisibility(for: principal.viewer), on: db)
            let settings = try await SettingsStore(database: db).load()
            let categories = try await CategoryRecord.query(on: db).filter(\.$isActive == true).sort(\.$sortOrder).all()
            return Setting(caseType: caseType, fields: fields, rule: rule, reach: reach, settings: settings, categories: categories)
        }
    }

    /// The checked values, ready to save.
    struct Checked {
        var subject: String
        var description: String
        var categoryId: Int?
        var customerId: Int?
        var objectId: Int?
        var workSiteAddress: String?
        var referenceName: String?
        var copyEmail: String?
        var smsPhone: String?
        var fieldValues: [NewCase.FieldValue]
    }

    /// Checks every field; returns the problems by field name (translated), or the checked values.
    func check(_ setting: Setting, request: Request) -> (Checked?, [String: String]) {
        var errors: [String: String] = [:]
        let subject = trimmed("subject"), description = trimmed("description")
        if subject.isEmpty { errors["subject"] = request.t("form_required") }
        if subject.count > InputLimits.subject { errors["subject"] = request.t("form_too_long") }
        if description.isEmpty { errors["description"] = request.t("form_required") }
        if description.count > InputLimits.description { errors["description"] = request.t("form_too_long") }

        var categoryId: Int?
        if !trimmed("category").isEmpty {
            categoryId = Int(trimmed("category"))
            if categoryId == nil || !setting.categories.contains(where: { $0.id == categoryId }) {
                errors["category"] = request.t("form_choose_from_list")
            }
        }

        var customerId = setting.rule.customerFixed ?? Int(trimmed("customer"))
        let objectId = setting.rule.objectFixed ?? Int(trimmed("object"))
        // Only what the form offers: a deactivated object (D6) is refused even when its id is forged.
        let object = objectId.flatMap { id in
            setting.reach.objects.first { $0.id == id && ($0.isActive || id == setting.rule.objectFixed) }
        }
        if objectId != nil && object == nil { errors["object"] = request.t("form_choose_from_list") }
        if customerId == nil, let object { customerId = object.customerId }
        if let customerId, let object, object.customerId != customerId {
            errors["object"] = request.t("new_case_error_object_customer")
        }
        if errors["object"] == nil, !setting.rule.allows(customerId: customerId, objectId: objectId,
                                                         objectCustomerId: object?.customerId,
                                                         customerRequired: setting.settings.customerRequired,
                                                         objectRequired: setting.settings.objectRequired) {
            if setting.settings.objectRequired && objectId == nil { errors["object"] = request.t("form_required") }
            else if setting.settings.customerRequired && customerId == nil { errors["customer"] = request.t("form_required") }
            else { errors["customer"] = request.t("form_choose_from_list") }
        }

        let address = trimmed("work_site_address"), reference = trimmed("reference_name")
        if address.count > InputLimits.name { errors["work_site_address"] = request.t("form_too_long") }
        if reference.count > InputLimits.name { errors["reference_name"] = request.t("form_too_long") }

        var copyEmail: String?
        if checked("copy_by_email") {
            let email = trimmed("copy_email")
            if email.isEmpty { errors["copy_email"] = request.t("form_required") }
            else if !email.looksLikeEmail { errors["copy_email"] = request.t("form_invalid_email") }
            else { copyEmail = email }
        }
        var smsPhone: String?
        if setting.settings.smsEnabled, checked("sms_on_messages") {
            let phone = trimmed("sms_phone")
            let digits = phone.filter(\.isNumber)
            if phone.isEmpty { errors["sms_phone"] = request.t("form_required") }
            else if digits.count < 6 || phone.count > InputLimits.phone
                        || !phone.allSatisfy({ $0.isNumber || " +-()".contains($0) }) {
                errors["sms_phone"] = request.t("form_invalid_phone")
            } else { smsPhone = phone }
        }

        var fieldValues: [NewCase.FieldValue] = []
        for field in setting.fields {
            let key = "field_\(field.id!)"
            let raw = trimmed(key)
            if raw.isEmpty {
                if field.isRequired { errors[key] = request.t("form_required") }
                continue
            }
            if raw.count > InputLimits.fieldValue { errors[key] = request.t("form_too_long"); continue }
            switch field.kind {
            case .text:
                fieldValues.append(.init(fieldId: field.id, label: field.label, value: raw))
            case .number:
                if Double(raw.replacingOccurrences(of: ",", with: ".").replacingOccurrences(of: " ", with: "")) == nil {
                    errors[key] = request.t("form_invalid_number")
                } else { fieldValues.append(.init(fieldId: field.id, label: field.label, value: raw)) }
            case .date:
                if PortalCaseListController.parseDay(raw) == nil { errors[key] = request.t("form_invalid_date") }
                else { fieldValues.append(.init(fieldId: field.id, label: field.label, value: raw)) }
            case .choice:
                if !field.choiceList.contains(raw) { errors[key] = request.t("form_choose_from_list") }
                else { fieldValues.append(.init(fieldId: field.id, label: field.label, value: raw)) }
            case .yesno:
                if raw != "yes" && raw != "no" { errors[key] = request.t("form_choose_from_list") }
                else { fieldValues.append(.init(fieldId: field.id, label: field.label, value: raw)) }
            }
        }
        guard errors.isEmpty else { return (nil, errors) }
        return (Checked(subject: subject, description: description, categoryId: categoryId, customerId: customerId,
                        objectId: objectId, workSiteAddress: address.nilIfEmpty, referenceName: reference.nilIfEmpty,
                        copyEmail: copyEmail, smsPhone: smsPhone, fieldValues: fieldValues), [:])
    }
}
