import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Foundation
import Vapor
import XCTest

/// E1: the outbox is delivered to a real SMTP server (aiosmtpd on loopback) and a fake SMS gateway;
/// retries, failures, the admin retry and the no-duplicate claim.
final class OutboxDeliveryTests: XCTestCase {
    var harness: WebHarness!
    var smtp: SMTPTestServer?

    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws {
        smtp?.stop()
        try await harness.shutdown()
    }

    func config(port: Int?, from: String = "support@fastighet.example", reply: String? = "svar@fastighet.example") -> DeliveryConfig {
        var config = DeliveryConfig()
        if let port { config.smtp = SMTPSettings(host: "127.0.0.1", port: port, security: .none, from: from) }
        config.companyName = "Fastighetsservice Åberg AB"
        config.replyAddress = reply
        config.secret = "test-secret"
        config.maxAttempts = 3
        return config
    }

    func worker(_ config: DeliveryConfig, clock: @escaping @Sendable () -> Date = { Date() }) -> OutboxWorker {
        OutboxWorker(database: harness.app.db, config: config, group: harness.app.eventLoopGroup, client: harness.app.client,
                     logger: harness.app.logger, clock: clock)
    }

    func drain(_ worker: OutboxWorker) async throws {
        while try await worker.deliverBatch() > 0 {}
    }

    func testCopiesAreMailedInTheWritersLanguageWithReplyAddressAndCompanyName() async throws {
        let server = try SMTPTestServer()
        smtp = server
        let customer = try await Demo.customer("1001", on: harness.app.db)
        let target = try await CaseRecord.query(on: harness.app.db).filter(\.$customerId == customer.id!)
            .filter(\.$status != .closed).sort(\.$number, .descending).first()!
        // Anna writes in Swedish (the default), then switches to English and writes again.
        let browser = harness.browser()
        try await browser.portalLogin("solglantan", "anna")
        try await browser.get("/cases/\(target.number)")
        try await browser.post("/cases/\(target.number)/messages", ["body": "Kranen läcker fortfarande.", "copy_to_me": "1"])
        try await browser.post("/language", ["language": "en"])
        try await browser.get("/cases/\(target.number)")
        try await browser.post("/cases/\(target.number)/messages", ["body": "Still dripping.", "copy_to_me": "1"])

        try await drain(worker(config(port: server.port)))
        // The case's handler is told of each message too (D4); the copies are the mails to Anna.
        let mails = try server.received().filter { $0.envelope_to == ["anna@solglantan.example"] }
        XCTAssertEqual(mails.count, 2)
        let swedish = try XCTUnwrap(mails.first { $0.content_language == "sv" })
        let english = try XCTUnwrap(mails.first { $0.content_language == "en" })
        for mail in [swedish, english] {
            XCTAssertEqual(mail.envelope_to, ["anna@solglantan.example"])
            XCTAssertEqual(mail.content_type, "multipart/alternative")
            XCTAssertEqual(mail.from, "Fastighetsservice Åberg AB <support@fastighet.example>")
            // The reply address carries a token for this case and this recipient (B7).
            let replyTo = try XCTUnwrap(mail.reply_to)
            let token = try XCTUnwrap(ReplyTokens.token(inAddress: replyTo.trimmingCharacters(in: CharacterSet(charactersIn: "<>"))))
            XCTAssertEqual(ReplyTokens(secret: "test-secret").verify(token: token, sender: "anna@solglantan.example"), target.id)
            XCTAssertNil(ReplyTokens(secret: "test-secret").verify(token: token, sender: "erik@norrsken.example"))
            XCTAssertTrue(replyTo.hasSuffix("@fastighet.example>") || replyTo.hasSuffix("@fastighet.example"))
            XCTAssertTrue(mail.html?.contains("Fastighetsservice Åberg AB") ?? false)
        }
        XCTAssertEqual(swedish.subject, "Kopia av ditt meddelande i ärende \(target.number)")
        XCTAssertTrue(swedish.raw_subject?.hasPrefix("=?UTF-8?B?") ?? false, "non-ASCII subject is RFC 2047 encoded")
        XCTAssertTrue(swedish.text?.contains("Kranen läcker fortfarande.") ?? false)
        XCTAssertEqual(english.subject, "Copy of your message on case \(target.number)")
        XCTAssertTrue(english.text?.contains("Still dripping.") ?? false)
        let statuses = try await OutboxRecord.query(on: harness.app.db).all().map(\.status)
        XCTAssertEqual(Set(statuses), ["sent"])
    }

