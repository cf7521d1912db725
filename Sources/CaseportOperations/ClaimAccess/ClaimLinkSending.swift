import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// Issue 13 (A10, C7): making a personal link for one recipient and queuing it — by e-mail when an
/// address is known, by SMS when the deployment sends SMS and a phone is known — in the recipient's
/// language, in the caller's transaction.
enum ClaimLinkSending {
    /// How the link can reach a recipient; empty: not at all.
    static func channels(email: String?, phone: String?, smsEnabled: Bool) -> [OutboxChannel] {
        var channels: [OutboxChannel] = []
        if let email, EmailAddress.isValid(email) { channels.append(.email) }
        if smsEnabled, let phone, !phone.isEmpty { channels.append(.sms) }
        return channels
    }

    /// Makes the link and queues it; returns the link.
    static func send(caseState: ClaimLinks.CaseState, to recipient: ClaimLinks.Recipient, trigger: ClaimLinkTrigger,
                     staffId: Int?, smsEnabled: Bool, context: OperationContext,
                     on db: any Database) async throws -> ClaimLinkRecord {
        let made = try await ClaimLinks(database: db).create(caseId: caseState.caseId, for: recipient, trigger: trigger,
                                                             staffId: staffId, now: context.now)
        let notify = context.notifications
        let language = recipient.language
        let values = ["number": String(caseState.number), "company": notify.companyName, "name": recipient.name,
                      "link": "\(notify.publicBaseURL)/c/\(made.token)"]
        let fill = Notifications.fill
        for channel in channels(email: recipient.email, phone: recipient.phone, smsEnabled: smsEnabled) {
            switch channel {
            case .email:
                try await OutboxRecord(kind: .claimLink, recipient: recipient.email!, language: language.rawValue,
                                       subject: fill(notify.text("claimaccess_mail_subject", in: language), values),
                                       body: fill(notify.text("claimaccess_mail_body", in: language), values),
                                       caseId: caseState.caseId).create(on: db)
            case .sms:
                try await OutboxRecord(channel: .sms, kind: .claimLink, recipient: recipient.phone!, language: language.rawValue,
                                       subject: "", body: fill(notify.text("claimaccess_sms_link", in: language), values),
                                       caseId: caseState.caseId).create(on: db)
            }
        }
        return made.link
    }

    /// The recipients the effective settings name on a claim (C7): by their role on the case and the
    /// policyholder's customer type. Inactive contacts get nothing.
    static func recipients(of state: ClaimLinks.CaseState, settings: ClaimPageSettings,
                           on db: any Database) async throws -> [ClaimLinks.CaseContact] {
        guard state.isClaim, ClaimLinkRules.allows(state.policyholderType, under: settings.customerTypes) else { return [] }
        return try await ClaimLinks(database: db).contacts(caseId: state.caseId).filter {
            $0.isActive && ClaimLinkRules.receives(role: $0.role, under: settings.recipients)
        }
    }
}
