import CaseportCore
import CaseportOperations
import CaseportStore
import CaseportTestSupport
import FluentKit
import XCTest

/// Issue 13 (D3): the back office of a claim below HTTP, on both databases — registering the claim,
/// its details and people, tasks, calls, the decision, closing with a comment; each change's events
/// with their payload and audience, the moments set once, stale pages refused, bad input as problems.
final class ClaimBackOfficeOperationsTests: XCTestCase {
    var harness: StoreHarness!
    var world: OperationWorld!
    final class Clock: @unchecked Sendable { var now = Date(timeIntervalSince1970: 1_790_000_000) }
    let clock = Clock()
    var now: Date {
        get { clock.now }
        set { clock.now = newValue }
    }

    override func setUp() async throws {
        harness = try await StoreHarness()
        world = try await OperationWorld.build(on: harness.database, clock: { [clock] in clock.now })
    }

    override func tearDown() async throws { await harness.shutdown() }

    func claimEvents(after count: Int = 0) async throws -> [StoredCaseEvent] {
        Array(try await world.events(of: world.caseA).reversed().dropFirst(count))
    }

    func register() async throws -> CaseRecord {
        let record = try await world.reload(world.caseA)
        let outcome = try await RegisterClaim.run(.init(caseNumber: record.number, expectedVersion: record.version,
                                                        incident: .at(Date(timeIntervalSince1970: 1_789_000_000)),
                                                        damageType: "Vandskade", policyholderType: "private"),
                                                  by: world.handler, in: world.context)
        XCTAssertEqual(outcome.value, record.number)
        return try await world.reload(world.caseA)
    }

    func office(_ name: String = "Easyfix - København") async throws -> SupplierRecord {
        let supplier = SupplierRecord(name: name, phone: "1111111111")
        try await supplier.create(on: world.db)
        return supplier
    }

    func testRegisteringMakesTheCaseAClaimOnceAndChecksItsInput() async throws {
        let record = try await world.reload(world.caseA)
        let problems = try await RegisterClaim.run(.init(caseNumber: record.number, expectedVersion: record.version, incident: .invalid,
                                                         damageType: " ", policyholderType: "landlord"),
                                                   by: world.handler, in: world.context).problems
        XCTAssertEqual(problems?[.incident], "claims_error_time")
        XCTAssertEqual(problems?[.damageType], ProblemKey.required)
        XCTAssertEqual(problems?[.policyholderType], ProblemKey.chooseFromList)
        let notYet = try await ClaimSettingsStore(database: world.db).progress(caseId: record.id!)
        XCTAssertFalse(notYet.isClaim, "problems write nothing")

        let claimed = try await register()
        XCTAssertEqual(claimed.version, record.version + 1)
        let details = try await ClaimBackOffice(database: world.db).details(caseId: record.id!)
        XCTAssertEqual(details?.damageType, "Vandskade")
        XCTAssertEqual(details?.policyholderType, "private")
        XCTAssertEqual(details?.incidentAt, Date(timeIntervalSince1970: 1_789_000_000))
        do {
            _ = try await RegisterClaim.run(.init(caseNumber: claimed.number, expectedVersion: claimed.version, incident: .none,
                                                  damageType: "Brand", policyholderType: "business"), by: world.handler, in: world.context)
            XCTFail("a case is a claim once")
        } catch let error as OperationError { XCTAssertEqual(error, .alreadyDone) }
    }

