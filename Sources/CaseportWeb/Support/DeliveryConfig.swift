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
/// - `OUTBOX_MAX_ATTEMPTS` (default 8), `OUTBOX_CONCURRENCY` (parallel SMTP connections, default 4),
///   `OUTBOX_LEASE_SECONDS` (default 120)
/// - `APPROVAL_REMINDER_DAYS`: the default days a resolved case waits before the reminder (5), used until an
///   administrator sets the reminder time on the Settings page (D5, `PortalSettings.approvalReminderDays`)
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

    /// Read by `AppConfig.from(environment:)`, with the rest of the configuration.
    static func from(_ environment: ConfigEnvironment) throws -> DeliveryConfig {
        var config = DeliveryConfig()
        if let host = environment.text("SMTP_HOST") {
            let security = try environment.choice("SMTP_SECURITY", SMTPSettings.Security.self, "none, starttls or tls") ?? SMTPSettings.Security.none
            guard let from = environment.text("MAIL_FROM"), EmailAddress.isValid(from) else {
                throw AppConfig.Problem(description: "MAIL_FROM must be set to the sender address (e.g. support@example.com) when SMTP_HOST is set")
            }
            let port = try environment.whole("SMTP_PORT", 1...65_535) ?? (security == .tls ? 465 : security == .starttls ? 587 : 25)
            config.smtp = SMTPSettings(host: host, port: port, user: environment.text("SMTP_USER"), password: environment.raw("SMTP_PASSWORD"),
                                       security: security, from: from)
            if let caFile = environment.text("SMTP_CA_FILE") {
                // Checked now: a wrong path would otherwise only show as every delivery failing.
                guard FileManager.default.isReadableFile(atPath: caFile) else {
                    throw ConfigEnvironment.problem("SMTP_CA_FILE", "must name a readable PEM file", caFile)
                }
                config.smtp?.caFile = caFile
            }
        }
        if let url = environment.text("SMS_GATEWAY_URL") {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? "") else {
                throw ConfigEnvironment.problem("SMS_GATEWAY_URL", "must be an http(s) address", url)
            }
            config.smsGatewayURL = url
            config.smsGatewayToken = environment.text("SMS_GATEWAY_TOKEN")
        }
        if let name = environment.text("CASEPORT_COMPANY_NAME") { config.companyName = name }
        if let reply = environment.text("MAIL_REPLY_ADDRESS") {
            guard EmailAddress.isValid(reply) else {
                throw ConfigEnvironment.problem("MAIL_REPLY_ADDRESS", "must be an e-mail address such as reply@portal.example.com", reply)
            }
            config.replyAddress = reply
        }
        config.secret = environment.text("CASEPORT_SECRET")
        if let attempts = try environment.whole("OUTBOX_MAX_ATTEMPTS", 1...100) { config.maxAttempts = attempts }
        if let concurrency = try environment.whole("OUTBOX_CONCURRENCY", 1...64) { config.concurrency = concurrency }
        if let lease = try environment.whole("OUTBOX_LEASE_SECONDS", 5...86_400) { config.lease = TimeInterval(lease) }
        if let days = try environment.whole("APPROVAL_REMINDER_DAYS", 1...365) { config.approvalReminderAfter = TimeInterval(days) * 24 * 3_600 }
        return config
    }
}
