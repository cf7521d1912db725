import CaseportCore
import CaseportOperations
import CaseportStore
import CaseportTestSupport
import FluentKit
import Foundation
import XCTest

/// B12 below HTTP: the round makes one report per customer and month however often it runs, stores it,
/// mails the users who may read it (unless the month was empty and the customer said so), and staff can
/// switch reports on and make a month again.
final class MonthlyReportOperationsTests: XCTestCase {
    var harness: StoreHarness!
    var world: OperationWorld!
    let storage = MemoryStorage()
    /// 2026-12-04: the round reports on November.
    let now = DashboardPeriod.calendar.date(from: DateComponents(year: 2026, month: 12, day: 4, hour: 10))!
    var db: any Database { harness.database }

    override func setUp() async throws {
        harness = try await StoreHarness()
        let now = self.now
        world = try await OperationWorld.build(on: harness.database, clock: { now })
    }

    override func tearDown() async throws { await harness?.shutdown() }

    /// What the fake renderer was asked for: the content's customer, month and counts.
    let render: MonthlyReportRenderer = { content, language in
        Array("PDF \(content.customerName) \(content.month.text) created=\(content.createdTotal) closed=\(content.closedTotal) \(language.rawValue)".utf8)
    }

    var customerA: Int { world.caseA.customerId! }
    var customerB: Int { world.caseB.customerId! }

    func switchOn(_ customerId: Int, mailWhenEmpty: Bool = true) async throws {
        let outcome = try await MonthlyReportSettings.run(.init(customerId: customerId, on: true, mailWhenEmpty: mailWhenEmpty),
                                                          by: world.handler, in: world.context)
        guard case .done(true) = outcome else { return XCTFail("switched on: \(outcome)") }
    }

    func novemberCase(_ customerId: Int) async throws {
        var new = NewCase(subject: "I november", description: "", createdByName: "Test", origin: .portal)
        new.customerId = customerId
        new.createdAt = ReportMonth(year: 2026, month: 11)!.start.addingTimeInterval(3 * 86_400)
        try await CaseCreation.create(new, on: db)
    }

    func reportMails() async throws -> [OutboxRecord] {
        try await OutboxRecord.query(on: db).filter(\.$kind == OutboxKind.monthlyReport.rawValue).all()
    }

    func testRunningTwiceMakesOneReportAndOneMailPerReader() async throws {
        try await switchOn(customerA)
        try await novemberCase(customerA)
        try await novemberCase(customerA)
        let first = try await MonthlyReportRound.run(render: render, storage: storage, in: world.context)
        XCTAssertEqual(first, 1, "one report: customer A's November; B has reports off")
        let second = try await MonthlyReportRound.run(render: render, storage: storage, in: world.context)
        XCTAssertEqual(second, 0, "the month's report exists: nothing new")

        let reports = try await MonthlyReports(database: db).list(customerIds: [customerA, customerB])
        XCTAssertEqual(reports.map(\.month), ["2026-11"])
        XCTAssertEqual(reports.first?.caseCount, 2)
        XCTAssertEqual(storage.keys, [reports[0].storageKey], "one stored PDF, no leftovers")
        XCTAssertEqual(String(decoding: storage.bytes(reports[0].storageKey)!, as: UTF8.self), "PDF Brf Solgläntan 2026-11 created=2 closed=0 sv")
        let mails = try await reportMails()
        XCTAssertEqual(mails.map(\.recipient), ["anna@example.com"], "customer A's invoice-customer login, once")
        let audit = try await AuditEventRecord.query(on: db).all().compactMap(\.details)
        XCTAssertTrue(audit.contains { $0.contains("monthly reports: on") }, "\(audit)")
    }

    func testTheUniqueMonthWinsOverASecondWriter() async throws {
        // Another server made the report between our check and our insert: ours is not kept.
        _ = try await MonthlyReports(database: db).insert(customerId: customerA, month: "2026-11", storageKey: "other", byteSize: 1,
                                                         caseCount: 0, at: now, on: db)
        let again = try await MonthlyReports(database: db).insert(customerId: customerA, month: "2026-11", storageKey: "mine", byteSize: 1,
                                                                 caseCount: 0, at: now, on: db)
        XCTAssertNil(again)
        let kept = try await MonthlyReports(database: db).find(customerId: customerA, month: "2026-11")
        XCTAssertEqual(kept?.storageKey, "other")
    }

    func testAnEmptyMonthIsReportedButNotMailedWhenTheCustomerSaysSo() async throws {
        try await switchOn(customerA, mailWhenEmpty: false)
        try await switchOn(customerB, mailWhenEmpty: true)
        let made = try await MonthlyReportRound.run(render: render, storage: storage, in: world.context)
        XCTAssertEqual(made, 2)
        let mails = try await reportMails()
        XCTAssertEqual(mails.map(\.recipient), ["bert@example.com"], "A's empty month is not mailed; B mails empty months")
    }