    func testEditingTheDetailsWritesTheFeedsEventsAndAssigningTheExpertIsTheFirstInspectionOnce() async throws {
        var record = try await register()
        let before = try await world.events(of: record).count
        let pm = try await office()
        let meeting = Date(timeIntervalSince1970: 1_790_100_000)
        var input = EditClaimDetails.Input(caseNumber: record.number, expectedVersion: record.version, incident: .none,
                                           damageType: "Vandskade", policyholderType: "business", address: "Irlandsvej 80, 2300 København S",
                                           projectManagerName: "Pia Sørensen", projectManagerPhone: "+45 11 11 11 11",
                                           projectOffice: .id(pm.id!), expertName: "Rie Nielsen", expertPhone: "+4511111111",
                                           appointment: .at(meeting))
        let awaited1 = try await EditClaimDetails.run(input, by: world.handler, in: world.context).value
        XCTAssertNotNil(awaited1)
        let events = try await claimEvents(after: before)
        XCTAssertEqual(events.map(\.event), [
            .projectManagerChanged(name: "Pia Sørensen"), .projectManagerOfficeChanged(office: "Easyfix - København"),
            .expertAssigned(name: "Rie Nielsen"), .appointmentChanged(at: meeting),
        ])
        XCTAssertTrue(events.allSatisfy { $0.audience == .customer }, "the feed's filter decides what the customer sees")
        XCTAssertEqual(events.first?.actor, EventActor(staffId: world.handler.staffId, name: "Henrik Handläggare"))
        record = try await world.reload(record)
        XCTAssertEqual(record.workSiteAddress, "Irlandsvej 80, 2300 København S")
        let progress = try await ClaimSettingsStore(database: world.db).progress(caseId: record.id!)
        XCTAssertEqual(progress.firstInspectionAt, now)

        // A later expert does not move the moment; an unchanged save writes no event.
        let first = now
        now = now.addingTimeInterval(3_600)
        input.expectedVersion = record.version
        input.expertName = "Ole Hansen"
        _ = try await EditClaimDetails.run(input, by: world.handler, in: world.context)
        record = try await world.reload(record)
        input.expectedVersion = record.version
        _ = try await EditClaimDetails.run(input, by: world.handler, in: world.context)
        let later = try await claimEvents(after: before + 4)
        XCTAssertEqual(later.map(\.event), [.expertAssigned(name: "Ole Hansen")])
        let kept = try await ClaimSettingsStore(database: world.db).progress(caseId: record.id!)
        XCTAssertEqual(kept.firstInspectionAt, first)
    }

    func testAStalePageIsRefusedAndBadInputIsProblemsNotErrors() async throws {
        let record = try await register()
        let stale = EditClaimDetails.Input(caseNumber: record.number, expectedVersion: record.version - 1, damageType: "Brand",
                                           policyholderType: "private")
        do {
            _ = try await EditClaimDetails.run(stale, by: world.handler, in: world.context)
            XCTFail("the page showed an older version")
        } catch let error as OperationError { XCTAssertEqual(error, .stale) }
        let bad = EditClaimDetails.Input(caseNumber: record.number, expectedVersion: record.version, incident: .invalid, damageType: "",
                                         policyholderType: "private", projectManagerPhone: "call me", projectOffice: .id(9_999),
                                         expertPhone: "+45 22", appointment: .invalid)
        let problems = try await EditClaimDetails.run(bad, by: world.handler, in: world.context).problems
        XCTAssertEqual(problems?[.incident], "claims_error_time")
        XCTAssertEqual(problems?[.damageType], ProblemKey.required)
        XCTAssertEqual(problems?[.projectManagerPhone], "claims_error_phone")
        XCTAssertEqual(problems?[.projectOffice], ProblemKey.chooseFromList)
        XCTAssertEqual(problems?[.expertName], "claims_error_name_for_phone")
        XCTAssertEqual(problems?[.appointment], "claims_error_time")
        let unchanged = try await world.reload(record)
        XCTAssertEqual(unchanged.version, record.version)
        let awaited2 = try await ClaimBackOffice(database: world.db).details(caseId: record.id!)?.damageType
        XCTAssertEqual(awaited2, "Vandskade")

        // A case that is not a claim takes no claim edits.
        do {
            _ = try await EditClaimDetails.run(.init(caseNumber: world.caseB.number, expectedVersion: world.caseB.version, damageType: "x",
                                                     policyholderType: "private"), by: world.handler, in: world.context)
            XCTFail("case B is not a claim")
        } catch let error as OperationError { XCTAssertEqual(error, .notAllowedNow) }
    }

