import CaseportCore
import CaseportStore
import FluentKit

/// "Who are you?" on a shared account (A8): a saved person of the account, or a new one that is saved
/// for next time. On a personal account the author is the user and this is ignored.
public enum AuthorChoice: Sendable, Equatable {
    case saved(personId: Int)
    case new(firstName: String, lastName: String, email: String?, phone: String?)
    /// Nothing usable was chosen.
    case none

    /// The fields of the picker, as the forms name them.
    public enum Field: String, Hashable, Sendable {
        case person, firstName = "person_first_name", lastName = "person_last_name", email = "person_email"
    }

    /// The author a form resolves to.
    public struct Author: Sendable, Equatable {
        public var name: String
        public var personId: Int?
        public var email: String?
        public var phone: String?
    }

    /// Adds the picker's problems, mapped into the operation's own fields by `field`.
    func check<F>(for actor: PortalActor, into problems: inout Problems<F>, field: (Field) -> F,
                  on database: any Database) async throws {
        guard actor.isShared else { return }
        switch self {
        case .new(let first, let last, let email, let phone):
            if first.isEmpty { problems.add(field(.firstName), ProblemKey.required) }
            if last.isEmpty { problems.add(field(.lastName), ProblemKey.required) }
            if [first, last, email ?? "", phone ?? ""].contains(where: { $0.count > InputLimits.name }) {
                problems.add(field(.person), ProblemKey.tooLong)
            }
            if let email, !EmailAddress.isValid(email) { problems.add(field(.email), ProblemKey.invalidEmail) }
        case .saved(let id):
            if try await AccountPeople(database: database).find(id: id, userId: actor.userId) == nil {
                problems.add(field(.person), "person_choose")
            }
        case .none:
            problems.add(field(.person), "person_choose")
        }
    }

    /// The chosen person's e-mail address on a shared account (A8), without saving anything; nil when
    /// none was chosen or they have none.
    func email(for actor: PortalActor, on database: any Database) async throws -> String? {
        switch self {
        case .saved(let id): return try await AccountPeople(database: database).find(id: id, userId: actor.userId)?.email
        case .new(_, _, let email, _): return email
        case .none: return nil
        }
    }

    /// The author for a checked choice; saves a new person (on `database`, the operation's transaction).
    func resolve(for actor: PortalActor, on database: any Database) async throws -> Author {
        guard actor.isShared else { return Author(name: actor.name, personId: nil, email: actor.email, phone: actor.phone) }
        let people = AccountPeople(database: database)
        switch self {
        case .saved(let id):
            guard let person = try await people.find(id: id, userId: actor.userId) else { throw OperationError.notFound }
            return Author(name: person.displayName, personId: person.id, email: person.email, phone: person.phone)
        case .new(let first, let last, let email, let phone):
            let person = try await people.add(userId: actor.userId, firstName: first, lastName: last, email: email, phone: phone)
            return Author(name: person.displayName, personId: person.id, email: person.email, phone: person.phone)
        case .none:
            throw OperationError.notFound
        }
    }
}
