import CaseportCore
import Foundation

/// How notifications leave Caseport (E1) and the timing of background jobs (B6), from the environment:
///
/// - `SMTP_HOST`, `SMTP_PORT` (25, 465 with tls, 587 with starttls), `SMTP_USER`, `SMTP_PASSWORD`,
///   `SMTP_SECURITY` (none | starttls | tls), `MAIL_FROM` (required with SMTP_HOST), `SMTP_CA_FILE`
/// - `SMS_GATEWAY_URL`, `SMS_GATEWAY_TOKEN`: a JSON POST `{"to": …, "text": …}` with a bearer token
/// - `CASEPORT_COMPANY_NAME`: the name mails are sent under (default "Caseport")
/// - `MAIL_REPLY_ADDRESS`: e.g. `reply@portal.example.com`; notifications about a case then carry
///   `Reply-To: reply+<signed token>@portal.example.com`, which `caseport mailgate` reads (B7)
/// - `CASEPORT_SECRET`: the key that signs reply tokens (else one is generated and kept in settings)
/// - `OUTBOX_MAX_ATTEMPTS` (default 8), `OUTBOX_CONCURRENCY` (parallel SMTP connections, default 4)
/// - `APPROVAL_REMINDER_DAYS`: days a resolved case waits before the reminder (default 5)
public struct DeliveryConfig: Sendable {
    public var smtp: SMTPSettings?
    public var smsGatewayURL: String?
    public var smsGatewayToken: String?
    public var companyName = "Caseport"
    /// CASEPORT_PUBLIC_URL (read by `AppConfig`), for links and the logo in HTML mail.
    public var publicURL: String?
    public var replyAddress: String?
    public var secret: String?
    public var maxAttempts = 8
    public var concurrency = 4
    /// How long a claimed row stays with its worker before another may take it (a killed server's rows).
    public var lease: TimeInterval = 120
    public var approvalReminderAfter: TimeInterval = 5 * 24 * 3_600

    public init() {}

    public static func from(environment: [String: String]) throws -> DeliveryConfig {
        func value(_ key: String) -> String? {
            environment[key].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        func number(_ key: String, _ range: ClosedRange<Int>) throws -> Int? {
            guard let raw = value(key) else { return nil }
            guard let parsed = Int(raw), range.contains(parsed) else {
                throw AppConfig.Problem(description: "\(key) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \"\(raw)\"")
            }
            return parsed
        }
        var config = DeliveryConfig()
        if let host = value("SMTP_HOST") {
            let securityRaw = value("SMTP_SECURITY") ?? "none"
            guard let security = SMTPSettings.Security(rawValue: securityRaw.lowercased()) else {
                throw AppConfig.Problem(description: "SMTP_SECURITY must be none, starttls or tls, not \"\(securityRaw)\"")
            }
            guard let from = value("MAIL_FROM"), EmailAddress.isValid(from) else {
                throw AppConfig.Problem(description: "MAIL_FROM must be set to the sender address (e.g. support@example.com) when SMTP_HOST is set")
            }
            let port = try number("SMTP_PORT", 1...65_535) ?? (security == .tls ? 465 : security == .starttls ? 587 : 25)
            config.smtp = SMTPSettings(host: host, port: port, user: value("SMTP_USER"), password: environment["SMTP_PASSWORD"],
                                       security: security, from: from)
            config.smtp?.caFile = value("SMTP_CA_FILE")
        }
        if let url = value("SMS_GATEWAY_URL") {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? "") else {
                throw AppConfig.Problem(description: "SMS_GATEWAY_URL must be an http(s) address, not \"\(url)\"")
            }
            config.smsGatewayURL = url
            config.smsGatewayToken = value("SMS_GATEWAY_TOKEN")
        }
        if let name = value("CASEPORT_COMPANY_NAME") { config.companyName = name }
        if let reply = value("MAIL_REPLY_ADDRESS") {
            guard EmailAddress.isValid(reply) else {
                throw AppConfig.Problem(description: "MAIL_REPLY_ADDRESS must be an e-mail address such as reply@portal.example.com, not \"\(reply)\"")
            }
            config.replyAddress = reply
        }
        config.secret = value("CASEPORT_SECRET")
        if let attempts = try number("OUTBOX_MAX_ATTEMPTS", 1...100) { config.maxAttempts = attempts }
        if let concurrency = try number("OUTBOX_CONCURRENCY", 1...64) { config.concurrency = concurrency }
        if let lease = try number("OUTBOX_LEASE_SECONDS", 5...86_400) { config.lease = TimeInterval(lease) }
        if let days = try number("APPROVAL_REMINDER_DAYS", 1...365) { config.approvalReminderAfter = TimeInterval(days) * 24 * 3_600 }
        return config
    }
}
