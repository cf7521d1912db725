import CaseportCore
import CaseportStore

extension Notifications {
    /// B10: "a specification waits for your approval" and its reminder, with a link to it in the portal.
    public static func specificationMail(_ context: NotificationContext, kind: OutboxKind, to email: String, language: Language,
                                         spec: InvoiceSpecificationRecord) -> OutboxRecord {
        let values = ["number": String(spec.number), "title": spec.title, "company": context.companyName,
                      "total": Money(minor: spec.grossMinor).formatted(language),
                      "link": "\(context.publicBaseURL)/specifications/\(spec.id.map(String.init) ?? "")"]
        let prefix = kind == .specificationReminder ? "mail_spec_reminder" : "mail_spec_waiting"
        return OutboxRecord(kind: kind, recipient: email, language: language.rawValue,
                            subject: fill(context.text("\(prefix)_subject", in: language), values),
                            body: fill(context.text("\(prefix)_body", in: language), values))
    }
}
