import CaseportCore
import CaseportStore

extension Notifications {
    /// Issue 16: an administrator hears that a webhook was switched off after a day of failures.
    static func webhookDisabled(_ context: NotificationContext, to admin: StaffUserRecord, url: String,
                                subscriptionId: Int) -> OutboxRecord {
        let language = admin.language.flatMap(Language.init(rawValue:)) ?? .fallback
        let values = ["url": url, "link": "\(context.publicBaseURL)/staff/settings/webhooks/\(subscriptionId)"]
        return OutboxRecord(kind: .webhookDisabled, recipient: admin.email, language: language.rawValue,
                            subject: fill(context.text("mail_webhook_disabled_subject", in: language), values),
                            body: fill(context.text("mail_webhook_disabled_body", in: language), values))
    }
}
