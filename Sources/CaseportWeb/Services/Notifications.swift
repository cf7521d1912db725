import CaseportCore
import CaseportStore
import Vapor

/// Builds the notifications that go to the outbox, in the recipient's language. `OutboxWorker` delivers
/// them (SMTP, SMS gateway); a notification about a case carries a signed reply address (B7).
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

    static func text(_ request: Request, _ key: String, _ language: Language) -> String {
        request.caseport.translations.text(key, in: language)
    }

    /// The language a portal user chose, else the deployment's fallback.
    static func language(of user: PortalUserRecord?) -> Language {
        user?.language.flatMap(Language.init(rawValue:)) ?? .fallback
    }

    /// B4/B5: when the company writes on a case whose creator asked for SMS, a text to that phone.
    static func companyWrote(_ request: Request, record: CaseRecord) async throws -> [OutboxRecord] {
        guard let phone = record.smsPhone?.trimmingCharacters(in: .whitespaces), !phone.isEmpty,
              try await SettingsStore(database: request.db).load().smsEnabled else { return [] }
        var creator: PortalUserRecord?
        if let userId = record.createdByUserId { creator = try await PortalUserRecord.find(userId, on: request.db) }
        let language = Self.language(of: creator)
        let values = ["number": String(record.number), "subject": record.subject, "company": request.caseport.config.delivery.companyName,
                      "link": "\(request.publicBaseURL)/cases/\(record.number)"]
        return [OutboxRecord(channel: "sms", kind: "sms_company_wrote", recipient: phone, language: language.rawValue,
                             subject: "", body: fill(text(request, "sms_company_wrote", language), values), caseId: record.id)]
    }

    /// D4: the case's handler hears when the customer writes or uploads.
    static func toHandler(_ request: Request, caseId: Int, kind: String, author: String, text body: String) async throws -> [OutboxRecord] {
        guard let record = try await CaseRecord.find(caseId, on: request.db), let handlerId = record.handlerId,
              let handler = try await StaffUserRecord.find(handlerId, on: request.db) else { return [] }
        let language = handler.language.flatMap(Language.init(rawValue:)) ?? .fallback
        let values = ["number": String(record.number), "subject": record.subject, "author": author, "text": body,
                      "link": "\(request.publicBaseURL)/staff/cases/\(record.number)"]
        return [OutboxRecord(kind: kind, recipient: handler.email, language: language.rawValue,
                             subject: fill(text(request, "mail_\(kind)_subject", language), values),
                             body: fill(text(request, "mail_\(kind)_body", language), values), caseId: caseId)]
    }

    /// A4: the lost-password link.
    static func passwordReset(_ request: Request, user: PortalUserRecord, email: String, link: String) -> OutboxRecord {
        let language = Self.language(of: user)
        let values = ["name": user.displayName, "link": link]
        return OutboxRecord(kind: "password_reset", recipient: email, language: language.rawValue,
                            subject: text(request, "mail_password_reset_subject", language),
                            body: fill(text(request, "mail_password_reset_body", language), values))
    }

    /// B6: the reminder that a resolved case waits for the customer's approval.
    static func approvalReminder(translations: Translations, baseURL: String, to email: String, language: Language,
                                 record: CaseRecord, company: String) -> OutboxRecord {
        let values = ["number": String(record.number), "subject": record.subject, "company": company,
                      "link": "\(baseURL)/cases/\(record.number)"]
        return OutboxRecord(kind: "approval_reminder", recipient: email, language: language.rawValue,
                            subject: fill(translations.text("mail_approval_reminder_subject", in: language), values),
                            body: fill(translations.text("mail_approval_reminder_body", in: language), values), caseId: record.id)
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
