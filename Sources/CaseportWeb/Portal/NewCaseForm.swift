import CaseportCore
import CaseportOperations
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

    /// The operation's input: what was typed, with the ticked options' values and the type's fields.
    func input(language: Language) -> RegisterCase.Input {
        var fields: [Int: String] = [:]
        for (key, value) in values where key.hasPrefix("field_") {
            if let id = Int(key.dropFirst("field_".count)) { fields[id] = value }
        }
        return RegisterCase.Input(
            typeId: Int(self["type"]), subject: self["subject"], description: self["description"],
            category: ChosenId(form: trimmed("category")),
            // A customer or object that is not a number is no choice, as the form never sends one.
            customer: ChosenId(Int(trimmed("customer"))), object: ChosenId(Int(trimmed("object"))),
            workSiteAddress: self["work_site_address"], referenceName: self["reference_name"],
            copyEmail: checked("copy_by_email") ? self["copy_email"] : nil,
            smsPhone: checked("sms_on_messages") ? self["sms_phone"] : nil,
            fieldValues: fields, author: personInput.choice, language: language)
    }

    /// The form field each problem is shown beside.
    static func name(of field: RegisterCase.Field) -> String {
        switch field {
        case .subject: return "subject"
        case .description: return "description"
        case .category: return "category"
        case .customer: return "customer"
        case .object: return "object"
        case .workSiteAddress: return "work_site_address"
        case .referenceName: return "reference_name"
        case .copyEmail: return "copy_email"
        case .smsPhone: return "sms_phone"
        case .typeField(let id): return "field_\(id)"
        case .author(let picker): return picker.rawValue
        }
    }
}
