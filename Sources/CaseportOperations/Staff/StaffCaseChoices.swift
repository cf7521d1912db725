import CaseportCore
import CaseportStore
import FluentKit

/// The back office's case form — subject, description and the seven choices — as both the case page
/// (`EditCase`) and the inbox (`CaseFromInquiry`) post it, checked one way: text within its limits,
/// each choice among what the catalogue offers, the object one of the chosen customer's.
public struct StaffCaseChoices: Sendable {
    var subject: String
    var description: String
    var category: ChosenId
    var type: ChosenId
    var priority: ChosenId
    var handler: ChosenId
    var supplier: ChosenId
    var customer: ChosenId
    var object: ChosenId

    public enum Field: String, Hashable, Sendable, CaseIterable {
        case subject, description, category, type, priority, handler, supplier, customer, object
    }

    /// What the form says once checked: trimmed texts and the chosen ids.
    struct Checked {
        var subject: String
        var description: String
        var category: Int?
        var type: Int?
        var priority: Int?
        var handler: Int?
        var supplier: Int?
        var customer: Int?
        var object: Int?
    }

    func check(against catalogue: StaffCatalogue, on database: any Database) async throws -> (Checked, Problems<Field>) {
        var problems = Problems<Field>()
        var catalogue = catalogue
        try await catalogue.include(customer: customer.value, on: database)
        let subject = subject.trimmed, description = description.trimmed
        if subject.isEmpty { problems.add(.subject, ProblemKey.required) }
        if subject.count > InputLimits.subject { problems.set(.subject, ProblemKey.tooLong) }
        if description.count > InputLimits.description { problems.add(.description, ProblemKey.tooLong) }
        func pick(_ field: Field, _ chosen: ChosenId, from ids: [Int?]) -> Int? {
            let checked = chosen.checked(against: Set(ids.compactMap { $0 }))
            if checked == .invalid { problems.add(field, ProblemKey.chooseFromList) }
            return checked.value
        }
        var checked = Checked(
            subject: subject, description: description,
            category: pick(.category, category, from: catalogue.categories.map(\.id)),
            type: pick(.type, type, from: catalogue.types.map(\.id)),
            priority: pick(.priority, priority, from: catalogue.priorities.map(\.id)),
            handler: pick(.handler, handler, from: catalogue.staff.map(\.id)),
            supplier: pick(.supplier, supplier, from: catalogue.suppliers.map(\.id)),
            customer: pick(.customer, customer, from: catalogue.customers.map(\.id)))
        switch object {
        case .none: break
        case .id(let id):
            if let found = try await ObjectRecord.find(id, on: database), checked.customer == nil || checked.customer == found.customerId {
                checked.object = id
            } else {
                problems.add(.object, "new_case_error_object_customer")
            }
        case .invalid:
            problems.add(.object, "new_case_error_object_customer")
        }
        return (checked, problems)
    }
}

extension Problems {
    /// Adds another check's problems under this operation's fields.
    mutating func add<Other>(_ other: Problems<Other>, as field: (Other) -> Field) {
        for (key, message) in other.messages { add(field(key), message) }
    }
}
