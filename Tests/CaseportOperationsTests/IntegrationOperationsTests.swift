import CaseportCore
import CaseportOperations
import CaseportStore
import CaseportTestSupport
import FluentKit
import Foundation
import XCTest

/// Issue 16 below HTTP, on both databases: webhook subscriptions (`SaveWebhook`), their deliveries
/// written in the transaction of each case event, and staff single sign-on (`StaffSSOSignIn`).
final class IntegrationOperationsTests: XCTestCase {
    var harness: StoreHarness!
    var world: SettingsWorld!

    override func setUp() async throws {
        harness = try await StoreHarness()
        world = try await SettingsWorld.build(on: harness.database)
    }

    override func tearDown() async throws { await harness.shutdown() }

    static let names: [String: [String]] = ["hooks.example.com": ["203.0.113.9"], "inside.example.com": ["203.0.113.9", "10.0.0.8"]]
    let policy = SaveWebhook.TargetPolicy(allowed: [], resolve: { IntegrationOperationsTests.names[$0] ?? [] })

    func save(_ url: String, kinds: [String] = ["status", "note"], by actor: StaffActor? = nil, id: Int? = nil,
              active: Bool = true) async throws -> Outcome<Int, SaveWebhook.Field> {
        try await SaveWebhook.run(.init(subscriptionId: id, url: url, description: "ERP", kinds: kinds, isActive: active),
                                  policy: policy, by: actor ?? world.admin, in: world.context)
    }

    // MARK: Webhooks

    func testASubscriptionNeedsAPublicHttpURLAndAKindAndIsAudited() async throws {
        let awaited1 = try await save(" ").problems?[.url]
        XCTAssertEqual(awaited1, ProblemKey.required)
        let awaited2 = try await save("ftp://hooks.example.com/x").problems?[.url]
        XCTAssertEqual(awaited2, "webhook_error_url")
        let awaited3 = try await save("https://user:pw@hooks.example.com/x").problems?[.url]
        XCTAssertEqual(awaited3, "webhook_error_url")
        let awaited4 = try await save("https://inside.example.com/x").problems?[.url]
        XCTAssertEqual(awaited4, "webhook_error_internal",
                       "one internal address among the resolved ones is enough")
        let awaited5 = try await save("https://[fe80::1]/x").problems?[.url]
        XCTAssertEqual(awaited5, "webhook_error_internal")
        let awaited6 = try await save("https://nowhere.example.com/x").problems?[.url]
        XCTAssertEqual(awaited6, "webhook_error_unresolvable")
        let awaited7 = try await save("https://hooks.example.com/x", kinds: ["nonsense"]).problems?[.kinds]
        XCTAssertEqual(awaited7, "webhook_error_kinds")
        let awaited8 = try await WebhookSubscriptionRecord.query(on: world.db).count()
        XCTAssertEqual(awaited8, 0)
        do {
            _ = try await save("https://hooks.example.com/x", by: world.handler)
            XCTFail("a handler may not subscribe")
        } catch let error as OperationError {
            XCTAssertEqual(error, .forbidden)
        }

        let awaited9 = try await save("https://hooks.example.com/x", kinds: ["note", "status", "nonsense"]).value
        let id = try XCTUnwrap(awaited9)
        let awaited10 = try await WebhookSubscriptionRecord.find(id, on: world.db)
        let record = try XCTUnwrap(awaited10)
        XCTAssertEqual(record.kindNames, ["status", "note"], "known kinds only, in the stream's order")
        XCTAssertTrue(record.secret.hasPrefix("whsec_"))
        XCTAssertEqual(Data(base64Encoded: String(record.secret.dropFirst(6)))?.count, 32)
        _ = try await save("https://hooks.example.com/y", kinds: ["status"], id: id, active: false)
        let awaited11 = try await world.audit(.settingsChanged)
        XCTAssertEqual(awaited11, [
            "webhooks | webhook \(id) added: – → https://hooks.example.com/x [status, note]",
            "webhooks | webhook \(id) url: https://hooks.example.com/x → https://hooks.example.com/y",
            "webhooks | webhook \(id) kinds: status, note → status",
            "webhooks | webhook \(id) active: yes → no",
        ])
        let awaited12 = try await world.auditIsByAdmin(.settingsChanged)
        XCTAssertTrue(awaited12)
    }

