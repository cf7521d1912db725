import CaseportCore
import CaseportOperations
import CaseportStore
import Vapor

/// The new-case form (B4) as posted, and as shown again: after a problem, on the confirmation page
/// (every value as a hidden field) and after "Cancel" there, so nothing typed is lost. The case
/// type's own fields are named `field_<id>` and read through `container.allKeys`.
struct NewCaseForm: PostedForm, Encodable {
    var type = ""
    var subject = "", description = ""
    var category = "", customer = "", object = ""
    var workSiteAddress = "", referenceName = ""
    var copyByEmail = false, copyEmail = ""
    var smsOnMessages = false, smsPhone = ""
    /// "Who are you?" on a shared account (A8).
    var person = PersonPicker.Input()
    /// The case type's fields as typed, by field id.
    var typeFields: [Int: String] = [:]

    /// The posted names.
    enum Posted: String, CodingKey, CaseIterable {
        case type, subject, description, category, customer, object
        case workSiteAddress = "work_site_address", referenceName = "reference_name"
        case copyByEmail = "copy_by_email", copyEmail = "copy_email", smsOnMessages = "sms_on_messages", smsPhone = "sms_phone"
    }
    /// What the pages read (`values.workSiteAddress`).
    enum CodingKeys: CodingKey {
        case subject, description, workSiteAddress, referenceName, copyEmail, smsPhone
    }
    static let typeFieldPrefix = "field_"

    init() {}

    init(from decoder: any Decoder) throws {
        let posted = try decoder.container(keyedBy: Posted.self)
        type = try posted.decode(String.self, forKey: .type)
        subject = try posted.decode(String.self, forKey: .subject)
        description = try posted.decode(String.self, forKey: .description)
        category = try posted.decode(String.self, forKey: .category)
        customer = try posted.decode(String.self, forKey: .customer)
        object = try posted.decode(String.self, forKey: .object)
        workSiteAddress = try posted.decode(String.self, forKey: .workSiteAddress)
        referenceName = try posted.decode(String.self, forKey: .referenceName)
        copyByEmail = try posted.decode(Bool.self, forKey: .copyByEmail)
        copyEmail = try posted.decode(String.self, forKey: .copyEmail)
        smsOnMessages = try posted.decode(Bool.self, forKey: .smsOnMessages)
        smsPhone = try posted.decode(String.self, forKey: .smsPhone)
        person = try PersonPicker.Input(from: decoder)
        let named = try decoder.container(keyedBy: PostedName.self)
        for key in named.allKeys {
            if let id = key.suffix(after: Self.typeFieldPrefix).flatMap({ Int($0) }) {
                typeFields[id] = try named.decode(String.self, forKey: key)
            }
        }
    }

    var typeId: Int? { Int(type) }

    static func fieldName(_ id: Int) -> String { typeFieldPrefix + String(id) }

    /// Every value worth sending again, by its posted name, sorted by name: the confirmation page's
    /// hidden fields. Empty texts and unticked boxes are left out, as they mean the same as absent.
    var hiddenFields: [(name: String, value: String)] {
        var fields: [(String, String)] = [
            (Posted.type.rawValue, type), (Posted.subject.rawValue, subject), (Posted.description.rawValue, description),
            (Posted.category.rawValue, category), (Posted.customer.rawValue, customer), (Posted.object.rawValue, object),
            (Posted.workSiteAddress.rawValue, workSiteAddress), (Posted.referenceName.rawValue, referenceName),
            (Posted.copyByEmail.rawValue, copyByEmail ? "1" : ""), (Posted.copyEmail.rawValue, copyEmail),
            (Posted.smsOnMessages.rawValue, smsOnMessages ? "1" : ""), (Posted.smsPhone.rawValue, smsPhone),
            ("person", person.person ?? ""), ("person_first_name", person.person_first_name ?? ""),
            ("person_last_name", person.person_last_name ?? ""), ("person_email", person.person_email ?? ""),
            ("person_phone", person.person_phone ?? ""),
        ]
        fields += typeFields.map { (Self.fieldName($0.key), $0.value) }
        return fields.filter { !$0.1.isEmpty }.sorted { $0.0 < $1.0 }.map { (name: $0.0, value: $0.1) }
    }

    /// The operation's input: what was typed, with the ticked options' values and the type's fields.
    func input(language: Language) -> RegisterCase.Input {
        RegisterCase.Input(
            typeId: typeId, subject: subject, description: description,
            category: ChosenId(form: category.trimmed),
            // A customer or object that is not a number is no choice, as the form never sends one.
            customer: ChosenId(Int(customer.trimmed)), object: ChosenId(Int(object.trimmed)),
            workSiteAddress: workSiteAddress, referenceName: referenceName,
            copyEmail: copyByEmail ? copyEmail : nil,
            smsPhone: smsOnMessages ? smsPhone : nil,
            fieldValues: typeFields, author: person.choice, language: language)
    }

    /// The form field each problem is shown beside.
    static func name(of field: RegisterCase.Field) -> String {
        switch field {
        case .subject: return Posted.subject.rawValue
        case .description: return Posted.description.rawValue
        case .category: return Posted.category.rawValue
        case .customer: return Posted.customer.rawValue
        case .object: return Posted.object.rawValue
        case .workSiteAddress: return Posted.workSiteAddress.rawValue
        case .referenceName: return Posted.referenceName.rawValue
        case .copyEmail: return Posted.copyEmail.rawValue
        case .smsPhone: return Posted.smsPhone.rawValue
        case .typeField(let id): return fieldName(id)
        case .author(let picker): return picker.rawValue
        }
    }
}
