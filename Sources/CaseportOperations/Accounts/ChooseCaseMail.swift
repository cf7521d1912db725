import CaseportCore
import CaseportStore
import FluentKit

/// Issue 11, point 2: a portal user turns the e-mails about their cases (a public message from staff,
/// "waiting for you", "resolved", "closed") on or off for themselves. The approval reminder is not
/// affected: without it a resolved case would close unseen. Returns whether anything changed.
public enum ChooseCaseMail {
    @discardableResult
    public static func run(wanted: Bool, by actor: PortalActor, in context: OperationContext) async throws -> Bool {
        // A fresh record: the session's copy is shared between requests.
        guard let user = try await PortalUserRecord.find(actor.userId, on: context.database) else { throw OperationError.notFound }
        let off = !wanted
        guard (user.caseMailOff ?? false) != off else { return false }
        user.caseMailOff = off ? true : nil
        try await user.save(on: context.database)
        return true
    }
}
