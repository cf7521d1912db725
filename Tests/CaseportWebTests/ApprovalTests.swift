import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Foundation
import Vapor
import XCTest

/// B6: a resolved case waits for the customer's answer; unanswered, a reminder, then closing 24 h later.
final class ApprovalTests: XCTestCase {
    var harness: WebHarness!

    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws { try await harness.shutdown() }

    /// Anna's newest open case, marked resolved by staff through the back office.
    func resolvedCase() async throws -> CaseRecord {
        let customer = try await Demo.customer("1001", on: harness.app.db)
        let target = try await CaseRecord.query(on: harness.app.db).filter(\.$customerId == customer.id!)
            .filter(\.$status != .closed).filter(\.$status != .resolved).filter(\.$primaryContactId != nil).sort(\.$number, .descending).first()!
        let staff = harness.browser()
        try await staff.staffLogin("handler@example.com")
        try await staff.get("/staff/cases/\(target.number)")
        let moved = try await staff.post("/staff/cases/\(target.number)/status", ["status": "resolved", "version": String(target.version)])
        XCTAssertEqual(moved.status, .seeOther)
        return try await CaseRecord.find(target.id, on: harness.app.db)!
    }

    func testButtonsShowOnlyWhileResolvedAndApprovedCloses() async throws {
        let target = try await resolvedCase()
        XCTAssertNotNil(target.resolvedAt)
        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        try await anna.get("/cases/\(target.number)")
        XCTAssertTrue(anna.lastBody.contains("action=\"/cases/\(target.number)/approve\""))
        XCTAssertTrue(anna.lastBody.contains("action=\"/cases/\(target.number)/not-ok#approval\""))
        let approved = try await anna.post("/cases/\(target.number)/approve", [:])
        XCTAssertEqual(approved.status, .seeOther)
        let closed = try await CaseRecord.find(target.id, on: harness.app.db)!
        XCTAssertEqual(closed.status, .closed)
        let events = try await CaseEventRecord.query(on: harness.app.db).filter(\.$caseId == target.id!).all().map(\.kind)
        XCTAssertTrue(events.contains("approved"))
        try await anna.get("/cases/\(target.number)")
        XCTAssertFalse(anna.lastBody.contains("/approve\""), "no buttons outside the approval phase")
        // A late second answer changes nothing.
        try await anna.post("/cases/\(target.number)/not-ok", ["comment": "för sent"])
        let still = try await CaseRecord.find(target.id, on: harness.app.db)!
        XCTAssertEqual(still.status, .closed)
    }

    func testNotOKNeedsACommentAndReopens() async throws {
        let target = try await resolvedCase()
        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        try await anna.get("/cases/\(target.number)")
        let empty = try await anna.post("/cases/\(target.number)/not-ok", ["comment": "  "])
        XCTAssertEqual(empty.status, .unprocessableEntity)
        XCTAssertTrue(anna.lastBody.contains("id=\"approval-error\""))
        var record = try await CaseRecord.find(target.id, on: harness.app.db)!
        XCTAssertEqual(record.status, .resolved)
        let rejected = try await anna.post("/cases/\(target.number)/not-ok", ["comment": "Kranen läcker fortfarande."])
        XCTAssertEqual(rejected.status, .seeOther)
        record = try await CaseRecord.find(target.id, on: harness.app.db)!
        XCTAssertEqual(record.status, .reopened)
        XCTAssertTrue(record.hasUnreadActivity)
        try await anna.get("/cases/\(target.number)")
        XCTAssertTrue(anna.lastBody.contains("Kranen läcker fortfarande."))
        XCTAssertFalse(anna.lastBody.contains("/not-ok#approval\""))
    }

    func testUnansweredCaseIsRemindedThenClosedAsApproved24HoursLater() async throws {
        let target = try await resolvedCase()
        let resolvedAt = Date(timeIntervalSince1970: target.resolvedAt!)
        let clock = TestClock(resolvedAt)
        var config = harness.app.caseport.config
        config.delivery.approvalReminderAfter = 5 * 24 * 3_600
        config.delivery.companyName = "Fastighetsservice"
        let job = ApprovalJob(database: harness.app.db, translations: harness.app.caseport.translations, config: config,
                              clock: { clock.now })
        func state() async throws -> CaseRecord { try await CaseRecord.find(target.id, on: harness.app.db)! }
        func reminders() async throws -> [OutboxRecord] {
            try await OutboxRecord.query(on: harness.app.db).filter(\.$kind == "approval_reminder").all()
        }

        clock.advance(4 * 24 * 3_600)
        try await job.run()
        var reminded = try await reminders()
        XCTAssertEqual(reminded.count, 0, "not before the configured time")

        clock.advance(24 * 3_600 + 60)
        try await job.run()
        try await job.run()
        reminded = try await reminders()
        XCTAssertEqual(reminded.count, 1, "one reminder, however often the job runs")
        XCTAssertEqual(reminded.first?.recipient, "anna@solglantan.example")
        XCTAssertEqual(reminded.first?.caseId, target.id)
        XCTAssertTrue(reminded.first?.body.contains("/cases/\(target.number)") ?? false)
        var record = try await state()
        XCTAssertEqual(record.status, .resolved)

        clock.advance(23 * 3_600)
        try await job.run()
        record = try await state()
        XCTAssertEqual(record.status, .resolved, "still open 23 hours after the reminder")

        clock.advance(3_600 + 60)
        try await job.run()
        record = try await state()
        XCTAssertEqual(record.status, .closed)
        let events = try await CaseEvents.timeline(caseId: target.id!, on: harness.app.db)
        XCTAssertTrue(events.contains { $0.event == .approvalReminderSent && $0.audience == .staff })
        XCTAssertTrue(events.contains { $0.event == .autoApproved && $0.actor.name == "Fastighetsservice" })
        XCTAssertTrue(events.contains { $0.event == .statusChanged(from: .resolved, to: .closed) })

        // The staff timeline says so in words.
        let staff = harness.browser()
        try await staff.staffLogin("handler@example.com")
        try await staff.get("/staff/cases/\(target.number)")
        XCTAssertTrue(staff.lastBody.contains("Avslutat som godkänt utan svar 24 timmar efter påminnelsen"))
    }

    func testAnswerBeforeTheDeadlineStopsTheAutoClose() async throws {
        let target = try await resolvedCase()
        let clock = TestClock(Date(timeIntervalSince1970: target.resolvedAt!).addingTimeInterval(6 * 24 * 3_600))
        let job = ApprovalJob(database: harness.app.db, translations: harness.app.caseport.translations,
                              config: harness.app.caseport.config, clock: { clock.now })
        try await job.run()
        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        try await anna.get("/cases/\(target.number)")
        try await anna.post("/cases/\(target.number)/not-ok", ["comment": "Inte klart"])
        clock.advance(2 * 24 * 3_600)
        try await job.run()
        let record = try await CaseRecord.find(target.id, on: harness.app.db)!
        XCTAssertEqual(record.status, .reopened)
    }
}
