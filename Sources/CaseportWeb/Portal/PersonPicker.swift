import CaseportCore
import CaseportOperations
import CaseportStore
import Vapor

/// "Who are you?" on a shared account (A8), as the page shows it; `AuthorChoice` (CaseportOperations)
/// checks the choice and saves a new person with the operation.
struct PersonPicker {
    struct Choice: Encodable {
        var id: Int
        var name: String
        var selected: Bool
    }

    /// What the form posted; kept as typed so an error loses nothing.
    struct Input: Codable {
        var person: String?
        var person_first_name: String?
        var person_last_name: String?
        var person_email: String?
        var person_phone: String?

        /// What the operation gets: a saved person, a new one (trimmed), or no usable choice.
        var choice: AuthorChoice {
            let picked = person ?? ""
            if picked == "new" {
                return .new(firstName: (person_first_name ?? "").trimmed, lastName: (person_last_name ?? "").trimmed,
                            email: (person_email ?? "").trimmed.nilIfEmpty, phone: (person_phone ?? "").trimmed.nilIfEmpty)
            }
            return Int(picked).map { .saved(personId: $0) } ?? .none
        }
    }

    /// The picker's part of a page.
    struct Context: Encodable {
        var shown: Bool
        var people: [Choice]
        var newSelected: Bool
        var firstName: String
        var lastName: String
        var email: String
        var phone: String
    }

    static func context(_ request: Request, principal: PortalPrincipal, input: Input?) async throws -> Context {
        guard principal.user.isShared else {
            return Context(shown: false, people: [], newSelected: false, firstName: "", lastName: "", email: "", phone: "")
        }
        let userId = try principal.user.requireID()
        let people = try await AccountPeople(database: request.database).list(userId: userId)
        // A fresh form starts with the person last chosen on this device (issue 12); the operation
        // checks the choice again, so a stale or foreign id in the cookie only preselects nothing.
        let selected = input?.person ?? remembered(request, userId: userId).map(String.init) ?? ""
        return Context(shown: true,
                       people: people.map { Choice(id: $0.id!, name: $0.displayName, selected: selected == String($0.id!)) },
                       newSelected: selected == "new" || (people.isEmpty && selected.isEmpty),
                       firstName: input?.person_first_name ?? "", lastName: input?.person_last_name ?? "",
                       email: input?.person_email ?? "", phone: input?.person_phone ?? "")
    }
}

extension PersonPicker {
    /// The device's last choice on a shared account: `<portal user id>.<person id>`, so another
    /// account signed in on the same browser does not inherit it.
    static let cookieName = "caseport_person"

    static func remembered(_ request: Request, userId: Int) -> Int? {
        guard let value = request.parsedCookies[cookieName]?.string, value.count <= 40 else { return nil }
        let parts = value.split(separator: ".")
        guard parts.count == 2, Int(parts[0]) == userId else { return nil }
        return Int(parts[1])
    }

    /// Remembers a saved person the user chose, for their next form on this device (a year).
    static func remember(_ choice: AuthorChoice, on response: Response, request: Request) {
        guard case .saved(let personId) = choice, let principal = request.portalPrincipal, principal.user.isShared,
              let userId = principal.user.id else { return }
        response.cookies[cookieName] = request.cookie("\(userId).\(personId)", maxAge: 365 * 86_400)
    }

    /// The person a form's plain `person` select posted.
    static func choice(fromSelect raw: String?) -> AuthorChoice { Int(raw ?? "").map { .saved(personId: $0) } ?? .none }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
    var nilIfEmpty: String? { isEmpty ? nil : self }
    /// The strict address rule (`EmailAddress`): nothing that could end an SMTP command or a header.
    var looksLikeEmail: Bool { EmailAddress.isValid(self) }
}