    func testLinesStartingWithADotAndLongTextSurviveTransport() async throws {
        let server = try SMTPTestServer(arguments: ["--auth", "mailer:hemligt"])
        smtp = server
        let body = ".\n..two dots\nline\n.\n" + String(repeating: "å", count: 3_000) + "\nhttps://portal.example/cases/1"
        try await OutboxRecord(kind: .messageCopy, recipient: "x@example.org", language: "sv", subject: "Punkt", body: body)
            .create(on: harness.app.db)
        var settings = config(port: server.port)
        settings.smtp?.user = "mailer"
        settings.smtp?.password = "hemligt"
        try await drain(worker(settings))
        let mails = try server.received()
        XCTAssertEqual(mails.count, 1)
        XCTAssertEqual(mails.first?.text?.replacingOccurrences(of: "\r\n", with: "\n"), body)
        XCTAssertTrue(mails.first?.html?.contains("<a href=\"https://portal.example/cases/1\"") ?? false)
        XCTAssertNil(mails.first?.reply_to, "no case, no reply address")
    }

    func testUnreachableServerBacksOffThenFailsAndAdminRetryDelivers() async throws {
        let row = OutboxRecord(kind: .messageCopy, recipient: "x@example.org", language: "en", subject: "Hello", body: "Hi")
        try await row.create(on: harness.app.db)
        // A port where nobody listens, held (`PortHold`) so that no other test process is given it for a
        // server of its own while this one counts on its connections being refused.
        let closed = try PortHold()
        defer { closed.release() }
        let deadPort = closed.port
        let start = Date()
        let clock = TestClock(start)
        let broken = worker(config(port: deadPort), clock: { clock.now })
        try await broken.deliverBatch()
        var stored = try await OutboxRecord.find(row.id, on: harness.app.db)!
        XCTAssertEqual(stored.status, "pending")
        XCTAssertEqual(stored.attempts, 1)
        XCTAssertNotNil(stored.lastError)
        XCTAssertEqual(stored.nextAttemptAt, start.timeIntervalSince1970 + 30, accuracy: 0.01)
        // Not due before its backoff has passed.
        let early = try await broken.deliverBatch()
        XCTAssertEqual(early, 0)
        clock.advance(31)
        try await broken.deliverBatch()
        stored = try await OutboxRecord.find(row.id, on: harness.app.db)!
        XCTAssertEqual(stored.attempts, 2)
        XCTAssertEqual(stored.nextAttemptAt, clock.now.timeIntervalSince1970 + 60, accuracy: 0.01)
        clock.advance(61)
        try await broken.deliverBatch()
        stored = try await OutboxRecord.find(row.id, on: harness.app.db)!
        XCTAssertEqual(stored.status, "failed", "after maxAttempts (3)")

        // The admin page lists it with its error; "retry" puts it back, and a working server gets it.
        let admin = harness.browser()
        try await admin.staffLogin("admin@example.com")
        try await admin.get("/staff/outbox")
        XCTAssertTrue(admin.lastBody.contains("x@example.org"))
        XCTAssertTrue(admin.lastBody.contains(MailComposer.escape(stored.lastError!)))
        let retried = try await admin.post("/staff/outbox/\(row.id!)/retry", [:])
        XCTAssertEqual(retried.status, .seeOther)
        let server = try SMTPTestServer()
        smtp = server
        try await worker(config(port: server.port), clock: { clock.now }).deliverBatch()
        stored = try await OutboxRecord.find(row.id, on: harness.app.db)!
        XCTAssertEqual(stored.status, "sent")
        XCTAssertEqual(try server.received().count, 1)
    }

