import CaseportCore
import CaseportStore
import FluentKit

extension Notifications {
    /// What happened on a case that its customer hears about by e-mail (issue 11, point 2).
    public enum CaseNews: Sendable, Equatable {
        /// A public message from staff (internal notes are never news).
        case staffMessage(body: String)
        /// A status change; only "waiting for customer", "resolved" and "closed" are mailed.
        case statusChanged(to: CaseStatus)
        /// A case staff registered for the customer (origin "by the company").
        case created

        public static let mailedStatuses: Set<CaseStatus> = [.waitingForCustomer, .resolved, .closed]

        var kind: OutboxKind {
            switch self {
            case .staffMessage: return .customerCaseMessage
            case .statusChanged: return .customerCaseStatus
            case .created: return .customerCaseCreated
            }
        }

        /// The locale keys of the mail's subject and body.
        var keys: (subject: String, body: String)? {
            switch self {
            case .staffMessage: return ("mail_case_message_subject", "mail_case_message_body")
            case .created: return ("mail_case_created_subject", "mail_case_created_body")
            case .statusChanged(let status):
                guard Self.mailedStatuses.contains(status) else { return nil }
                return ("mail_case_status_subject", "mail_case_status_\(status.rawValue)_body")
            }
        }
    }

    /// The customer's e-mails about `news` on the case: one per recipient of `CaseRecipients` (creator and
    /// linked contacts with an address, each once, users who turned these mails off left out), in each
    /// recipient's language, with the case id set — so the outbox worker gives each the case's signed
    /// reply address (B7) and an answer lands on the case. Returns [] for news that is not mailed.
    /// Insert the rows in the transaction of the change (`row.create(on: tx)`).
    public static func customerCaseNews(_ context: NotificationContext, record: CaseRecord, news: CaseNews,
                                        on database: any Database) async throws -> [OutboxRecord] {
        guard let keys = news.keys else { return [] }
        let recipients = try await CaseRecipients.of(record, respectingOptOut: true, on: database)
        let caseId = try record.requireID()
        return recipients.map { recipient in
            let language = recipient.language
            var values = ["number": String(record.number), "subject": record.subject, "company": context.companyName,
                          "link": "\(context.publicBaseURL)/cases/\(record.number)"]
            switch news {
            case .staffMessage(let body): values["text"] = body
            case .statusChanged(let status): values["status"] = context.text("status_\(status.rawValue)", in: language)
            case .created: values["text"] = record.description
            }
            let footer = context.text("mail_case_footer", in: language)
            return OutboxRecord(kind: news.kind, recipient: recipient.email, language: language.rawValue,
                                subject: fill(context.text(keys.subject, in: language), values),
                                body: fill(context.text(keys.body, in: language), values) + "\n\n" + footer, caseId: caseId)
        }
    }
}
