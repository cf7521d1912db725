import CaseportCore
import CaseportOperations
import CaseportStore
import CaseportTestSupport
import FluentKit
import XCTest

/// Issue 12: a customer's answer hands a case that waits for them back to the company — from the
/// portal and by e-mail — unless the deployment turned that off; other statuses stay as they are.
final class CustomerAnswerWorkflowTests: XCTestCase {
    var harness: StoreHarness!
    var world: OperationWorld!

    override func setUp() async throws {
        harness = try await StoreHarness()
        world = try await OperationWorld.build(on: harness.database)
    }

    override func tearDown() async throws { await harness.shutdown() }

    private func setStatus(_ status: CaseStatus) async throws {
        let record = try await world.reload(world.caseA)
        record.status = status
        try await record.update(on: world.db)
    }

    private func answerInPortal() async throws {
        _ = try await WriteCustomerMessage.run(.init(caseNumber: world.caseA.number, body: "Här är svaret", copyToMe: false,
                                                     author: .none, language: .sv), by: world.anna, in: world.context).value
    }

    func testAPortalAnswerMovesAWaitingCaseBackToOpenWithAStatusEventByTheCustomer() async throws {
        try await setStatus(.waitingForCustomer)
        let versionBefore = try await world.reload(world.caseA).version
        try await answerInPortal()
        let record = try await world.reload(world.caseA)
        XCTAssertEqual(record.status, .open)
        XCTAssertEqual(record.version, versionBefore + 1, "a staff form open on the old version is told the case changed")
        let events = try await world.events(of: world.caseA)
        // The timeline reads newest first.
        XCTAssertEqual(events.map(\.event), [.statusChanged(from: .waitingForCustomer, to: .open), .customerMessage])
        XCTAssertEqual(events.first?.actor, EventActor(portalUserId: world.anna.userId, name: "Anna Test"))
    }

    func testAnEmailReplyMovesAWaitingCaseBackToOpen() async throws {
        try await setStatus(.waitingForCustomer)
        let writer = try await PlaceEmailReply.writer(caseId: world.caseA.id!, email: "anna@example.com", in: world.context)!
        _ = try await PlaceEmailReply.run(.init(writer: writer, body: "Svar per mejl", attachments: []), in: world.context)
        let status = try await world.reload(world.caseA).status
        XCTAssertEqual(status, .open)
        let events = try await world.events(of: world.caseA)
        XCTAssertEqual(events.map(\.event), [.statusChanged(from: .waitingForCustomer, to: .open), .emailReply])
    }

    func testWithTheRuleOffTheStatusStaysAndOnlyTheUnreadMarkerTellsTheHandler() async throws {
        var settings = try await SettingsStore(database: world.db).load()
        settings.customerAnswerReturnsCase = false
        try await SettingsStore(database: world.db).save(settings)
        try await setStatus(.waitingForCustomer)
        try await answerInPortal()
        let record = try await world.reload(world.caseA)
        XCTAssertEqual(record.status, .waitingForCustomer)
        XCTAssertTrue(record.hasUnreadActivity)
        let events = try await world.events(of: world.caseA)
        XCTAssertEqual(events.map(\.event), [.customerMessage])
    }

    func testOtherStatusesAreLeftAlone() async throws {
        for status in [CaseStatus.new, .open, .resolved, .reopened] {
            try await setStatus(status)
            try await answerInPortal()
            let after = try await world.reload(world.caseA).status
            XCTAssertEqual(after, status, "\(status) is not waiting for the customer")
        }
        let statusEvents = try await world.events(of: world.caseA).filter {
            if case .statusChanged = $0.event { return true } else { return false }
        }
        XCTAssertTrue(statusEvents.isEmpty)
    }

    func testTheNeedsActionFilterFindsWaitingAndResolvedCasesOnlyWithinTheViewersScope() async throws {
        try await setStatus(.waitingForCustomer)
        let caseB = try await world.reload(world.caseB)
        caseB.status = .resolved
        try await caseB.update(on: world.db)
        var filter = CaseFilter()
        filter.statusGroup = .needsAction
        let cases = VisibleCases(database: world.db)
        let annaSees = try await cases.allIds(for: world.anna.visibility, filter: filter)
        XCTAssertEqual(annaSees, [world.caseA.id!])
        let bertSees = try await cases.allIds(for: world.bert.visibility, filter: filter)
        XCTAssertEqual(bertSees, [world.caseB.id!])
        try await setStatus(.open)
        let annaCount = try await cases.count(for: world.anna.visibility, filter: filter)
        XCTAssertEqual(annaCount, 0)
    }
}
