import CaseportCore
import CaseportOperations
import CaseportStore
@testable import CaseportWeb
import Fluent
import Foundation
import Vapor
import XCTest

/// Issue 16, point 3: webhook subscriptions, deliveries written with each case event, signed delivery
/// to a real receiver on loopback (scripts/webhook-receiver.py checks each signature with Python's own
/// HMAC), retries while it is down, the answer logged, redelivery, disabling after a day of failures,
/// and the refusal of the server's own networks.
final class WebhookTests: XCTestCase {
    var harness: WebHarness!
    var receiver: WebhookReceiver?

    override func setUp() async throws {
        // The receivers run on loopback, which only an operator's allowance lets webhooks reach.
        harness = try await WebHarness { $0.webhooks.allowedNetworks = [IPAddressRange("127.0.0.0/8")!] }
    }

    override func tearDown() async throws {
        receiver?.remove()
        try await harness.shutdown()
    }

    /// A secret for a receiver whose signatures do not matter yet (it is restarted with the real one).
    static let placeholderSecret = "whsec_" + Data(repeating: 0, count: 32).base64EncodedString()

    func worker(clock: @escaping @Sendable () -> Date, allowed: [IPAddressRange] = [IPAddressRange("127.0.0.0/8")!]) -> WebhookWorker {
        WebhookWorker(database: harness.app.db,
                      // A receiver that is down refuses at once on loopback; the generous connect time only
                      // keeps a loaded machine from turning a slow accept into a failed attempt.
                      sender: WebhookSender(allowed: allowed, group: harness.app.eventLoopGroup, timeout: .seconds(5),
                                            connectTimeout: .seconds(2)),
                      config: harness.app.caseport.config, translations: harness.app.caseport.translations,
                      logger: harness.app.logger, clock: clock)
    }

    func drain(_ worker: WebhookWorker) async throws {
        while try await worker.deliverBatch() > 0 {}
    }

    /// Subscribes through the admin page and returns the new subscription.
    func subscribe(_ url: String, kinds: [CaseEvent.Kind]) async throws -> WebhookSubscriptionRecord {
        let admin = harness.browser()
        try await admin.staffLogin("admin@example.com")
        try await admin.get("/staff/settings/webhooks")
        var fields = ["url": url, "description": "Our ERP"]
        for kind in kinds { fields["kind_\(kind.rawValue)"] = "1" }
        let response = try await admin.post("/staff/settings/webhooks", fields)
        XCTAssertEqual(response.status, .seeOther, response.body.string)
        let awaited1 = try await WebhookSubscriptionRecord.query(on: harness.app.db).sort(\.$id, .descending).first()
        return try XCTUnwrap(awaited1)
    }

    /// Anna writes `count` messages on one of her cases (each a `customer_message` event).
    func customerWrites(_ count: Int) async throws -> Int {
        let customer = try await Demo.customer("1001", on: harness.app.db)
        let target = try await CaseRecord.query(on: harness.app.db).filter(\.$customerId == customer.id!)
            .filter(\.$status != .closed).sort(\.$number, .descending).first()!
        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        try await anna.get("/cases/\(target.number)")
        for index in 0..<count {
            let response = try await anna.post("/cases/\(target.number)/messages", ["body": "Meddelande \(index)"])
            XCTAssertEqual(response.status, .seeOther)
        }
        return target.number
    }

