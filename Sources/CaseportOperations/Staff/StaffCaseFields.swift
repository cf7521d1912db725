import CaseportCore
import CaseportStore
import FluentKit

/// What both staff case forms — editing a case (`EditCase`) and making one from an inquiry
/// (`CaseFromInquiry`) — check alike: the subject and description, and the seven choices against what
/// may be chosen: the catalogue's entries, and an object of the chosen customer. Each operation names
/// the problems with its own `Field`.
struct StaffCaseFields {
    /// The common fields, by the name both operations' `Field`s give them.
    enum Part: String, CaseIterable { case subject, description, category, type, priority, handler, supplier, customer, object }

    var subject: String
    var description: String
    var category: Int?, type: Int?, priority: Int?, handler: Int?, supplier: Int?, customer: Int?, object: Int?

    /// The trimmed texts and the chosen ids that may be chosen; what may not is a problem of `field(part)`.
    static func check<Field>(subject: String, description: String, category: ChosenId, type: ChosenId, priority: ChosenId,
                             handler: ChosenId, supplier: ChosenId, customer: ChosenId, object: ChosenId,
                             catalogue: StaffCatalogue, problems: inout Problems<Field>, field: (Part) -> Field,
                             on database: any Database) async throws -> StaffCaseFields {
        let subject = subject.trimmed, description = description.trimmed
        if subject.isEmpty { problems.add(field(.subject), ProblemKey.required) }
        if subject.count > InputLimits.subject { problems.set(field(.subject), ProblemKey.tooLong) }
        if description.count > InputLimits.description { problems.add(field(.description), ProblemKey.tooLong) }
        func pick(_ part: Part, _ chosen: ChosenId, from ids: [Int?]) -> Int? {
            let checked = chosen.checked(against: Set(ids.compactMap { $0 }))
            if checked == .invalid { problems.add(field(part), ProblemKey.chooseFromList) }
            return checked.value
        }
        var fields = StaffCaseFields(subject: subject, description: description)
        fields.category = pick(.category, category, from: catalogue.categories.map(\.id))
        fields.type = pick(.type, type, from: catalogue.types.map(\.id))
        fields.priority = pick(.priority, priority, from: catalogue.priorities.map(\.id))
        fields.handler = pick(.handler, handler, from: catalogue.staff.map(\.id))
        fields.supplier = pick(.supplier, supplier, from: catalogue.suppliers.map(\.id))
        fields.customer = pick(.customer, customer, from: catalogue.customers.map(\.id))
        // The object must exist and belong to the chosen customer, when one is chosen.
        if object != .none {
            if let id = object.value, let found = try await ObjectRecord.find(id, on: database),
               fields.customer == nil || fields.customer == found.customerId {
                fields.object = id
            } else {
                problems.add(field(.object), "new_case_error_object_customer")
            }
        }
        return fields
    }

    private init(subject: String, description: String) {
        self.subject = subject
        self.description = description
    }
}
