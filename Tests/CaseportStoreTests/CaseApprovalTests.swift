import CaseportCore
import CaseportStore
import FluentKit
import SQLKit
import XCTest

/// The customer's approval of a resolved case (B6) and its schedule: a reminder once, then closing
/// as approved a day after the reminder; only a resolved case can be answered.
final class CaseApprovalTests: StoreTestCase {
    let resolvedAt = Date(timeIntervalSince1970: 1_700_000_000)
    var people: Authors!
    var anna: CaseConversation.Author { people.customer }

    override func setUp() async throws {
        try await super.setUp()
        people = try await make.authors()
    }

    func resolvedCase(_ subject: String) async throws -> CaseRecord {
        let record = try await make.case(subject, origin: .backOffice)
        try await StaffCases(database: db).changeStatus(caseId: record.id!, to: .resolved, expectedVersion: 1,
                                                        by: people.actor, at: resolvedAt)
        return try await make.reload(record)
    }

    func testApprovingClosesTheCaseWithAMessageAndOnlyOnce() async throws {
        let record = try await resolvedCase("Fall")
        let approval = CaseApproval(database: db)
        try await approval.approve(caseId: record.id!, author: anna, message: "Godkänt", at: resolvedAt.addingTimeInterval(60))
        let stored = try await make.reload(record)
        XCTAssertEqual(stored.status, .closed)
        XCTAssertNil(stored.resolvedAt)
        XCTAssertEqual(stored.version, record.version + 1)
        let messages = try await CaseConversation(database: db).publicMessages(caseId: record.id!)
        XCTAssertEqual(messages.map(\.body), ["Godkänt"])
        do {
            try await approval.approve(caseId: record.id!, author: anna, message: "Igen")
            XCTFail("a closed case is not awaiting approval")
        } catch CaseApproval.Failure.notAwaitingApproval {}
        let after = try await CaseConversation(database: db).publicMessages(caseId: record.id!)
        XCTAssertEqual(after.count, 1, "the refused answer wrote nothing")
    }

    func testRejectingReopensTheCaseAndQueuesTheNotification() async throws {
        let record = try await resolvedCase("Fall")
        let mail = OutboxRecord(kind: .messageCopy, recipient: "berit@example.org", language: "sv", subject: "s", body: "b")
        try await CaseApproval(database: db).reject(caseId: record.id!, author: anna, message: "Droppar fortfarande",
                                                    notifications: [mail])
        let stored = try await make.reload(record)
        XCTAssertEqual(stored.status, .reopened)
        let queued = try await OutboxRecord.query(on: db).all()
        XCTAssertEqual(queued.map(\.caseId), [record.id])
        let open = try await make.case("Öppet fall")
        do {
            try await CaseApproval(database: db).reject(caseId: open.id!, author: anna, message: "Nej")
            XCTFail("a case that is not resolved cannot be rejected")
        } catch CaseApproval.Failure.notAwaitingApproval {}
    }

    func testARemindedCaseClosesADayAfterTheReminderNotBefore() async throws {
        let waiting = try await resolvedCase("Väntar")
        let fresh = try await resolvedCase("Nyss löst")
        fresh.resolvedAt = resolvedAt.addingTimeInterval(3 * 86_400).timeIntervalSince1970
        try await fresh.update(on: db)
        let approval = CaseApproval(database: db)
        let reminderTime = resolvedAt.addingTimeInterval(5 * 86_400)
        let reminded = try await approval.sendReminders(after: 4 * 86_400, now: reminderTime, actorName: "Caseport") { record, _ in
            [OutboxRecord(kind: .approvalReminder, recipient: "anna@example.org", language: "sv", subject: "s", body: "\(record.number)")]
        }
        XCTAssertEqual(reminded, 1, "only the case resolved long enough ago")
        let remindedAgain = try await approval.sendReminders(after: 4 * 86_400, now: reminderTime.addingTimeInterval(60),
                                                             actorName: "Caseport") { _, _ in XCTFail("reminded twice"); return [] }
        XCTAssertEqual(remindedAgain, 0)
        let queued = try await OutboxRecord.query(on: db).all()
        XCTAssertEqual(queued.map(\.caseId), [waiting.id])

        var closed = try await approval.closeUnanswered(now: reminderTime.addingTimeInterval(86_400 - 60), actorName: "Caseport") { _, _ in "Stängt automatiskt" }
        XCTAssertEqual(closed, 0, "not before 24 hours after the reminder")
        closed = try await approval.closeUnanswered(now: reminderTime.addingTimeInterval(86_400), actorName: "Caseport") { _, _ in "Stängt automatiskt" }
        XCTAssertEqual(closed, 1)
        let stored = try await make.reload(waiting)
        XCTAssertEqual(stored.status, .closed)
        let untouched = try await make.reload(fresh)
        XCTAssertEqual(untouched.status, .resolved)
        let messages = try await CaseConversation(database: db).publicMessages(caseId: waiting.id!)
        XCTAssertEqual(messages.map(\.authorKind), [.system])
    }

    func testJobLockRunsTheJobAndOnPostgreSQLOnlyOneAtATime() async throws {
        let ran = try await JobLock.run("test-job", on: db) { _ in }
        XCTAssertTrue(ran)
        guard (db as? any SQLDatabase)?.dialect.name == "postgresql" else { return }
        // While one runner holds the lock inside its transaction, a second one skips the round.
        let database = db
        let inner = try await JobLock.run("test-job", on: database) { _ in
            let second = try await JobLock.run("test-job", on: database) { _ in XCTFail("ran while locked") }
            XCTAssertFalse(second)
        }
        XCTAssertTrue(inner)
        let otherName = try await JobLock.run("other-job", on: db) { _ in }
        XCTAssertTrue(otherName)
    }
}
