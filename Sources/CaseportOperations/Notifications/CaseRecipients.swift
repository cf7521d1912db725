import CaseportCore
import CaseportStore
import FluentKit

/// Who hears about a case by e-mail (issue 11, B7): the case's creator and the contacts linked to the
/// case that have an address, each address once, each in their own language.
public struct CaseRecipient: Sendable, Equatable {
    public var email: String
    public var language: Language
}

public enum CaseRecipients {
    /// - Parameter respectingOptOut: leave out users who turned the case mails off (their own
    ///   settings). The approval reminder passes false: it is the one mail whose absence closes a case.
    public static func of(_ record: CaseRecord, respectingOptOut: Bool, on db: any Database) async throws -> [CaseRecipient] {
        var found: [CaseRecipient] = []
        var seen: Set<String> = []
        func add(_ email: String?, _ language: Language) {
            guard let email = email?.trimmingCharacters(in: .whitespaces), !email.isEmpty, EmailAddress.isValid(email),
                  seen.insert(email.lowercased()).inserted else { return }
            found.append(CaseRecipient(email: email, language: language))
        }
        // The creator: on a shared account (A8) the person who wrote the case, else the user.
        if let userId = record.createdByUserId, let user = try await PortalUserRecord.find(userId, on: db), user.isActive {
            let muted = respectingOptOut && user.caseMailOff == true
            if !muted {
                var email = user.email
                if let personId = record.createdByPersonId,
                   let personEmail = try await AccountPeople(database: db).find(id: personId, userId: userId)?.email,
                   !personEmail.trimmingCharacters(in: .whitespaces).isEmpty {
                    email = personEmail
                }
                // Without an address of their own, the copy address they typed on the case.
                add(email ?? record.copyEmail, Notifications.language(of: user))
            } else {
                // The user's own address is muted; a contact of theirs with the same address stays muted too.
                if let email = user.email { seen.insert(email.lowercased()) }
            }
        }
        // The linked contacts, each with its portal user's language and opt-out, in one query.
        for contact in try await CaseContacts(database: db).mailFacts(caseId: record.requireID()) where contact.isActive {
            // A contact's portal user decides the language and the opt-out.
            if respectingOptOut, contact.userCaseMailOff == true {
                if let email = contact.email { seen.insert(email.lowercased()) }
                continue
            }
            add(contact.email, contact.userLanguage.flatMap(Language.init(rawValue:)) ?? .fallback)
        }
        return found
    }

    /// The case's language: its creator's, else the language of the first linked contact's user,
    /// else the deployment's fallback. Texts the system writes on a case (the auto-close message) use it.
    public static func language(of record: CaseRecord, on db: any Database) async throws -> Language {
        if let userId = record.createdByUserId, let user = try await PortalUserRecord.find(userId, on: db),
           let language = user.language.flatMap(Language.init(rawValue:)) {
            return language
        }
        let contactIds = try await CaseContactLink.query(on: db).filter(\.$caseId == record.requireID())
            .sort(\.$isPrimary, .descending).sort(\.$id).all().map(\.contactId)
        if !contactIds.isEmpty {
            let users = try await PortalUserRecord.query(on: db).filter(\.$contactId ~~ contactIds).sort(\.$id).all()
            for contactId in contactIds {
                if let language = users.first(where: { $0.contactId == contactId })?.language.flatMap(Language.init(rawValue:)) {
                    return language
                }
            }
        }
        return .fallback
    }
}
