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

    // D2: the inquiry inbox.

    static func inquiryCopy(_ request: Request, to email: String, subject: String, description: String) -> OutboxRecord {
        let values = ["subject": subject, "body": description]
        return OutboxRecord(kind: "inquiry_copy", recipient: email, language: request.language.rawValue,
                            subject: fill(request.t("mail_inquiry_copy_subject"), values),
                            body: fill(request.t("mail_inquiry_copy_body"), values))
    }

    /// "Your inquiry is now case N": to the customer who sent it, by e-mail and (when SMS is on) SMS.
    static func inquiryAccepted(_ request: Request, email: String?, phone: String?, sms: Bool, language: Language,
                                caseNumber: Int, subject: String) -> [OutboxRecord] {
        let values = ["number": String(caseNumber), "subject": subject]
        let t = { (key: String) in fill(request.caseport.translations.text(key, in: language), values) }
        var rows: [OutboxRecord] = []
        if let email {
            rows.append(OutboxRecord(kind: "inquiry_accepted", recipient: email, language: language.rawValue,
                                     subject: t("mail_inquiry_accepted_subject"), body: t("mail_inquiry_accepted_body")))
        }
        if sms, let phone {
            rows.append(OutboxRecord(channel: "sms", kind: "inquiry_accepted", recipient: phone, language: language.rawValue,
                                     subject: "", body: t("sms_inquiry_accepted")))
        }
        return rows
    }

    /// "New case N for you": to the supplier assigned when the case was made from an inquiry.
    static func supplierAssigned(_ request: Request, email: String?, phone: String?, sms: Bool, caseNumber: Int,
                                 subject: String, address: String) -> [OutboxRecord] {
        let values = ["number": String(caseNumber), "subject": subject, "address": address]
        let t = { (key: String) in fill(request.t(key), values) }
        var rows: [OutboxRecord] = []
        if let email {
            rows.append(OutboxRecord(kind: "supplier_assigned", recipient: email, language: request.language.rawValue,
                                     subject: t("mail_supplier_assigned_subject"), body: t("mail_supplier_assigned_body")))
        }
        if sms, let phone {
            rows.append(OutboxRecord(channel: "sms", kind: "supplier_assigned", recipient: phone, language: request.language.rawValue,
                                     subject: "", body: t("sms_supplier_assigned")))
        }
        return rows
    }
}
