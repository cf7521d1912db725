import CaseportCore
import CaseportStore
import FluentKit

/// Builds the notifications that go to the outbox, each in its recipient's language. `OutboxWorker`
/// delivers them (SMTP, SMS gateway); a notification about a case carries a signed reply address (B7).
/// Operations queue them in the transaction of the change that causes them.
public enum Notifications {
    public static func fill(_ template: String, _ values: [String: String]) -> String {
        values.reduce(template) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
    }

    /// The language a portal user chose, else the deployment's fallback.
    public static func language(of user: PortalUserRecord?) -> Language {
        user?.language.flatMap(Language.init(rawValue:)) ?? .fallback
    }

    /// B3/B5: a copy of what the writer sent, in the language they wrote in.
    public static func messageCopy(_ context: NotificationContext, language: Language, to email: String, caseNumber: Int,
                                   subject: String, body: String) -> OutboxRecord {
        let values = ["number": String(caseNumber), "subject": subject, "body": body]
        return OutboxRecord(kind: .messageCopy, recipient: email, language: language.rawValue,
                            subject: fill(context.text("mail_message_copy_subject", in: language), values),
                            body: fill(context.text("mail_message_copy_body", in: language), values))
    }

    /// B1: a copy of a new case. The case number is known only once saved; `{number}` is filled by the
    /// caller after creation.
    public static func caseCopy(_ context: NotificationContext, language: Language, to email: String, subject: String,
                                description: String) -> OutboxRecord {
        let values = ["subject": subject, "body": description]
        return OutboxRecord(kind: .caseCopy, recipient: email, language: language.rawValue,
                            subject: fill(context.text("mail_case_copy_subject", in: language), values),
                            body: fill(context.text("mail_case_copy_body", in: language), values))
    }

    /// A9: login details with a one-time link.
    public static func loginDetails(_ context: NotificationContext, to email: String, name: String, organisation: String,
                                    username: String, link: String, language: Language) -> OutboxRecord {
        let values = ["name": name, "organisation": organisation, "username": username, "link": link]
        return OutboxRecord(kind: .loginDetails, recipient: email, language: language.rawValue,
                            subject: fill(context.text("mail_login_details_subject", in: language), values),
                            body: fill(context.text("mail_login_details_body", in: language), values))
    }

    /// A9: a registration link.
    public static func registration(_ context: NotificationContext, language: Language, to email: String,
                                    link: String) -> OutboxRecord {
        OutboxRecord(kind: .registration, recipient: email, language: language.rawValue,
                     subject: context.text("mail_registration_subject", in: language),
                     body: fill(context.text("mail_registration_body", in: language), ["link": link]))
    }

    /// B4/B5: when the company writes on a case whose creator asked for SMS, a text to that phone.
    public static func companyWrote(_ context: NotificationContext, record: CaseRecord,
                                    on database: any Database) async throws -> [OutboxRecord] {
        guard let phone = record.smsPhone?.trimmingCharacters(in: .whitespaces), !phone.isEmpty,
              try await SettingsStore(database: database).load().smsEnabled else { return [] }
        var creator: PortalUserRecord?
        if let userId = record.createdByUserId { creator = try await PortalUserRecord.find(userId, on: database) }
        let language = Self.language(of: creator)
        let values = ["number": String(record.number), "subject": record.subject, "company": context.companyName,
                      "link": "\(context.publicBaseURL)/cases/\(record.number)"]
        return [OutboxRecord(channel: .sms, kind: .smsCompanyWrote, recipient: phone, language: language.rawValue,
                             subject: "", body: fill(context.text("sms_company_wrote", in: language), values), caseId: record.id)]
    }

    /// What the handler hears about (D4).
    public enum HandlerNotice: Sendable {
        case customerMessage, customerUpload

        var kind: OutboxKind {
            switch self {
            case .customerMessage: return .handlerCustomerMessage
            case .customerUpload: return .handlerCustomerUpload
            }
        }
    }

    /// D4: the case's handler hears when the customer writes or uploads.
    public static func toHandler(_ context: NotificationContext, caseId: Int, notice: HandlerNotice, author: String,
                                 text body: String, on database: any Database) async throws -> [OutboxRecord] {
        // One query (issue 17 point 5: this read the whole case and the whole staff record on every customer message).
        guard let facts = try await CaseConversation(database: database).handlerNoticeFacts(caseId: caseId) else { return [] }
        let (number, subject, email) = (facts.number, facts.subject, facts.email)
        let language = facts.language.flatMap(Language.init(rawValue:)) ?? .fallback
        let kind = notice.kind.rawValue
        let values = ["number": String(number), "subject": subject, "author": author, "text": body,
                      "link": "\(context.publicBaseURL)/staff/cases/\(number)"]
        return [OutboxRecord(kind: notice.kind, recipient: email, language: language.rawValue,
                             subject: fill(context.text("mail_\(kind)_subject", in: language), values),
                             body: fill(context.text("mail_\(kind)_body", in: language), values), caseId: caseId)]
    }

