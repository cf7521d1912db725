import CaseportCore
import CaseportOperations
import CaseportStore
import CaseportTestSupport
import FluentKit
import XCTest

/// The back office's case operations below HTTP, on both databases.
final class StaffCaseOperationsTests: XCTestCase {
    var harness: StoreHarness!
    var world: OperationWorld!

    override func setUp() async throws {
        harness = try await StoreHarness()
        world = try await OperationWorld.build(on: harness.database)
    }

    override func tearDown() async throws { await harness.shutdown() }

    func input(_ record: CaseRecord, subject: String? = nil, handler: ChosenId? = nil, object: ChosenId? = nil,
               category: ChosenId = .none) -> EditCase.Input {
        EditCase.Input(caseNumber: record.number, expectedVersion: record.version, subject: subject ?? record.subject,
                       description: record.description, category: category, type: .none, priority: .none,
                       handler: handler ?? ChosenId(record.handlerId), supplier: .none, customer: ChosenId(record.customerId),
                       object: object ?? ChosenId(record.objectId))
    }

    func testAnEditWritesOneEventPerChangedFieldWithWhoMaySeeIt() async throws {
        let other = StaffUserRecord(email: "other@example.com", name: "Olle Annan", role: .handler, passwordHash: "x")
        try await other.create(on: world.db)
        let outcome = try await EditCase.run(input(world.caseA, subject: "Läcka i tvättstugan", handler: .id(other.id!)),
                                             by: world.handler, in: world.context)
        XCTAssertEqual(outcome.value, world.caseA.number)
        let record = try await world.reload(world.caseA)
        XCTAssertEqual(record.subject, "Läcka i tvättstugan")
        XCTAssertEqual(record.handlerId, other.id)
        XCTAssertEqual(record.version, world.caseA.version + 1)
        let events = try await world.events(of: record)
        XCTAssertEqual(Set(events.map(\.event)), [
            .fieldChanged(.subject, before: world.caseA.subject, after: "Läcka i tvättstugan"),
            .handlerChanged(before: "Henrik Handläggare", after: "Olle Annan"),
        ])
        XCTAssertEqual(events.first { $0.event.kind == .fieldChanged }?.audience, .customer, "the customer sees their subject change")
        XCTAssertEqual(events.first { $0.event.kind == .handlerChanged }?.audience, .staff)
        XCTAssertTrue(events.allSatisfy { $0.actor == EventActor(staffId: world.handler.staffId, name: "Henrik Handläggare") })
    }

    func testAnEditFromAnOldPageIsStaleAndProblemsWriteNothing() async throws {
        _ = try await EditCase.run(input(world.caseA, subject: "Först"), by: world.handler, in: world.context)
        do {
            _ = try await EditCase.run(input(world.caseA, subject: "Sedan"), by: world.handler, in: world.context)
            XCTFail("the page showed an older version")
        } catch let error as OperationError {
            XCTAssertEqual(error, .stale)
        }
        let fresh = try await world.reload(world.caseA)
        let problems = try await EditCase.run(input(fresh, subject: " ", handler: .id(9_999), object: .id(world.caseB.objectId!),
                                                    category: .invalid),
                                              by: world.handler, in: world.context).problems
        XCTAssertEqual(problems?[.subject], ProblemKey.required)
        XCTAssertEqual(problems?[.handler], ProblemKey.chooseFromList)
        XCTAssertEqual(problems?[.category], ProblemKey.chooseFromList)
        XCTAssertEqual(problems?[.object], "new_case_error_object_customer", "an object of another customer")
        let after = try await world.reload(world.caseA)
        XCTAssertEqual(after.subject, "Först")
        XCTAssertEqual(after.version, fresh.version)
    }

    func testEachChoiceNotOfferedIsAProblemOfItsOwnField() async throws {
        var tampered = input(world.caseA)
        (tampered.category, tampered.type, tampered.priority, tampered.handler) = (.invalid, .id(9_999), .id(9_999), .invalid)
        (tampered.supplier, tampered.customer, tampered.object) = (.id(9_999), .id(9_999), .id(9_999))
        tampered.description = String(repeating: "x", count: InputLimits.description + 1)
        let problems = try await EditCase.run(tampered, by: world.handler, in: world.context).problems
        XCTAssertEqual(problems?.messages, [
            .category: ProblemKey.chooseFromList, .type: ProblemKey.chooseFromList, .priority: ProblemKey.chooseFromList,
            .handler: ProblemKey.chooseFromList, .supplier: ProblemKey.chooseFromList, .customer: ProblemKey.chooseFromList,
            .object: "new_case_error_object_customer", .description: ProblemKey.tooLong,
        ])
    }

    func testStatusFollowsTheWorkflowAndEveryMoveIsACustomerEvent() async throws {
        let number = world.caseA.number
        do {
            _ = try await ChangeCaseStatus.run(.init(caseNumber: number, expectedVersion: world.caseA.version, next: .reopened),
                                               by: world.handler, in: world.context)
            XCTFail("new → reopened is not a transition")
        } catch let error as OperationError {
            XCTAssertEqual(error, .notAllowedNow)
        }
        _ = try await ChangeCaseStatus.run(.init(caseNumber: number, expectedVersion: world.caseA.version, next: .open),
                                           by: world.handler, in: world.context)
        let record = try await world.reload(world.caseA)
        XCTAssertEqual(record.status, .open)
        let events = try await world.events(of: record)
        XCTAssertEqual(events.map(\.event), [.statusChanged(from: .new, to: .open)])
        XCTAssertEqual(events.first?.audience, .customer)
    }