    /// STARTTLS and TLS from the start, against aiosmtpd with a certificate made here for 127.0.0.1 and
    /// trusted through SMTP_CA_FILE; with the system's trust store the same server is refused.
    func testSTARTTLSAndImplicitTLSWithAVerifiedCertificate() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("caseport-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let cert = directory.appendingPathComponent("cert.pem").path, key = directory.appendingPathComponent("key.pem").path
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                             "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        do { try openssl.run() } catch { throw XCTSkip("openssl is not installed") }
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else { throw XCTSkip("openssl could not make a test certificate") }

        for mode in [SMTPSettings.Security.starttls, .tls] {
            let server = try SMTPTestServer(arguments: ["--tls", mode.rawValue, "--cert", cert, "--key", key, "--auth", "mailer:hemligt"])
            defer { server.stop() }
            try await OutboxRecord.query(on: harness.app.db).delete()
            try await OutboxRecord(kind: .messageCopy, recipient: "tls@example.org", language: "sv", subject: "Säkert", body: "Hej")
                .create(on: harness.app.db)
            var settings = config(port: server.port)
            settings.smtp?.security = mode
            settings.smtp?.user = "mailer"
            settings.smtp?.password = "hemligt"
            // Not trusted: refused, and the message waits.
            try await worker(settings).deliverBatch()
            var row = try await OutboxRecord.query(on: harness.app.db).first()!
            XCTAssertEqual(row.status, "pending", "\(mode): an untrusted certificate must be refused")
            XCTAssertEqual(try server.received().count, 0)
            // Trusted through SMTP_CA_FILE: delivered.
            row.nextAttemptAt = 0
            try await row.update(on: harness.app.db)
            settings.smtp?.caFile = cert
            try await worker(settings).deliverBatch()
            row = try await OutboxRecord.query(on: harness.app.db).first()!
            XCTAssertEqual(row.status, "sent", "\(mode): \(row.lastError ?? "")")
            XCTAssertEqual(try server.received().first?.subject, "Säkert")
        }
    }

    func testRefusedRecipientFailsAloneAndTheRestOfTheBatchIsSent() async throws {
        let server = try SMTPTestServer(arguments: ["--refuse", "nobody@example.org"])
        smtp = server
        for recipient in ["a@example.org", "nobody@example.org", "b@example.org"] {
            try await OutboxRecord(kind: .messageCopy, recipient: recipient, language: "en", subject: "S", body: "B").create(on: harness.app.db)
        }
        try await drain(worker(config(port: server.port)))
        let rows = try await OutboxRecord.query(on: harness.app.db).sort(\.$id).all()
        XCTAssertEqual(rows.map(\.status), ["sent", "failed", "sent"])
        XCTAssertTrue(rows[1].lastError?.contains("550") ?? false)
        XCTAssertEqual(Set(try server.received().flatMap(\.envelope_to)), ["a@example.org", "b@example.org"])
    }

    func testWithoutSMTPConfigurationMailStaysQueued() async throws {
        try await OutboxRecord(kind: .messageCopy, recipient: "x@example.org", language: "en", subject: "S", body: "B").create(on: harness.app.db)
        let handled = try await worker(config(port: nil)).deliverBatch()
        XCTAssertEqual(handled, 0)
        let rows = try await OutboxRecord.query(on: harness.app.db).all()
        XCTAssertEqual(rows.map(\.status), ["pending"])
        XCTAssertEqual(rows.map(\.attempts), [0])
    }

    func testSMSGoesToTheGatewayAsJSONWithTheBearerToken() async throws {
        let gateway = try FakeSMSGateway()
        defer { gateway.stop() }
        try await OutboxRecord(channel: .sms, kind: .smsCompanyWrote, recipient: "+46701234567", language: "sv",
                               subject: "", body: "Nytt svar i ärende 1001").create(on: harness.app.db)
        var settings = config(port: nil)
        settings.smsGatewayURL = "http://127.0.0.1:\(gateway.port)/send"
        settings.smsGatewayToken = "gw-token"
        try await drain(worker(settings))
        let requests = try gateway.requests()
        XCTAssertEqual(requests.count, 1)
        XCTAssertEqual(requests.first?.auth, "Bearer gw-token")
        XCTAssertEqual(requests.first?.path, "/send")
        XCTAssertEqual(requests.first?.body.to, "+46701234567")
        XCTAssertEqual(requests.first?.body.text, "Nytt svar i ärende 1001")
        let rows = try await OutboxRecord.query(on: harness.app.db).all()
        XCTAssertEqual(rows.map(\.status), ["sent"])
    }

    func testARefusingGatewayMarksTheTextFailed() async throws {
        let gateway = try FakeSMSGateway(status: 400)
        defer { gateway.stop() }
        try await OutboxRecord(channel: .sms, kind: .smsCompanyWrote, recipient: "+46701234567", language: "sv",
                               subject: "", body: "x").create(on: harness.app.db)
        var settings = config(port: nil)
        settings.smsGatewayURL = "http://127.0.0.1:\(gateway.port)/send"
        try await drain(worker(settings))
        let row = try await OutboxRecord.query(on: harness.app.db).first()!
        XCTAssertEqual(row.status, "failed")
        XCTAssertTrue(row.lastError?.contains("400") ?? false)
    }