    func testTasksWriteTheirEventsAndAnInspectionWithAnOfficeIsTheFirstInspection() async throws {
        var record = try await register()
        let before = try await world.events(of: record).count
        let easyfix = try await office()
        let start = Date(timeIntervalSince1970: 1_790_200_000), end = start.addingTimeInterval(7_200)
        // A repair task with an office does not reach the first inspection.
        let repair = try await AddClaimTask.run(.init(caseNumber: record.number, expectedVersion: record.version,
                                                      values: ClaimTaskValues(kind: "repair", title: "Tømrerarbejde", office: .id(easyfix.id!))),
                                                by: world.handler, in: world.context).value
        let repairId = try XCTUnwrap(repair)
        let awaited3 = try await ClaimSettingsStore(database: world.db).progress(caseId: record.id!).firstInspectionAt
        XCTAssertNil(awaited3)
        record = try await world.reload(record)
        let added = try await AddClaimTask.run(.init(caseNumber: record.number, expectedVersion: record.version,
                                                     values: ClaimTaskValues(kind: "main_inspection", title: "Vandskade besigtigelse",
                                                                             responsibleName: "Rie Nielsen", responsiblePhone: "+4511111111",
                                                                             starts: .at(start), ends: .at(end), awaitingSupplier: true)),
                                               by: world.handler, in: world.context).value
        let taskId = try XCTUnwrap(added)
        let awaited4 = try await ClaimSettingsStore(database: world.db).progress(caseId: record.id!).firstInspectionAt
        XCTAssertEqual(awaited4, now)
        var events = try await claimEvents(after: before).map(\.event)
        XCTAssertEqual(events, [
            .taskAdded(task: repairId, kind: .repair, title: "Tømrerarbejde"),
            .taskOfficeChanged(task: repairId, kind: .repair, title: "Tømrerarbejde", office: "Easyfix - København"),
            .taskAdded(task: taskId, kind: .mainInspection, title: "Vandskade besigtigelse"),
            .taskScheduleChanged(task: taskId, title: "Vandskade besigtigelse", starts: start, ends: end),
            .taskResponsibleChanged(task: taskId, title: "Vandskade besigtigelse", name: "Rie Nielsen"),
        ])

        // Start, reschedule, finish: one event each; the same state twice is already done.
        record = try await world.reload(record)
        _ = try await ChangeClaimTaskState.run(.init(caseNumber: record.number, taskId: taskId, expectedVersion: record.version, next: .started),
                                               by: world.handler, in: world.context)
        record = try await world.reload(record)
        let moved = start.addingTimeInterval(86_400)
        _ = try await RescheduleClaimTask.run(.init(caseNumber: record.number, taskId: taskId, expectedVersion: record.version,
                                                    starts: .at(moved), ends: .none), by: world.handler, in: world.context)
        record = try await world.reload(record)
        _ = try await ChangeClaimTaskState.run(.init(caseNumber: record.number, taskId: taskId, expectedVersion: record.version, next: .finished),
                                               by: world.handler, in: world.context)
        events = try await claimEvents(after: before + 5).map(\.event)
        XCTAssertEqual(events, [
            .taskStarted(task: taskId, kind: .mainInspection, title: "Vandskade besigtigelse"),
            .taskScheduleChanged(task: taskId, title: "Vandskade besigtigelse", starts: moved, ends: nil),
            .taskFinished(task: taskId, kind: .mainInspection, title: "Vandskade besigtigelse"),
        ])
        record = try await world.reload(record)
        do {
            _ = try await ChangeClaimTaskState.run(.init(caseNumber: record.number, taskId: taskId, expectedVersion: record.version, next: .finished),
                                                   by: world.handler, in: world.context)
            XCTFail("finished already")
        } catch let error as OperationError { XCTAssertEqual(error, .alreadyDone) }
        // Another case's task is not found through this case.
        do {
            _ = try await ChangeClaimTaskState.run(.init(caseNumber: record.number, taskId: 9_999, expectedVersion: record.version, next: .started),
                                                   by: world.handler, in: world.context)
            XCTFail("no such task")
        } catch let error as OperationError { XCTAssertEqual(error, .notFound) }

        let problems = try await AddClaimTask.run(.init(caseNumber: record.number, expectedVersion: record.version,
                                                        values: ClaimTaskValues(kind: "party", title: " ", responsiblePhone: "x",
                                                                                starts: .at(end), ends: .at(start))),
                                                  by: world.handler, in: world.context).problems
        XCTAssertEqual(problems?[.kind], ProblemKey.chooseFromList)
        XCTAssertEqual(problems?[.title], ProblemKey.required)
        XCTAssertEqual(problems?[.responsiblePhone], "claims_error_phone")
        XCTAssertEqual(problems?[.ends], "claims_error_end_before_start")
    }

