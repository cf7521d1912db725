import CaseportCore
import CaseportStore
import FluentKit

/// D6: staff add or edit a contact (a person at a customer). Every change is an audit line (E5);
/// (de)activation is an access change, as a contact's portal user sees cases through it (A7).
public enum SaveContact {
    public struct Input: Sendable {
        /// nil adds a new contact.
        public var contactId: Int?
        public var firstName: String
        public var lastName: String
        public var email: String
        public var phone: String
        /// Ignored for a new contact, which is always active.
        public var isActive: Bool

        public init(contactId: Int?, firstName: String, lastName: String, email: String, phone: String, isActive: Bool) {
            self.contactId = contactId
            self.firstName = firstName
            self.lastName = lastName
            self.email = email
            self.phone = phone
            self.isActive = isActive
        }
    }

    public enum Field: String, Hashable, Sendable {
        case firstName = "first_name", lastName = "last_name", email, phone
    }

    public struct Saved: Sendable, Equatable {
        public var contactId: Int
        public var created: Bool
    }

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext) async throws -> Outcome<Saved, Field> {
        let db = context.database
        var target: ContactRecord?
        if let id = input.contactId {
            guard let found = try await ContactRecord.find(id, on: db) else { throw OperationError.notFound }
            target = found
        }
        let firstName = input.firstName.trimmed, lastName = input.lastName.trimmed
        let email = input.email.trimmed, phone = input.phone.trimmed
        var problems = Problems<Field>()
        if let problem = MasterDataRules.text(firstName, limit: InputLimits.name) { problems.add(.firstName, problem) }
        if let problem = MasterDataRules.text(lastName, limit: InputLimits.name) { problems.add(.lastName, problem) }
        if let problem = MasterDataRules.text(email, limit: InputLimits.email, required: false) { problems.add(.email, problem) }
        if let problem = MasterDataRules.text(phone, limit: InputLimits.phone, required: false) { problems.add(.phone, problem) }
        if problems[.email] == nil, !email.isEmpty, !EmailAddress.isValid(email) { problems.add(.email, ProblemKey.invalidEmail) }
        guard problems.isEmpty else { return .problems(problems) }

        let record = target ?? ContactRecord()
        var changes = ChangeList()
        changes.compare("first name", target?.firstName, firstName)
        changes.compare("last name", target?.lastName, lastName)
        changes.compare("email", target?.email, email.nilIfEmpty)
        changes.compare("phone", target?.phone, phone.nilIfEmpty)
        let wasActive = target?.isActive ?? true
        record.firstName = firstName
        record.lastName = lastName
        record.email = email.nilIfEmpty
        record.phone = phone.nilIfEmpty
        record.isActive = target == nil ? true : input.isActive
        let isNew = target == nil, changeText = changes.text
        try await db.transaction { tx in
            try await record.save(on: tx)
            try await SaveAudit.write(subject: LinkContact.subject(of: record), isNew: isNew, changes: changeText,
                                      wasActive: wasActive, isActive: record.isActive, by: actor, in: context, on: tx)
            try await LinkRegisteredUsers.run(contactIds: [try record.requireID()], by: actor.auditActor, in: context, on: tx)
        }
        return .done(Saved(contactId: try record.requireID(), created: isNew))
    }
}
