import CaseportCore
import CaseportStore
import FluentKit

/// A7: "the cases the contact is linked to" — staff link further contacts to a case, or unlink them.
/// What a contact's portal users see changes with it, so each is also an access change in the audit
/// log (E5), beside the case event (staff only).
public enum LinkCaseContact {
    public enum Field: String, Hashable, Sendable { case contact }

    public static func run(caseNumber: Int, contact: ChosenId, by actor: StaffActor, in context: OperationContext) async throws
        -> Outcome<Int, Field> {
        let record = try await StaffCaseLookup.find(number: caseNumber, in: context)
        let caseId = try record.requireID()
        var problems = Problems<Field>()
        var found: ContactRecord?
        switch contact {
        case .none: problems.add(.contact, ProblemKey.required)
        case .invalid: problems.add(.contact, ProblemKey.chooseFromList)
        case .id(let id):
            found = try await ContactRecord.find(id, on: context.database)
            if found?.isActive != true { problems.add(.contact, ProblemKey.chooseFromList) }
        }
        guard problems.isEmpty, let found else { return .problems(problems) }
        let contactId = try found.requireID()
        if try await CaseContacts(database: context.database).linked(caseId: caseId).contains(where: { $0.contactId == contactId }) {
            problems.add(.contact, "staff_error_contact_linked")
            return .problems(problems)
        }
        try await context.database.transaction { tx in
            try await CaseContacts(database: tx).link(caseId: caseId, contactId: contactId)
            try await context.audit(.accessChanged, by: actor.auditActor, subject: CaseContactAudit.subject(found),
                                    details: "linked to case \(record.number)", on: tx)
            try await CaseEvents.append(.contactLinked(name: found.displayName), caseId: caseId, by: actor.eventActor,
                                        at: context.now, on: tx)
        }
        return .done(record.number)
    }
}

public enum UnlinkCaseContact {
    /// The primary contact stays (it is the case's contact person): `OperationError.notAllowedNow`.
    public static func run(caseNumber: Int, contactId: Int, by actor: StaffActor, in context: OperationContext) async throws -> Int {
        let record = try await StaffCaseLookup.find(number: caseNumber, in: context)
        let caseId = try record.requireID()
        guard let linked = try await CaseContacts(database: context.database).linked(caseId: caseId)
            .first(where: { $0.contactId == contactId }),
              let contact = try await ContactRecord.find(contactId, on: context.database) else { throw OperationError.notFound }
        guard !linked.isPrimary else { throw OperationError.notAllowedNow }
        try await context.database.transaction { tx in
            guard try await CaseContacts(database: tx).unlink(caseId: caseId, contactId: contactId) else { throw OperationError.notFound }
            try await context.audit(.accessChanged, by: actor.auditActor, subject: CaseContactAudit.subject(contact),
                                    details: "unlinked from case \(record.number)", on: tx)
            try await CaseEvents.append(.contactUnlinked(name: contact.displayName), caseId: caseId, by: actor.eventActor,
                                        at: context.now, on: tx)
        }
        return record.number
    }
}

enum CaseContactAudit {
    static func subject(_ contact: ContactRecord) -> String {
        "contact \(contact.id.map(String.init) ?? "") \(contact.firstName) \(contact.lastName)"
    }
}
