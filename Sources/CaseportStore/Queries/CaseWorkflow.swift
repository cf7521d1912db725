import CaseportCore
import FluentKit
import Foundation

/// Status moves that follow from what the customer does rather than from a staff choice (issue 12).
public enum CaseWorkflow {
    /// A customer's answer (a portal message or an e-mail reply) hands a case that waited for them
    /// back to the company: "waiting for customer" becomes "in progress", with a status event by the
    /// customer. Any other status is left alone. Call it inside the transaction that stores the answer.
    /// - Returns: whether the case moved.
    @discardableResult
    public static func returnToCompany(caseId: Int, by actor: EventActor, at now: Date, on tx: any Database) async throws -> Bool {
        guard let record = try await CaseRecord.find(caseId, on: tx), record.status == .waitingForCustomer else { return false }
        record.status = .open
        record.lastActivityAt = now
        record.version += 1
        record.updatedAt = now
        try await record.update(on: tx)
        try await CaseEvents.append(.statusChanged(from: .waitingForCustomer, to: .open), caseId: caseId, by: actor, at: now, on: tx)
        return true
    }
}
