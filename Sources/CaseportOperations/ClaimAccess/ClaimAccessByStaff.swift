import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// Issue 13 (A10, seed 002 "Kundekontakt"): staff give a case contact access to the claim's customer
/// page — a new personal link, sent at once — or take it away. Granting again is "send a fresh link":
/// the contact's earlier links stop working in the same transaction. Each writes an audit line.
public enum GrantClaimAccess {
    public enum Field: String, Sendable, Hashable { case contact }

    public struct Done: Sendable, Equatable {
        public var linkId: Int
        /// Earlier links of the contact that stopped working (a fresh link).
        public var replaced: Int
        public var channels: [String]
    }

    public static func run(caseNumber: Int, contactId: Int, by actor: StaffActor,
                           in context: OperationContext) async throws -> Outcome<Done, Field> {
        guard let record = try await StaffCases(database: context.database).find(number: caseNumber),
              let caseId = record.id else { throw OperationError.notFound }
        let links = ClaimLinks(database: context.database)
        guard let state = try await links.caseState(caseId: caseId), state.isClaim else { throw OperationError.notAllowedNow }
        var problems = Problems<Field>()
        guard let contact = try await links.contacts(caseId: caseId).first(where: { $0.contactId == contactId }) else {
            problems.add(.contact, ProblemKey.chooseFromList)
            return .problems(problems)
        }
        let smsEnabled = try await SettingsStore(database: context.database).load().smsEnabled
        let channels = ClaimLinkSending.channels(email: contact.email, phone: contact.phone, smsEnabled: smsEnabled)
        if !contact.isActive {
            problems.add(.contact, "claimaccess_error_inactive")
        } else if channels.isEmpty {
            problems.add(.contact, smsEnabled ? "claimaccess_error_no_address" : "claimaccess_error_no_email")
        }
        let settings = try await ClaimSettingsStore(database: context.database).levels(caseId: caseId).effective
        if ClaimLinkRules.isExpired(closedAt: state.closedAt, days: settings.daysAfterClose, now: context.now) {
            problems.add(.contact, "claimaccess_error_expired")
        }
        guard problems.isEmpty else { return .problems(problems) }
        return .done(try await context.database.transaction { tx in
            let replaced = try await ClaimLinks(database: tx).revoke(caseId: caseId, contactId: contactId, now: context.now)
            let link = try await ClaimLinkSending.send(
                caseState: state,
                to: .init(contactId: contactId, name: contact.name, email: contact.email, phone: contact.phone, language: contact.language),
                trigger: .manual, staffId: actor.staffId, smsEnabled: smsEnabled, context: context, on: tx)
            try await context.audit(.claimLinkGranted, by: actor.auditActor, subject: "case:\(caseNumber)",
                                    details: "link:\(try link.requireID()) contact:\(contactId)\(replaced > 0 ? " replaced:\(replaced)" : "")",
                                    on: tx)
            return Done(linkId: try link.requireID(), replaced: replaced, channels: channels.map(\.rawValue))
        })
    }
}

public enum RevokeClaimAccess {
    /// Revokes the contact's working links on the case (their open pages stop at the next request).
    /// Returns how many links stopped working; 0 when there were none (nothing is written then).
    @discardableResult
    public static func run(caseNumber: Int, contactId: Int, by actor: StaffActor, in context: OperationContext) async throws -> Int {
        guard let record = try await StaffCases(database: context.database).find(number: caseNumber),
              let caseId = record.id else { throw OperationError.notFound }
        return try await context.database.transaction { tx in
            let count = try await ClaimLinks(database: tx).revoke(caseId: caseId, contactId: contactId, now: context.now)
            if count > 0 {
                try await context.audit(.claimLinkRevoked, by: actor.auditActor, subject: "case:\(caseNumber)",
                                        details: "contact:\(contactId)", on: tx)
            }
            return count
        }
    }
}