    /// A4: the lost-password link.
    public static func passwordReset(_ context: NotificationContext, user: PortalUserRecord, email: String,
                                     link: String) -> OutboxRecord {
        let language = Self.language(of: user)
        let values = ["name": user.displayName, "link": link]
        return OutboxRecord(kind: .passwordReset, recipient: email, language: language.rawValue,
                            subject: context.text("mail_password_reset_subject", in: language),
                            body: fill(context.text("mail_password_reset_body", in: language), values))
    }

    /// B6: the reminder that a resolved case waits for the customer's approval.
    public static func approvalReminder(_ context: NotificationContext, to email: String, language: Language,
                                        record: CaseRecord) -> OutboxRecord {
        let values = ["number": String(record.number), "subject": record.subject, "company": context.companyName,
                      "link": "\(context.publicBaseURL)/cases/\(record.number)"]
        return OutboxRecord(kind: .approvalReminder, recipient: email, language: language.rawValue,
                            subject: fill(context.text("mail_approval_reminder_subject", in: language), values),
                            body: fill(context.text("mail_approval_reminder_body", in: language), values), caseId: record.id)
    }

    /// B12: the customer's monthly report is ready in the portal's "Reports".
    public static func monthlyReport(_ context: NotificationContext, to email: String, language: Language,
                                     customerName: String, month: ReportMonth) -> OutboxRecord {
        let values = ["customer": customerName, "month": month.text, "company": context.companyName,
                      "link": "\(context.publicBaseURL)/reports"]
        return OutboxRecord(kind: .monthlyReport, recipient: email, language: language.rawValue,
                            subject: fill(context.text("mail_monthly_report_subject", in: language), values),
                            body: fill(context.text("mail_monthly_report_body", in: language), values))
    }

    // D2: the inquiry inbox.

    public static func inquiryCopy(_ context: NotificationContext, language: Language, to email: String, subject: String,
                                   description: String) -> OutboxRecord {
        let values = ["subject": subject, "body": description]
        return OutboxRecord(kind: .inquiryCopy, recipient: email, language: language.rawValue,
                            subject: fill(context.text("mail_inquiry_copy_subject", in: language), values),
                            body: fill(context.text("mail_inquiry_copy_body", in: language), values))
    }

    /// "Your inquiry is now case N": to the customer who sent it, by e-mail and (when SMS is on) SMS.
    /// The mail names the case (`caseId`), so it carries the case's Reply-To and an answer by mail lands
    /// on the case (B7) — also for a visitor whose unanswered chat became the inquiry (issue 15).
    public static func inquiryAccepted(_ context: NotificationContext, email: String?, phone: String?, sms: Bool,
                                       language: Language, caseNumber: Int, subject: String, caseId: Int? = nil) -> [OutboxRecord] {
        let values = ["number": String(caseNumber), "subject": subject]
        let t = { (key: String) in fill(context.text(key, in: language), values) }
        var rows: [OutboxRecord] = []
        if let email {
            rows.append(OutboxRecord(kind: .inquiryAccepted, recipient: email, language: language.rawValue,
                                     subject: t("mail_inquiry_accepted_subject"), body: t("mail_inquiry_accepted_body"), caseId: caseId))
        }
        if sms, let phone {
            rows.append(OutboxRecord(channel: .sms, kind: .inquiryAccepted, recipient: phone, language: language.rawValue,
                                     subject: "", body: t("sms_inquiry_accepted")))
        }
        return rows
    }

    /// "New case N for you": to the supplier assigned when the case was made from an inquiry, in the
    /// language of the staff member who assigned it.
    public static func supplierAssigned(_ context: NotificationContext, language: Language, email: String?, phone: String?,
                                        sms: Bool, caseNumber: Int, subject: String, address: String) -> [OutboxRecord] {
        let values = ["number": String(caseNumber), "subject": subject, "address": address]
        let t = { (key: String) in fill(context.text(key, in: language), values) }
        var rows: [OutboxRecord] = []
        if let email {
            rows.append(OutboxRecord(kind: .supplierAssigned, recipient: email, language: language.rawValue,
                                     subject: t("mail_supplier_assigned_subject"), body: t("mail_supplier_assigned_body")))
        }
        if sms, let phone {
            rows.append(OutboxRecord(channel: .sms, kind: .supplierAssigned, recipient: phone, language: language.rawValue,
                                     subject: "", body: t("sms_supplier_assigned")))
        }
        return rows
    }
}