    func testStaffMakeAMonthAgainWithoutMailingAndOnlyAMonthThatIsOver() async throws {
        try await switchOn(customerA)
        try await MonthlyReportRound.run(render: render, storage: storage, in: world.context)
        let before = try await MonthlyReports(database: db).find(customerId: customerA, month: "2026-11")!
        try await novemberCase(customerA)
        let outcome = try await RegenerateMonthlyReport.run(customerId: customerA, month: "2026-11", render: render, storage: storage,
                                                            by: world.handler, in: world.context)
        guard case .done(let id) = outcome else { return XCTFail("made again: \(outcome)") }
        XCTAssertEqual(id, before.id, "the same report, new bytes")
        let after = try await MonthlyReports(database: db).find(customerId: customerA, month: "2026-11")!
        XCTAssertNotEqual(after.storageKey, before.storageKey)
        XCTAssertEqual(after.caseCount, 1)
        XCTAssertEqual(storage.keys, [after.storageKey], "the old bytes are gone")
        let mails = try await reportMails()
        XCTAssertEqual(mails.count, 1, "the round's mail only: making a month again mails nobody")

        // An earlier month that was never made is made new; the current month is refused.
        let october = try await RegenerateMonthlyReport.run(customerId: customerA, month: "2026-10", render: render, storage: storage,
                                                            by: world.handler, in: world.context)
        guard case .done = october else { return XCTFail("october: \(october)") }
        for month in ["2026-12", "2026-13", "x"] {
            let refused = try await RegenerateMonthlyReport.run(customerId: customerA, month: month, render: render, storage: storage,
                                                                by: world.handler, in: world.context)
            guard case .problems(let problems) = refused else { return XCTFail("\(month) accepted") }
            XCTAssertEqual(problems.messages[.month], "monthly_report_month_invalid")
        }
        do {
            _ = try await RegenerateMonthlyReport.run(customerId: 999_999, month: "2026-11", render: render, storage: storage,
                                                      by: world.handler, in: world.context)
            XCTFail("an unknown customer")
        } catch let error as OperationError {
            XCTAssertEqual(error, .notFound)
        }
    }

    /// Readers: contacts linked to the customer and its invoice-customer login; not object-linked contacts,
    /// object logins or removed users.
    func testWhoIsMailedAndWhoMayReadAReport() async throws {
        let customer = try await CustomerRecord.find(customerA, on: db)!
        let object = ObjectRecord(customerId: customerA, name: "Hus X", address: "")
        try await object.create(on: db)
        let linked = ContactRecord(firstName: "Lina", lastName: "Kund", email: "lina@example.com")
        let onObject = ContactRecord(firstName: "Olle", lastName: "Objekt", email: "olle@example.com")
        try await linked.create(on: db)
        try await onObject.create(on: db)
        try await ContactCustomerLink(contactId: linked.id!, customerId: customerA).create(on: db)
        try await ContactObjectLink(contactId: onObject.id!, objectId: object.id!).create(on: db)
        for (name, kind, contact, objectId) in [("lina", PortalLoginKind.contact, linked.id, nil as Int?), ("olle", .contact, onObject.id, nil),
                                                 ("huset", .object, nil, object.id)] {
            try await PortalUserRecord(organisationId: customer.id!, username: name, loginKind: kind, contactId: contact, objectId: objectId,
                                       firstName: name, lastName: "T", email: "\(name)@example.com", passwordHash: "x").create(on: db)
        }
        let recipients = try await MonthlyReports(database: db).recipients(customerId: customerA).map(\.email).sorted()
        XCTAssertEqual(recipients, ["anna@example.com", "lina@example.com"])
        XCTAssertEqual(MonthlyReportAccess.customerIds(for: .contactUser(contact: ContactLinks(contactId: linked.id!, customerIds: [customerA]))), [customerA])
        XCTAssertEqual(MonthlyReportAccess.customerIds(for: .contactUser(contact: ContactLinks(contactId: onObject.id!, objectIds: [object.id!]))), [])
        XCTAssertEqual(MonthlyReportAccess.customerIds(for: .object(objectId: object.id!, customerId: customerA)), [])
        XCTAssertEqual(MonthlyReportAccess.customerIds(for: .invoiceCustomer(customerId: customerA)), [customerA])
        XCTAssertEqual(MonthlyReportAccess.customerIds(for: .contactUser(contact: nil)), [])
    }
}
