import CaseportCore
import CaseportStore
import Vapor

/// Builds the notifications that go to the outbox, in the recipient's language. Delivery (SMTP, SMS)
/// comes with the notifications issue; until then they are stored, never lost.
enum Notifications {
    static func fill(_ template: String, _ values: [String: String]) -> String {
        values.reduce(template) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
    }

    static func messageCopy(_ request: Request, to email: String, caseNumber: Int, subject: String, body: String) -> OutboxRecord {
        let values = ["number": String(caseNumber), "subject": subject, "body": body]
        return OutboxRecord(kind: "message_copy", recipient: email, language: request.language.rawValue,
                            subject: fill(request.t("mail_message_copy_subject"), values),
                            body: fill(request.t("mail_message_copy_body"), values))
    }

    static func caseCopy(_ request: Request, to email: String, subject: String, description: String) -> OutboxRecord {
        // The case number is known only once saved; `{number}` is filled by the caller after creation.
        let values = ["subject": subject, "body": description]
        return OutboxRecord(kind: "case_copy", recipient: email, language: request.language.rawValue,
                            subject: fill(request.t("mail_case_copy_subject"), values),
                            body: fill(request.t("mail_case_copy_body"), values))
    }

    static func loginDetails(_ request: Request, to email: String, name: String, organisation: String,
                             username: String, link: String, language: Language) -> OutboxRecord {
        let values = ["name": name, "organisation": organisation, "username": username, "link": link]
        let t = { (key: String) in request.caseport.translations.text(key, in: language) }
        return OutboxRecord(kind: "login_details", recipient: email, language: language.rawValue,
                            subject: fill(t("mail_login_details_subject"), values),
                            body: fill(t("mail_login_details_body"), values))
    }

    static func registration(_ request: Request, to email: String, link: String) -> OutboxRecord {
        let values = ["link": link]
        return OutboxRecord(kind: "registration", recipient: email, language: request.language.rawValue,
                            subject: request.t("mail_registration_subject"),
                            body: fill(request.t("mail_registration_body"), values))
    }
}
