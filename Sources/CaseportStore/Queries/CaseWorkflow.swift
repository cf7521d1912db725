import CaseportCore
import FluentKit
import Foundation
import SQLKit

/// Status moves that follow from what the customer does rather than from a staff choice (issue 12).
public enum CaseWorkflow {
    /// A customer's answer (a portal message or an e-mail reply) hands a case that waited for them
    /// back to the company: "waiting for customer" becomes "in progress", with a status event by the
    /// customer. Any other status is left alone. Call it inside the transaction that stores the answer.
    /// - Returns: whether the case moved.
    @discardableResult
    public static func returnToCompany(caseId: Int, by actor: EventActor, at now: Date, on tx: any Database) async throws -> Bool {
        // One conditional UPDATE (issue 17 point 5: every portal message read the whole case here to look
        // at its status); it moves the case only while it waits, and says whether it did.
        let moved = try await tx.requireSQL().raw("""
            UPDATE cases SET status = \(bind: CaseStatus.open.rawValue), last_activity_at = \(bind: now),
                             version = version + 1, updated_at = \(bind: now)
            WHERE id = \(bind: caseId) AND status = \(bind: CaseStatus.waitingForCustomer.rawValue)
            RETURNING id
            """).first()
        guard moved != nil else { return false }
        try await CaseEvents.append(.statusChanged(from: .waitingForCustomer, to: .open), caseId: caseId, by: actor, at: now, on: tx)
        return true
    }
}
