import CaseportStore
import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Delivers the outbox (E1). Each pass claims a batch of due rows through `OutboxQueue` (row locks on
/// PostgreSQL, a leased atomic claim on SQLite), sends the e-mails over one SMTP connection and the
/// texts through the SMS gateway, and marks each row sent right after the server accepted it. A failed
/// attempt is retried with a growing pause and after `maxAttempts` is marked failed, visible to admins.
/// Without SMTP (or SMS) configuration rows of that channel are simply left waiting.
///
/// A claimed row is this worker's only until its lease ends; after that another server may claim it
/// and send it too. So a pass stops sending once its lease is nearly over (`leaseMargin` before the
/// end) and leaves the rest of its batch to the next claim — issue 17: on a busy machine with a short
/// lease, a batch took longer than the lease and another node sent the same mails again.
final class OutboxWorker: Sendable {
    let database: any Database
    let config: DeliveryConfig
    let group: any EventLoopGroup
    let client: any Client
    let logger: Logger
    let clock: @Sendable () -> Date
    let batchSize: Int
    private let warnedUnconfigured = NIOLockedValueBox(false)
    private let replySecret = NIOLockedValueBox<String?>(nil)

    init(database: any Database, config: DeliveryConfig, group: any EventLoopGroup, client: any Client, logger: Logger,
         batchSize: Int = 25, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.config = config
        self.group = group
        self.client = client
        self.logger = logger
        self.batchSize = batchSize
        self.clock = clock
    }

    var channels: [String] {
        (config.smtp == nil ? [] : ["email"]) + (config.smsGatewayURL == nil ? [] : ["sms"])
    }

    /// One pass: claims and delivers at most one batch. Returns how many rows it worked on.
    @discardableResult
    func deliverBatch() async throws -> Int {
        let channels = self.channels
        if channels.count < 2 {
            let first = warnedUnconfigured.withLockedValue { warned in defer { warned = true }; return !warned }
            if first {
                logger.notice("outbox: \(config.smtp == nil ? "SMTP_HOST" : "SMS_GATEWAY_URL") is not set; those messages stay queued until it is")
            }
        }
        let queue = OutboxQueue(database: database)
        let claimedAt = clock()
        let rows = try await queue.claim(channels: channels, limit: batchSize, lease: config.lease, now: claimedAt)
        guard !rows.isEmpty else { return 0 }
        let sendUntil = claimedAt.addingTimeInterval(config.lease - leaseMargin)
        let emails = rows.filter { $0.channel == "email" }
        if !emails.isEmpty, let smtp = config.smtp {
            try await deliverEmails(emails, smtp: smtp, queue: queue, sendUntil: sendUntil)
        }
        for row in rows where row.channel == "sms" {
            guard let url = config.smsGatewayURL else { continue }
            guard clock() < sendUntil else { break }  // the lease is nearly over: the next claim sends the rest
            do {
                try await SMSGateway(url: url, token: config.smsGatewayToken, client: client).send(to: row.recipient, text: row.body)
                try await queue.markSent(id: row.id, now: clock())
            } catch {
                try await fail(row, error, queue: queue)
            }
        }
        for row in rows where row.channel != "email" && row.channel != "sms" {
            try await queue.markFailed(row, error: "unknown channel \(row.channel)", permanent: true,
                                       maxAttempts: config.maxAttempts, now: clock())
        }
        return rows.count
    }

    /// How long before a batch's lease ends its worker stops sending: a quarter of the lease, at most a minute.
    var leaseMargin: TimeInterval { min(config.lease / 4, 60) }

    private func deliverEmails(_ rows: [OutboxQueue.Claimed], smtp: SMTPSettings, queue: OutboxQueue,
                               sendUntil: Date) async throws {
        // The deployment's branding (C8) as it is now: colours for the HTML part, the logo by address.
        let branding = try await SettingsStore(database: database).load().branding
        let logoURL = branding.logoKey != nil ? config.publicURL.map { "\($0)/branding/logo?v=\(branding.revision)" } : nil
        let composer = MailComposer(companyName: config.companyName, fromAddress: smtp.from, branding: branding, logoURL: logoURL)
        let tokens = try await replyTokens()
        let connection: SMTPConnection
        do {
            connection = try await SMTPConnection.open(smtp, on: group)
        } catch {
            for row in rows { try await fail(row, error, queue: queue) }
            return
        }
        var remaining = rows[...]
        while let row = remaining.popFirst() {
            guard clock() < sendUntil else {
                // The lease is nearly over: these rows go to whichever server claims them once it ends.
                logger.notice("outbox: lease nearly over, \(remaining.count + 1) mails left for the next claim")
                break
            }
            var replyTo: String?
            if let caseId = row.caseId, let base = config.replyAddress, let tokens {
                replyTo = tokens.address(base: base, caseId: caseId, recipient: row.recipient)
            }
            do {
                let data = try composer.compose(.init(outboxId: row.id, recipient: row.recipient, language: row.language,
                                                      subject: row.subject, body: row.body, replyTo: replyTo), date: clock())
                try await connection.deliver(from: smtp.from, to: row.recipient, data: data)
            } catch {
                try await fail(row, error, queue: queue)
                if let smtpError = error as? SMTPError, smtpError.permanent { continue }
                // The connection is gone: the rest of the batch waits for the next pass.
                for other in remaining { try await fail(other, error, queue: queue) }
                connection.close()
                return
            }
            try await queue.markSent(id: row.id, now: clock())
        }
        await connection.quit()
    }

    private func fail(_ row: OutboxQueue.Claimed, _ error: any Error, queue: OutboxQueue) async throws {
        let permanent = (error as? SMTPError)?.permanent ?? false
        let text = (error as? SMTPError)?.description ?? "\(error)"
        logger.warning("outbox: delivery of #\(row.id) (\(row.kind)) failed, attempt \(row.attempts): \(text)")
        try await queue.markFailed(row, error: text, permanent: permanent, maxAttempts: config.maxAttempts, now: clock())
    }

    /// The signer of reply addresses, when a reply address is configured.
    func replyTokens() async throws -> ReplyTokens? {
        guard config.replyAddress != nil else { return nil }
        return ReplyTokens(secret: try await secret())
    }

    func secret() async throws -> String {
        if let secret = config.secret { return secret }
        if let cached = replySecret.withLockedValue({ $0 }) { return cached }
        let stored = try await SettingsStore(database: database).secret(named: "reply_token_secret")
        replySecret.withLockedValue { $0 = stored }
        return stored
    }

    /// Delivers until cancelled, pausing `idle` when nothing is due or after an error.
    func run(idle: Duration = .seconds(1)) async {
        while !Task.isCancelled {
            do {
                if try await deliverBatch() > 0 { continue }
            } catch {
                logger.error("outbox: \(String(reflecting: error))")
            }
            try? await Task.sleep(for: idle)
        }
    }
}

/// Starts the background work of `caseport serve` when the application boots and stops it at shutdown:
/// `OUTBOX_CONCURRENCY` delivery loops and the scheduled jobs.
struct BackgroundJobs: LifecycleHandler {
    let tasks = NIOLockedValueBox<[Task<Void, Never>]>([])

    func didBootAsync(_ application: Application) async throws {
        let config = application.caseport.config.delivery
        let worker = OutboxWorker(database: application.db, config: config, group: application.eventLoopGroup,
                                  client: application.client, logger: application.logger)
        var started: [Task<Void, Never>] = []
        for _ in 0..<config.concurrency {
            started.append(Task { await worker.run() })
        }
        // Webhooks (issue 16): their own loops, so a slow receiver never holds up mail.
        let webhooks = WebhookWorker(database: application.db,
                                     sender: WebhookSender(allowed: application.caseport.config.webhooks.allowedNetworks,
                                                           group: application.eventLoopGroup),
                                     config: application.caseport.config, translations: application.caseport.translations,
                                     logger: application.logger)
        for _ in 0..<application.caseport.config.webhooks.concurrency {
            started.append(Task { await webhooks.run() })
        }
        let approvals = ApprovalJob(database: application.db, translations: application.caseport.translations,
                                    config: application.caseport.config, clock: { Date() })
        let logger = application.logger
        started.append(Task { await approvals.runForever(logger: logger) })
        let monthlyReports = MonthlyReportJob(application: application, clock: { Date() })
        started.append(Task { await monthlyReports.runForever(logger: logger) })
        let retention = RetentionJob(database: application.db, translations: application.caseport.translations,
                                     config: application.caseport.config, storage: application.caseport.storage, clock: { Date() })
        started.append(Task { await retention.runNightly(logger: logger) })
        // Live chat (issue 15): unanswered chats become inquiries.
        let chatSweep = ChatSweepJob(application: application)
        started.append(Task { await chatSweep.runForever(logger: logger) })
        // Issue 13: the claims' automatic personal links.
        let claimLinks = ClaimLinkJob(database: application.db, translations: application.caseport.translations,
                                      config: application.caseport.config, clock: { Date() })
        let wakeUps = application.caseport.claimLinkWakeUps
        started.append(Task { await claimLinks.runForever(wakeUps: wakeUps, logger: logger) })
        tasks.withLockedValue { $0 = started }
        application.logger.info("outbox: delivery started (\(worker.channels.isEmpty ? "no transport configured" : worker.channels.joined(separator: ", ")))")
    }

    func shutdownAsync(_ application: Application) async {
        let running = tasks.withLockedValue { tasks in defer { tasks = [] }; return tasks }
        running.forEach { $0.cancel() }
        for task in running { await task.value }
    }
}

/// Called by `caseport serve` only: other commands (migrate, demo, mailgate) deliver nothing.
public func enableBackgroundJobs(_ app: Application) {
    app.lifecycle.use(BackgroundJobs())
}