    /// A killed worker's claims come back once their lease has passed, and only then.
    func testClaimsOfAKilledWorkerAreRetriedAfterTheLease() async throws {
        for n in 0..<3 {
            try await OutboxRecord(kind: .messageCopy, recipient: "r\(n)@example.org", language: "en", subject: "S", body: "B").create(on: harness.app.db)
        }
        let queue = OutboxQueue(database: harness.app.db)
        let now = Date()
        let first = try await queue.claim(channels: ["email"], limit: 10, lease: 120, now: now)
        XCTAssertEqual(first.count, 3)
        // The worker "dies" here without marking anything.
        let during = try await queue.claim(channels: ["email"], limit: 10, lease: 120, now: now.addingTimeInterval(60))
        XCTAssertEqual(during.count, 0)
        let after = try await queue.claim(channels: ["email"], limit: 10, lease: 120, now: now.addingTimeInterval(121))
        XCTAssertEqual(after.map(\.id), first.map(\.id))
        XCTAssertEqual(after.map(\.attempts), [2, 2, 2])
    }

    /// A batch that takes nearly its whole lease (a busy machine, a slow mail server) stops sending: once
    /// the lease has ended another server may claim the rest, and both would send them.
    func testAWorkerStopsSendingItsBatchWhenTheLeaseIsNearlyOver() async throws {
        let server = try SMTPTestServer()
        smtp = server
        for n in 0..<3 {
            try await OutboxRecord(kind: .messageCopy, recipient: "r\(n)@example.org", language: "en", subject: "S", body: "B").create(on: harness.app.db)
        }
        var settings = config(port: server.port)
        settings.lease = 60  // stops 15 s before the lease ends
        let start = Date()
        // Time stands still until the first mail arrived, then 50 s have passed.
        let slow = worker(settings, clock: { (try? server.received().count) ?? 0 >= 1 ? start.addingTimeInterval(50) : start })
        let worked = try await slow.deliverBatch()
        XCTAssertEqual(worked, 3)
        XCTAssertEqual(try server.received().map(\.envelope_to), [["r0@example.org"]])
        let rows = try await OutboxRecord.query(on: harness.app.db).sort(\.$id).all()
        XCTAssertEqual(rows.map(\.status), ["sent", "sending", "sending"])
        // After the lease, any server's next claim sends the other two, once each.
        try await drain(worker(settings, clock: { start.addingTimeInterval(61) }))
        XCTAssertEqual(try server.received().flatMap(\.envelope_to).sorted(), ["r0@example.org", "r1@example.org", "r2@example.org"])
    }

    /// Two delivery workers (separate instances, each with four loops, as two servers would run) share one
    /// database: 1 000 messages arrive, each exactly once. On PostgreSQL this exercises FOR UPDATE SKIP LOCKED.
    /// The loops are the servers' own (`run`), which log an error and go on: on a loaded CI machine a
    /// connection request once waited past the pool's 10 s, and `caseport serve` rides that out the same way.
    func testTwoWorkersDeliverAThousandMessagesWithoutADuplicate() async throws {
        let server = try SMTPTestServer(arguments: ["--no-summaries"])
        smtp = server
        try await insertMessages(1_000)
        let settings = config(port: server.port, reply: nil)
        let workers = [worker(settings), worker(settings)]
        let loops = workers.flatMap { worker in (0..<4).map { _ in Task { await worker.run(idle: .milliseconds(100)) } } }
        let queue = OutboxQueue(database: harness.app.db)
        let deadline = Date().addingTimeInterval(240)
        while (try? await queue.counts()) != ["sent": 1_000], Date() < deadline {
            try await Task.sleep(for: .milliseconds(200))
        }
        loops.forEach { $0.cancel() }
        for loop in loops { await loop.value }
        let ids = try server.deliveredMessageIds()
        XCTAssertEqual(ids.count, 1_000)
        XCTAssertEqual(Set(ids).count, 1_000)
        let counts = try await OutboxQueue(database: harness.app.db).counts()
        XCTAssertEqual(counts, ["sent": 1_000])
    }

    func insertMessages(_ count: Int) async throws {
        try await harness.app.db.transaction { tx in
            for n in 0..<count {
                try await OutboxRecord(kind: .messageCopy, recipient: "m\(n)@example.org", language: "sv", subject: "Meddelande \(n)",
                                       body: "Hej nummer \(n)").create(on: tx)
            }
        }
    }
}

/// A clock the tests move by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    init(_ start: Date) { current = start }
    var now: Date { lock.lock(); defer { lock.unlock() }; return current }
    func advance(_ seconds: TimeInterval) { lock.lock(); current = current.addingTimeInterval(seconds); lock.unlock() }
}
