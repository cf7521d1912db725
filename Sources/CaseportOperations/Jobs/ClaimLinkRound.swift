import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// Issue 13 (C7): one round of automatic personal links. For each open claim whose effective "link
/// sent" moment (at creation, first inspection, positive decision) has been reached, every recipient
/// the settings name gets a link — exactly once per trigger: the sending is recorded under the unique
/// (case, contact, trigger) key in the transaction that makes and queues the link, so two servers
/// running the round at once, or a round retried after a failure, send nothing twice. A recipient who
/// already had a link on the case (granted by hand, or revoked by staff) gets none: the sending is
/// recorded without a message, and a revocation stands. A recipient with no address is left for a
/// later round (staff may add one). "Only manually" sends nothing.
public enum ClaimLinkRound {
    /// Returns how many links were sent. `caseNumbers`: only these claims (the ones staff just changed,
    /// `ClaimLinkWakeUps`); nil: every open claim.
    @discardableResult
    public static func run(in context: OperationContext, caseNumbers: Set<Int>? = nil) async throws -> Int {
        let db = context.database
        let links = ClaimLinks(database: db)
        let store = ClaimSettingsStore(database: db)
        let smsEnabled = try await SettingsStore(database: db).load().smsEnabled
        var sent = 0
        for caseId in try await links.openClaimIds(numbers: caseNumbers) {
            let settings = try await store.levels(caseId: caseId).effective
            guard settings.linkSent != .manual,
                  try await store.progress(caseId: caseId).hasReached(settings.linkSent),
                  let state = try await links.caseState(caseId: caseId) else { continue }
            for contact in try await ClaimLinkSending.recipients(of: state, settings: settings, on: db) {
                guard !ClaimLinkSending.channels(email: contact.email, phone: contact.phone, smsEnabled: smsEnabled).isEmpty
                else { continue }
                let didSend = try await db.transaction { tx -> Bool in
                    let txLinks = ClaimLinks(database: tx)
                    guard let sendId = try await txLinks.recordSend(caseId: caseId, contactId: contact.contactId,
                                                                     trigger: settings.linkSent, now: context.now) else { return false }
                    if try await txLinks.hasAnyLink(caseId: caseId, contactId: contact.contactId) { return false }
                    let link = try await ClaimLinkSending.send(
                        caseState: state,
                        to: .init(contactId: contact.contactId, name: contact.name, email: contact.email, phone: contact.phone,
                                  language: contact.language),
                        trigger: settings.linkSent, staffId: nil, smsEnabled: smsEnabled, context: context, on: tx)
                    try await txLinks.attach(sendId: sendId, linkId: try link.requireID())
                    try await context.audit(.claimLinkGranted, by: .system, subject: "case:\(state.number)",
                                            details: "link:\(try link.requireID()) contact:\(contact.contactId) trigger:\(settings.linkSent.rawValue)",
                                            on: tx)
                    return true
                }
                if didSend { sent += 1 }
            }
        }
        return sent
    }
}