    func testStandardWebhooksTestVector() {
        // The example in the Standard Webhooks specification.
        XCTAssertEqual(WebhookSignature.sign(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330,
                                             body: #"{"test": 2432232314}"#, secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
                       "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        XCTAssertNil(WebhookSignature.sign(id: "x", timestamp: 1, body: "", secret: "no-prefix"))
    }

    func testAReceiverThatWasDownGetsEveryEventOnceWithValidSignatures() async throws {
        let receiver = try WebhookReceiver(secret: Self.placeholderSecret)
        self.receiver = receiver
        let subscription = try await subscribe("http://127.0.0.1:\(receiver.port)/hooks", kinds: [.customerMessage, .internalNote])
        XCTAssertTrue(subscription.secret.hasPrefix("whsec_"))
        XCTAssertEqual(Data(base64Encoded: String(subscription.secret.dropFirst(6)))?.count, 32)
        receiver.stop()  // down: nothing listens on the port

        let number = try await customerWrites(3)
        let deliveries = try await WebhookDeliveryRecord.query(on: harness.app.db).all()
        XCTAssertEqual(deliveries.count, 3, "one delivery per subscribed event, written with the event")
        XCTAssertEqual(Set(deliveries.map(\.eventKind)), ["customer_message"])
        let events = try await CaseEventRecord.query(on: harness.app.db).filter(\.$kind == "customer_message").all()
        XCTAssertEqual(Set(deliveries.map(\.eventId)), Set(events.compactMap(\.id)))
        let body = try XCTUnwrap(deliveries.first?.body)
        XCTAssertTrue(body.contains(#""case_number":\#(number)"#), body)
        XCTAssertTrue(body.contains(#""type":"case.customer_message""#), body)
        XCTAssertFalse(body.contains("Meddelande"), "a message's text is not in the payload")

        let start = Date()
        let time = TestClock(start)
        try await drain(worker(clock: { time.now }))
        var attempts = try await WebhookAttemptRecord.query(on: harness.app.db).all()
        XCTAssertEqual(attempts.count, 3)
        XCTAssertTrue(attempts.allSatisfy { $0.statusCode == nil && $0.excerpt.hasPrefix("no answer") }, "\(attempts.map(\.excerpt))")
        let awaited2 = try await WebhookDeliveryRecord.query(on: harness.app.db).all().map(\.status)
        XCTAssertEqual(Set(awaited2), ["pending"])

        // Up again, but with the wrong secret: its check refuses every signature (401, logged).
        try receiver.start(secret: "whsec_" + Data(repeating: 7, count: 32).base64EncodedString())
        time.advance(120)
        try await drain(worker(clock: { time.now }))
        attempts = try await WebhookAttemptRecord.query(on: harness.app.db).all()
        XCTAssertEqual(attempts.filter { $0.statusCode == 401 }.count, 3)
        XCTAssertEqual(try receiver.entries().filter { !$0.valid }.count, 3)
        receiver.stop()

        // Up with the subscription's secret: every event arrives, each once, each signature valid.
        try receiver.start(secret: subscription.secret)
        time.advance(3_600)
        try await drain(worker(clock: { time.now }))
        let valid = try receiver.entries().filter(\.valid)
        XCTAssertEqual(valid.count, 3)
        XCTAssertEqual(Set(valid.compactMap(\.id)), Set(events.compactMap(\.id).map { "evt_\($0)" }))
        XCTAssertFalse(valid.contains(where: \.duplicate))
        let awaited3 = try await WebhookDeliveryRecord.query(on: harness.app.db).all().map(\.status)
        XCTAssertEqual(Set(awaited3), ["delivered"])
        let awaited4 = try await worker(clock: { time.now }).deliverBatch()
        XCTAssertEqual(awaited4, 0, "nothing is sent twice")
        let subscriptionNow = try await WebhookSubscriptionRecord.find(subscription.id, on: harness.app.db)
        XCTAssertNil(subscriptionNow?.failingSince, "a success ends the run of failures")

        // The admin page lists the deliveries and the answers; "send again" repeats one with the same id.
        let admin = harness.browser()
        try await admin.staffLogin("admin@example.com")
        let page = try await admin.get("/staff/settings/webhooks/\(subscription.id!)")
        XCTAssertEqual(page.status, .ok)
        XCTAssertTrue(page.body.string.contains("401"))
        XCTAssertTrue(page.body.string.contains("evt_\(events[0].id!)"))
        let delivery = deliveries[0]
        let again = try await admin.post("/staff/settings/webhooks/\(subscription.id!)/deliveries/\(delivery.id!)/redeliver", [:])
        XCTAssertEqual(again.status, .seeOther)
        try await drain(worker(clock: { time.now }))
        let repeated = try receiver.entries().filter(\.valid).filter(\.duplicate)
        XCTAssertEqual(repeated.map(\.id), ["evt_\(delivery.eventId)"], "the receiver recognises the repeat by its webhook-id")
    }

    func testAnInternalAddressIsRefusedWhenSubscribingAndWhenSending() async throws {
        // Without the operator's allowance: loopback, private, link-local and their IPv6 forms are refused.
        let strict = try await WebHarness()
        defer { Task { try? await strict.shutdown() } }
        let before = try await WebhookSubscriptionRecord.query(on: strict.app.db).count()
        let admin = strict.browser()
        try await admin.staffLogin("admin@example.com")
        try await admin.get("/staff/settings/webhooks")
        for url in ["http://127.0.0.1:9/hook", "http://localhost:9/hook", "http://10.1.2.3/hook", "http://169.254.169.254/latest",
                    "http://[::1]:9/hook", "http://[fd00::1]/hook", "http://[::ffff:127.0.0.1]/hook", "http://192.168.1.1/",
                    "http://0.0.0.0:9/"] {
            let response = try await admin.post("/staff/settings/webhooks", ["url": url, "kind_status": "1"])
            XCTAssertEqual(response.status, .unprocessableEntity, url)
            XCTAssertTrue(response.body.string.contains("leder in i serverns egna nät"), url)
        }
        for url in ["ftp://example.com/", "http://user:pw@example.com/", "not a url"] {
            let response = try await admin.post("/staff/settings/webhooks", ["url": url, "kind_status": "1"])
            XCTAssertEqual(response.status, .unprocessableEntity, url)
        }
        let after = try await WebhookSubscriptionRecord.query(on: strict.app.db).count()
        XCTAssertEqual(after, before, "nothing was subscribed")

        // Saved while allowed, the address is checked again before each attempt: refused, nothing sent.
        let receiver = try WebhookReceiver(secret: Self.placeholderSecret)
        self.receiver = receiver
        let subscription = try await subscribe("http://127.0.0.1:\(receiver.port)/hooks", kinds: [.customerMessage])
        receiver.stop()
        try receiver.start(secret: subscription.secret)
        _ = try await customerWrites(1)
        try await drain(worker(clock: { Date() }, allowed: []))
        let awaited5 = try await WebhookAttemptRecord.query(on: harness.app.db).first()
        let attempt = try XCTUnwrap(awaited5)
        XCTAssertNil(attempt.statusCode)
        XCTAssertTrue(attempt.excerpt.contains("inside the server's own networks"), attempt.excerpt)
        XCTAssertEqual(try receiver.entries().count, 0)
    }

    func testTheTargetRule() async {
        let none: [IPAddressRange] = []
        for address in ["127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.0.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1",
                        "fe80::1", "fd12::1", "::ffff:10.0.0.1", "fe80::1%eth0", "224.0.0.1", "::"] {
            XCTAssertTrue(WebhookTarget.isRefused(address, allowed: none), address)
        }
        for address in ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8"] {
            XCTAssertFalse(WebhookTarget.isRefused(address, allowed: none), address)
        }
        XCTAssertFalse(WebhookTarget.isRefused("10.1.2.3", allowed: [IPAddressRange("10.1.2.0/24")!]))
        // A public name that resolves inside is refused by what it resolves to.
        let result = await WebhookTarget.check("https://hooks.example.com/x", allowed: none, resolve: { _ in ["203.0.113.9", "10.0.0.7"] })
        XCTAssertEqual(result.failure, .internalAddress("10.0.0.7"))
        let fine = await WebhookTarget.check("https://hooks.example.com/x", allowed: none, resolve: { _ in ["203.0.113.9"] })
        XCTAssertNil(fine.failure)
        let nowhere = await WebhookTarget.check("https://hooks.example.com/x", allowed: none, resolve: { _ in [] })
        XCTAssertEqual(nowhere.failure, .unresolvable)
    }

    func testASubscriptionFailingForADayIsSwitchedOffAndTheAdminsAreTold() async throws {
        // A port nothing listens on.
        let receiver = try WebhookReceiver(secret: Self.placeholderSecret)
        self.receiver = receiver
        let subscription = try await subscribe("http://127.0.0.1:\(receiver.port)/hooks", kinds: [.customerMessage])
        receiver.stop()
        _ = try await customerWrites(3)
        let time = TestClock(Date())
        for _ in 0..<30 {
            try await drain(worker(clock: { time.now }))
            time.advance(3_600)
        }
        let awaited6 = try await WebhookSubscriptionRecord.find(subscription.id, on: harness.app.db)
        let record = try XCTUnwrap(awaited6)
        XCTAssertFalse(record.isActive)
        XCTAssertNotNil(record.disabledAt)
        let notices = try await OutboxRecord.query(on: harness.app.db).filter(\.$kind == OutboxKind.webhookDisabled.rawValue).all()
        XCTAssertEqual(notices.map(\.recipient), ["admin@example.com"])
        XCTAssertTrue(notices[0].body.contains("127.0.0.1:\(receiver.port)"))
        let audit = try await AuditEventRecord.query(on: harness.app.db).filter(\.$subject == "webhooks").all()
        XCTAssertTrue(audit.contains { ($0.details ?? "").contains("active: yes → no") })
        // Switched off: the worker leaves its deliveries alone.
        time.advance(24 * 3_600)
        let awaited7 = try await worker(clock: { time.now }).deliverBatch()
        XCTAssertEqual(awaited7, 0)

        // Switched on again by an admin once the receiver is back: the waiting events are sent.
        try receiver.start(secret: record.secret)
        let admin = harness.browser()
        try await admin.staffLogin("admin@example.com")
        try await admin.get("/staff/settings/webhooks/\(subscription.id!)")
        let saved = try await admin.post("/staff/settings/webhooks/\(subscription.id!)",
                                         ["url": record.url, "kind_customer_message": "1", "active": "1"])
        XCTAssertEqual(saved.status, .seeOther)
        try await drain(worker(clock: { time.now }))
        XCTAssertEqual(try receiver.entries().filter(\.valid).count, 3)
    }

    func testAHandlerCannotReachTheWebhookPages() async throws {
        let handler = harness.browser()
        try await handler.staffLogin("handler@example.com")
        let response = try await handler.get("/staff/settings/webhooks")
        XCTAssertEqual(response.status, .forbidden)
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let failure) = self { return failure }
        return nil
    }
}