    func testAnInternalNoteIsAStaffEventAndSendsNothingWhileAMessageTextsTheCustomerWhoAskedForIt() async throws {
        world.caseA.smsPhone = "+46701234567"
        try await world.caseA.update(on: world.db)
        var settings = try await SettingsStore(database: world.db).load()
        settings.smsEnabled = true
        try await SettingsStore(database: world.db).save(settings)
        let texts = OperationWorld.texts.merging(["sms_company_wrote": "{company}: {link}"]) { $1 }
        world.context.notifications.translations = Translations(tables: [.sv: texts, .en: texts])

        let note = try await WriteStaffMessage.run(.init(caseNumber: world.caseA.number, body: "Ring fastighetsskötaren", isInternal: true),
                                                   by: world.handler, in: world.context)
        XCTAssertNotNil(note.value)
        var outbox = try await world.outbox(of: world.caseA)
        XCTAssertTrue(outbox.isEmpty)
        let customerSees = try await CaseConversation(database: world.db).publicMessages(caseId: world.caseA.id!)
        XCTAssertTrue(customerSees.isEmpty, "an internal note is never a portal message")

        _ = try await WriteStaffMessage.run(.init(caseNumber: world.caseA.number, body: "Vi kommer i morgon", isInternal: false),
                                            by: world.handler, in: world.context)
        outbox = try await world.outbox(of: world.caseA)
        // The text the creator asked for, and (issue 11) the e-mail to the creator.
        XCTAssertEqual(outbox.map(\.channel), ["sms", "email"])
        XCTAssertEqual(outbox.last?.kind, "customer_case_message")
        XCTAssertEqual(outbox.first?.body, "Fastighetsservice: https://portal.example.com/cases/\(world.caseA.number)")
        let events = try await world.events(of: world.caseA)
        XCTAssertEqual(events.map(\.event), [.staffMessage, .internalNote])
        XCTAssertEqual(events.map(\.audience), [.customer, .staff])

        let empty = try await WriteStaffMessage.run(.init(caseNumber: world.caseA.number, body: "  ", isInternal: false),
                                                    by: world.handler, in: world.context)
        XCTAssertEqual(empty.problems?[.body], "message_error_empty")
    }

    func testTheApprovalRoundRemindsThenClosesAsTheCompany() async throws {
        final class Clock: @unchecked Sendable { var now = Date() }
        let clock = Clock()
        world.context.clock = { clock.now }
        _ = try await ChangeCaseStatus.run(.init(caseNumber: world.caseA.number, expectedVersion: world.caseA.version, next: .resolved),
                                           by: world.handler, in: world.context)
        clock.now += 3_600
        try await ApprovalRound.run(reminderAfter: 1_800, in: world.context)
        let reminders = try await world.outbox(of: world.caseA).filter { $0.kind == "approval_reminder" }
        XCTAssertEqual(reminders.map(\.recipient), ["anna@example.com"])
        try await ApprovalRound.run(reminderAfter: 1_800, in: world.context)
        let again = try await world.outbox(of: world.caseA).filter { $0.kind == "approval_reminder" }
        XCTAssertEqual(again.count, 1, "one reminder per wait")
        clock.now += 24 * 3_600 + 1
        try await ApprovalRound.run(reminderAfter: 1_800, in: world.context)
        let record = try await world.reload(world.caseA)
        XCTAssertEqual(record.status, .closed)
        let events = try await world.events(of: record)
        XCTAssertTrue(events.contains { $0.event == .autoApproved && $0.actor.name == "Fastighetsservice" })
        XCTAssertTrue(events.contains { $0.event == .approvalReminderSent && $0.audience == .staff })
    }

    func testMarkingReadClearsNewActivityOfOneCaseOrOfAll() async throws {
        for record in [world.caseA, world.caseB] {
            _ = try await WriteCustomerMessage.run(.init(caseNumber: record.number, body: "Hej", copyToMe: false, author: .none,
                                                         language: .sv), by: record.id == world.caseA.id ? world.anna : world.bert,
                                                   in: world.context)
        }
        let version = try await world.reload(world.caseA).version
        _ = try await MarkCaseRead.run(caseNumber: world.caseA.number, by: world.handler, in: world.context)
        var (a, b) = (try await world.reload(world.caseA), try await world.reload(world.caseB))
        XCTAssertFalse(a.hasUnreadActivity)
        XCTAssertTrue(b.hasUnreadActivity, "only the case that was opened")
        XCTAssertEqual(a.version, version, "reading is no edit: a page open elsewhere stays current")
        _ = try await MarkAllCasesRead.run(by: world.handler, in: world.context)
        (a, b) = (try await world.reload(world.caseA), try await world.reload(world.caseB))
        XCTAssertFalse(b.hasUnreadActivity)
        do {
            _ = try await MarkCaseRead.run(caseNumber: 999_999, by: world.handler, in: world.context)
            XCTFail("a missing case was marked read")
        } catch OperationError.notFound {}
    }
}
