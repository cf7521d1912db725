import CaseportCore
import CaseportStore
import Vapor

/// "Who are you?" on a shared account (A8): pick a saved person or enter a new one, who is then saved.
/// On a personal account the author is simply the user.
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
    }

    /// The author a form resolves to.
    struct Author {
        var name: String
        var personId: Int?
        var email: String?
        var phone: String?
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
        let people = try await AccountPeople(database: request.db).list(userId: try principal.user.requireID())
        let selected = input?.person ?? ""
        return Context(shown: true,
                       people: people.map { Choice(id: $0.id!, name: $0.displayName, selected: selected == String($0.id!)) },
                       newSelected: selected == "new" || (people.isEmpty && selected.isEmpty),
                       firstName: input?.person_first_name ?? "", lastName: input?.person_last_name ?? "",
                       email: input?.person_email ?? "", phone: input?.person_phone ?? "")
    }

    /// Checks the picker's fields; adds problems to `errors` under the field names.
    static func validate(_ input: Input, principal: PortalPrincipal, errors: inout [String: String], request: Request) async throws {
        guard principal.user.isShared else { return }
        let choice = input.person ?? ""
        if choice == "new" {
            if (input.person_first_name ?? "").trimmed.isEmpty { errors["person_first_name"] = request.t("form_required") }
            if (input.person_last_name ?? "").trimmed.isEmpty { errors["person_last_name"] = request.t("form_required") }
            for value in [input.person_first_name, input.person_last_name, input.person_email, input.person_phone]
            where (value ?? "").count > InputLimits.name {
                errors["person"] = request.t("form_too_long")
            }
            if let email = input.person_email?.trimmed, !email.isEmpty, !email.looksLikeEmail {
                errors["person_email"] = request.t("form_invalid_email")
            }
        } else if let id = Int(choice) {
            if try await AccountPeople(database: request.db).find(id: id, userId: try principal.user.requireID()) == nil {
                errors["person"] = request.t("person_choose")
            }
        } else {
            errors["person"] = request.t("person_choose")
        }
    }

    /// The author for a validated form; saves a new person for next time.
    static func resolve(_ input: Input, principal: PortalPrincipal, request: Request) async throws -> Author {
        let user = principal.user
        guard user.isShared else {
            return Author(name: user.displayName, personId: nil, email: user.email, phone: user.phone)
        }
        let people = AccountPeople(database: request.db)
        if let id = Int(input.person ?? ""), let person = try await people.find(id: id, userId: try user.requireID()) {
            return Author(name: person.displayName, personId: person.id, email: person.email, phone: person.phone)
        }
        let person = try await people.add(userId: try user.requireID(),
                                          firstName: (input.person_first_name ?? "").trimmed,
                                          lastName: (input.person_last_name ?? "").trimmed,
                                          email: (input.person_email ?? "").trimmed.nilIfEmpty,
                                          phone: (input.person_phone ?? "").trimmed.nilIfEmpty)
        return Author(name: person.displayName, personId: person.id, email: person.email, phone: person.phone)
    }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
    var nilIfEmpty: String? { isEmpty ? nil : self }
    /// The strict address rule (`EmailAddress`): nothing that could end an SMTP command or a header.
    var looksLikeEmail: Bool { EmailAddress.isValid(self) }
}
