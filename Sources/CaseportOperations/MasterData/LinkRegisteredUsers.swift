import CaseportCore
import CaseportStore
import FluentKit

/// A5 (LF seed): a registered user is linked to the contact with their e-mail address not only when they
/// confirm, but also when that address appears on a contact of their organisation later — a contact
/// staff create, edit or link to the organisation (or one of its objects), or one the CSV import adds.
/// Called inside the transaction of that change; each link is an `access_changed` audit line (E5).
enum LinkRegisteredUsers {
    @discardableResult
    static func run(contactIds: [Int], by actor: AuditActor, in context: OperationContext, on tx: any Database) async throws -> Int {
        guard !contactIds.isEmpty else { return 0 }
        let waiting = try await RegistrationContacts.waitingUsers(contactIds: contactIds, on: tx)
        for (userId, contactId) in waiting {
            // Only still unlinked: two changes at once link a user once.
            try await PortalUserRecord.query(on: tx).filter(\.$id == userId).filter(\.$contactId == nil)
                .set(\.$contactId, to: contactId).update()
            try await context.audit(.accessChanged, by: actor, subject: "portal user \(userId)",
                                    details: "linked to contact \(contactId) by its e-mail address", on: tx)
        }
        return waiting.count
    }
}