    func testTheDecisionNeedsConfirmingAndThePositiveMomentStaysFromTheFirstTime() async throws {
        var record = try await register()
        let unconfirmed = try await DecideCompensation.run(.init(caseNumber: record.number, expectedVersion: record.version,
                                                                 decision: "positive", confirmed: false),
                                                           by: world.handler, in: world.context).problems
        XCTAssertEqual(unconfirmed?[.confirm], "claims_error_confirm")
        _ = try await DecideCompensation.run(.init(caseNumber: record.number, expectedVersion: record.version, decision: "positive",
                                                   confirmed: true), by: world.handler, in: world.context)
        let firstPositive = now
        now = now.addingTimeInterval(600)
        record = try await world.reload(record)
        _ = try await DecideCompensation.run(.init(caseNumber: record.number, expectedVersion: record.version, decision: "negative",
                                                   confirmed: true), by: world.handler, in: world.context)
        let events = try await world.events(of: record).filter { $0.event.kind == .compensationDecided }
        XCTAssertEqual(events.map(\.event), [.compensationDecided(.negative), .compensationDecided(.positive)])
        XCTAssertEqual(events.first?.audience, .customer)
        let progress = try await ClaimSettingsStore(database: world.db).progress(caseId: record.id!)
        XCTAssertEqual(progress.positiveDecisionAt, firstPositive)
    }

    func testACallIsLoggedWithItsEventAndALengthMustBeReadable() async throws {
        let record = try await register()
        let problems = try await LogClaimCall.run(.init(caseNumber: record.number, calleeName: "", calleeNumber: "abc", answered: false,
                                                        length: "2:5"), by: world.handler, in: world.context).problems
        XCTAssertEqual(problems?[.calleeName], ProblemKey.required)
        XCTAssertEqual(problems?[.calleeNumber], "claims_error_phone")
        XCTAssertEqual(problems?[.length], "claims_error_call_length")
        _ = try await LogClaimCall.run(.init(caseNumber: record.number, calleeName: "Bente Larsen", calleeNumber: "11111111", answered: true,
                                             length: "3:25"), by: world.handler, in: world.context)
        let calls = try await ClaimBackOffice(database: world.db).calls(caseId: record.id!)
        XCTAssertEqual(calls.map(\.seconds), [205])
        XCTAssertEqual(calls.first?.callerName, "Henrik Handläggare")
        let event = try await world.events(of: record).first
        XCTAssertEqual(event?.event, .callLogged(caller: "Henrik Handläggare", callee: "Bente Larsen (11111111)", answered: true, seconds: 205))
    }