    func testDeliveriesAreWrittenInTheTransactionOfTheEvent() async throws {
        let awaited13 = try await save("https://hooks.example.com/x", kinds: ["status"]).value
        let id = try XCTUnwrap(awaited13)
        let awaited14 = try await save("https://hooks.example.com/other", kinds: ["note"]).value
        let other = try XCTUnwrap(awaited14)
        let caseId = try world.world.caseA.requireID()
        let actor = EventActor(staffId: world.admin.staffId, name: "Ada Admin")
        struct Rollback: Error {}
        // The change fails after its event: neither the event nor its delivery remains.
        do {
            try await world.db.transaction { tx in
                try await CaseEvents.append(.statusChanged(from: .new, to: .open), caseId: caseId, by: actor, at: Date(), on: tx)
                throw Rollback()
            }
        } catch is Rollback {}
        let awaited15 = try await WebhookDeliveryRecord.query(on: world.db).count()
        XCTAssertEqual(awaited15, 0)

        try await world.db.transaction { tx in
            try await CaseEvents.append(.statusChanged(from: .new, to: .open), caseId: caseId, by: actor, at: Date(), on: tx)
            try await CaseEvents.append(.customerMessage, caseId: caseId, by: actor, at: Date(), on: tx)
        }
        let deliveries = try await WebhookDeliveryRecord.query(on: world.db).all()
        XCTAssertEqual(deliveries.map(\.subscriptionId), [id], "only the subscription to that kind; nobody subscribed to messages")
        let body = try XCTUnwrap(deliveries.first?.body)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        XCTAssertEqual(json["type"] as? String, "case.status")
        let data = try XCTUnwrap(json["data"] as? [String: Any])
        XCTAssertEqual(data["case_number"] as? Int, world.world.caseA.number)
        XCTAssertEqual((data["details"] as? [String: Any])?["to"] as? String, CaseStatus.open.rawValue)
        XCTAssertEqual(data["audience"] as? String, "customer")

        // A note is staff-only, delivered only to the subscription that chose notes — without its text.
        try await world.db.transaction { tx in
            try await CaseEvents.append(.internalNote, caseId: caseId, by: actor, at: Date(), on: tx)
        }
        let awaited16 = try await WebhookDeliveryRecord.query(on: world.db).filter(\.$subscriptionId == other).first()
        let note = try XCTUnwrap(awaited16)
        XCTAssertTrue(note.body.contains(#""audience":"staff""#))

        // A switched-off subscription gets nothing.
        _ = try await save("https://hooks.example.com/x", kinds: ["status"], id: id, active: false)
        try await world.db.transaction { tx in
            try await CaseEvents.append(.statusChanged(from: .open, to: .resolved), caseId: caseId, by: actor, at: Date(), on: tx)
        }
        let awaited17 = try await WebhookDeliveryRecord.query(on: world.db).filter(\.$subscriptionId == id).count()
        XCTAssertEqual(awaited17, 1)
    }

    func testClaimsHandEachDeliveryToOneWorkerAndRecordEveryAnswer() async throws {
        let awaited18 = try await save("https://hooks.example.com/x", kinds: ["status"]).value
        let id = try XCTUnwrap(awaited18)
        let caseId = try world.world.caseA.requireID()
        for _ in 0..<3 {
            try await world.db.transaction { tx in
                try await CaseEvents.append(.statusChanged(from: .new, to: .open), caseId: caseId,
                                            by: EventActor(name: "x"), at: Date(), on: tx)
            }
        }
        let queue = WebhookQueue(database: world.db)
        let now = Date()
        let first = try await queue.claim(limit: 2, lease: 60, now: now)
        let second = try await queue.claim(limit: 5, lease: 60, now: now)
        XCTAssertEqual(first.count, 2)
        XCTAssertEqual(second.count, 1)
        XCTAssertTrue(Set(first.map(\.id)).isDisjoint(with: second.map(\.id)))
        let awaited19 = try await queue.claim(limit: 5, lease: 60, now: now).count
        XCTAssertEqual(awaited19, 0, "leased rows are nobody else's")
        let awaited20 = try await queue.record(first[0], answer: .init(statusCode: 204, excerpt: "", duration: 0.1), now: now)
        XCTAssertEqual(awaited20, .delivered)
        let failed = try await queue.record(first[1], answer: .init(statusCode: 500, excerpt: String(repeating: "e", count: 900), duration: 0.1), now: now)
        XCTAssertEqual(failed, .retryLater)
        let attempts = try await queue.attempts(deliveryIds: first.map(\.id))
        XCTAssertEqual(attempts.map(\.statusCode), [204, 500])
        XCTAssertEqual(attempts[1].excerpt.count, WebhookQueue.excerptLength, "the answer is kept, cut short")
        // The lease of the killed worker's row passes, and the failed one's backoff (30 s): both are due again.
        let again = try await queue.claim(limit: 5, lease: 60, now: now + 61)
        XCTAssertEqual(again.map(\.id), [first[1].id, second[0].id].sorted())
        let failing = try await WebhookSubscriptionRecord.find(id, on: world.db)
        XCTAssertNotNil(failing?.failingSince)
        // Redelivery by hand, of a delivered one too; another subscription's id is not found.
        try await RedeliverWebhook.run(subscriptionId: id, deliveryId: first[0].id, by: world.admin, in: world.context)
        do {
            try await RedeliverWebhook.run(subscriptionId: id + 1, deliveryId: first[0].id, by: world.admin, in: world.context)
            XCTFail("a delivery of another subscription")
        } catch let error as OperationError { XCTAssertEqual(error, .notFound) }
    }

    // MARK: Single sign-on

    let policy16 = StaffSSOSignIn.Policy(createAccounts: true, adminGroups: ["admins"], handlerGroups: ["staff"])

    func signIn(_ subject: String, email: String? = nil, groups: [String] = ["staff"],
                policy: StaffSSOSignIn.Policy? = nil) async throws -> StaffSSOSignIn.Result {
        try await StaffSSOSignIn.run(.init(issuer: "https://idp.example", subject: subject, email: email, name: "Kim", groups: groups),
                                     policy: policy ?? policy16, passwords: PlainPasswords(), in: world.context)
    }

    func testSingleSignOnMatchesByIssuerAndSubjectAndMapsGroups() async throws {
        guard case .signedIn(let kim) = try await signIn("s-1", email: "kim@example.com") else { return XCTFail("created") }
        let awaited22 = try await StaffUserRecord.find(kim, on: world.db)?.role
        XCTAssertEqual(awaited22, .handler)
        guard case .signedIn(let again) = try await signIn("s-1", email: "other@example.com", groups: ["admins"]) else { return XCTFail() }
        XCTAssertEqual(again, kim, "the same subject is the same person, whatever the address")
        let awaited23 = try await StaffUserRecord.find(kim, on: world.db)?.role
        XCTAssertEqual(awaited23, .admin)
        // Another issuer with the same subject is someone else.
        let elsewhere = try await StaffSSOSignIn.run(.init(issuer: "https://other.example", subject: "s-1", email: "kim2@example.com",
                                                           name: nil, groups: ["staff"]),
                                                     policy: policy16, passwords: PlainPasswords(), in: world.context)
        guard case .signedIn(let second) = elsewhere else { return XCTFail() }
        XCTAssertNotEqual(second, kim)

        let awaited24 = try await signIn("s-1", groups: ["sales"])
        XCTAssertEqual(awaited24, .refused(.noRole))
        let awaited25 = try await signIn("s-2", email: "admin@example.com")
        XCTAssertEqual(awaited25, .refused(.emailTaken))
        let awaited26 = try await signIn("s-3", email: nil)
        XCTAssertEqual(awaited26, .refused(.noEmail))
        let awaited27 = try await signIn("s-4", email: "new@example.com",
                                         policy: .init(createAccounts: false, adminGroups: [], handlerGroups: []))
        XCTAssertEqual(awaited27, .refused(.unknown))
        let record = try await StaffUserRecord.find(kim, on: world.db)!
        record.isActive = false
        try await record.save(on: world.db)
        let awaited28 = try await signIn("s-1", email: "kim@example.com")
        XCTAssertEqual(awaited28, .refused(.inactive))
        let audit = try await AuditEventRecord.query(on: world.db).filter(\.$action == AuditAction.loginFailed.rawValue).count()
        XCTAssertEqual(audit, 5)
        let awaited29 = try await StaffIdentityRecord.query(on: world.db).count()
        XCTAssertEqual(awaited29, 2)
    }

    func testTheLastAdministratorKeepsTheRoleWhateverTheGroupsSay() async throws {
        guard case .signedIn(let kim) = try await signIn("s-1", email: "kim@example.com", groups: ["admins"]) else { return XCTFail() }
        // Ada (the world's admin) leaves; Kim is the only active administrator.
        let ada = try await StaffUserRecord.find(world.admin.staffId, on: world.db)!
        ada.isActive = false
        try await ada.save(on: world.db)
        _ = try await signIn("s-1", groups: ["staff"])
        let awaited30 = try await StaffUserRecord.find(kim, on: world.db)?.role
        XCTAssertEqual(awaited30, .admin)
    }
}