    func testClosingWithACommentKeepsTheCommentInAnInternalNote() async throws {
        var record = try await register()
        for next in [CaseStatus.open, .closed] {
            if next == .closed {
                _ = try await CloseOrReopenClaim.run(.init(caseNumber: record.number, expectedVersion: record.version, next: .closed,
                                                           comment: "Kunden har fået erstatning", language: .da),
                                                     by: world.handler, in: world.context)
            } else {
                _ = try await ChangeCaseStatus.run(.init(caseNumber: record.number, expectedVersion: record.version, next: next),
                                                   by: world.handler, in: world.context)
            }
            record = try await world.reload(record)
        }
        XCTAssertEqual(record.status, .closed)
        let messages = try await CaseMessageRecord.query(on: world.db).filter(\.$caseId == record.id!).filter(\.$isInternal == true).all()
        XCTAssertEqual(messages.count, 1)
        XCTAssertTrue(messages[0].body.contains("Kunden har fået erstatning"))
        let events = try await world.events(of: record)
        XCTAssertEqual(events.prefix(2).map(\.event), [.internalNote, .statusChanged(from: .open, to: .closed)])
        XCTAssertEqual(events.first?.audience, .staff, "the comment never reaches the customer's feed")

        // Reopening from an older page is stale and writes nothing.
        do {
            _ = try await CloseOrReopenClaim.run(.init(caseNumber: record.number, expectedVersion: record.version - 1, next: .reopened,
                                                       comment: "Ny skade", language: .da), by: world.handler, in: world.context)
            XCTFail("stale")
        } catch let error as OperationError { XCTAssertEqual(error, .stale) }
        let notes = try await CaseMessageRecord.query(on: world.db).filter(\.$caseId == record.id!).filter(\.$isInternal == true).count()
        XCTAssertEqual(notes, 1)
    }

    func testReminderRolesAndTaskMedia() async throws {
        let record = try await register()
        let bad = try await SetClaimReminder.run(.init(caseNumber: record.number, day: "31.02.2026", note: "Ring", language: .da),
                                                 by: world.handler, in: world.context).problems
        XCTAssertEqual(bad?[.day], "form_invalid_date")
        _ = try await SetClaimReminder.run(.init(caseNumber: record.number, day: "05.12.2026", note: "Ring til kunden", language: .da),
                                           by: world.handler, in: world.context)
        let details = try await ClaimBackOffice(database: world.db).details(caseId: record.id!)
        XCTAssertEqual(details?.reminderNote, "Ring til kunden")
        XCTAssertEqual(ClaimTimeText.formatDay(details?.reminderOn, language: .sv), "2026-12-05")

        let contact = ContactRecord()
        contact.firstName = "Bente"
        contact.lastName = "Larsen"
        contact.isActive = true
        try await contact.create(on: world.db)
        try await CaseContacts(database: world.db).link(caseId: record.id!, contactId: contact.id!)
        _ = try await SetClaimContactRole.run(.init(caseNumber: record.number, contactId: contact.id!, role: "policyholder"),
                                              by: world.handler, in: world.context)
        let awaited5 = try await ClaimBackOffice(database: world.db).contactRoles(caseId: record.id!)
        XCTAssertEqual(awaited5, [contact.id!: "policyholder"])
        let wrong = try await SetClaimContactRole.run(.init(caseNumber: record.number, contactId: contact.id!, role: "boss"),
                                                      by: world.handler, in: world.context).problems
        XCTAssertEqual(wrong?[.role], ProblemKey.chooseFromList)

        let added = try await AddClaimTask.run(.init(caseNumber: record.number, expectedVersion: record.version,
                                                     values: ClaimTaskValues(kind: "other", title: "Affugtning")),
                                               by: world.handler, in: world.context).value
        let task = try XCTUnwrap(added)
        _ = try await AttachClaimTaskMedia.run(.init(caseNumber: record.number, taskId: task, files: [
            .init(storageKey: "k1", originalName: "fugt.jpg", contentType: "image/jpeg", byteSize: 10),
        ]), by: world.handler, in: world.context)
        let media = try await ClaimBackOffice(database: world.db).taskMedia(caseId: record.id!)
        XCTAssertEqual(media.map(\.originalName), ["fugt.jpg"])
        XCTAssertEqual(media.first?.taskId, task)
        XCTAssertEqual(media.first?.isShared, false)
        let awaited6 = try await world.events(of: record).first?.audience
        XCTAssertEqual(awaited6, .staff)
    }
}
