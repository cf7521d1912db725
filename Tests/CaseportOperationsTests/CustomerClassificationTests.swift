import CaseportCore
import CaseportOperations
import CaseportStore
import CaseportTestSupport
import FluentKit
import XCTest

/// Issue 11 point 9 (B5): the customer's change of category or priority, on both databases — it writes
/// one event, applies only to the version the page showed (like staff edits), cannot blank a value the
/// case has, and keeps a value staff have since deactivated.
final class CustomerClassificationTests: XCTestCase {
    var harness: StoreHarness!
    var world: OperationWorld!
    var water: CategoryRecord!
    var heat: CategoryRecord!
    var urgent: PriorityRecord!

    override func setUp() async throws {
        harness = try await StoreHarness()
        world = try await OperationWorld.build(on: harness.database)
        water = CategoryRecord(name: "Vatten")
        heat = CategoryRecord(name: "Värme")
        urgent = PriorityRecord(name: "Akut", rank: 1)
        try await water.create(on: world.db)
        try await heat.create(on: world.db)
        try await urgent.create(on: world.db)
        var settings = try await SettingsStore(database: world.db).load()
        settings.customerMayEditCategory = true
        settings.customerMayEditPriority = true
        try await SettingsStore(database: world.db).save(settings)
    }

    override func tearDown() async throws { await harness.shutdown() }

    func change(category: Int?? = nil, priority: Int?? = nil, version: Int? = nil) async throws
        -> Outcome<Int, ChangeClassification.Field> {
        let current = try await world.reload(world.caseA)
        return try await ChangeClassification.run(
            .init(caseNumber: current.number, expectedVersion: version ?? current.version, categoryId: category, priorityId: priority),
            by: world.anna, in: world.context)
    }

    func testAChangeWritesOneEventAndBumpsTheVersion() async throws {
        let before = try await world.reload(world.caseA)
        _ = try await change(category: .some(water.id), priority: .some(urgent.id))
        let after = try await world.reload(world.caseA)
        XCTAssertEqual(after.categoryId, water.id)
        XCTAssertEqual(after.priorityId, urgent.id)
        XCTAssertEqual(after.version, before.version + 1, "a staff page opened before this change is now stale")
        let events = try await world.events(of: after)
        XCTAssertEqual(events.map(\.event), [.classificationChanged(category: .init(before: nil, after: "Vatten"),
                                                                    priority: .init(before: nil, after: "Akut"))])
        XCTAssertEqual(events.first?.actor.portalUserId, world.anna.userId)
        XCTAssertEqual(events.first?.audience, .customer)

        // Saving the same values again changes nothing and writes no event.
        _ = try await change(category: .some(water.id), priority: .some(urgent.id))
        let again = try await world.reload(world.caseA)
        XCTAssertEqual(again.version, after.version)
        let eventCount = try await world.events(of: again).count
        XCTAssertEqual(eventCount, 1)
    }

    func testAStalePageIsRefusedAndWritesNothing() async throws {
        let shown = try await world.reload(world.caseA).version
        _ = try await change(category: .some(water.id), version: shown)
        do {
            _ = try await change(category: .some(heat.id), version: shown)
            XCTFail("the second edit came from a page that showed the older version")
        } catch let error as OperationError {
            XCTAssertEqual(error, .stale)
        }
        let record = try await world.reload(world.caseA)
        XCTAssertEqual(record.categoryId, water.id)
        let eventCount = try await world.events(of: record).count
        XCTAssertEqual(eventCount, 1)
    }

    func testAStaffEditMakesTheCustomersPageStale() async throws {
        let shown = try await world.reload(world.caseA)
        let staff = world.handler
        _ = try await EditCase.run(.init(caseNumber: shown.number, expectedVersion: shown.version, subject: "Ny rubrik",
                                         description: shown.description, category: .none, type: .none, priority: .none,
                                         handler: ChosenId(shown.handlerId), supplier: .none,
                                         customer: ChosenId(shown.customerId), object: ChosenId(shown.objectId)),
                                   by: staff, in: world.context)
        do {
            _ = try await change(category: .some(water.id), version: shown.version)
            XCTFail("staff saved the case after the customer's page was shown")
        } catch let error as OperationError {
            XCTAssertEqual(error, .stale)
        }
    }

    func testAValueTheCaseHasCannotBeBlanked() async throws {
        _ = try await change(category: .some(water.id), priority: .some(urgent.id))
        let before = try await world.reload(world.caseA)
        let outcome = try await change(category: .some(nil), priority: .some(nil))
        XCTAssertEqual(outcome.problems?[.category], ProblemKey.required)
        XCTAssertEqual(outcome.problems?[.priority], ProblemKey.required)
        let after = try await world.reload(world.caseA)
        XCTAssertEqual(after.categoryId, water.id)
        XCTAssertEqual(after.priorityId, urgent.id)
        XCTAssertEqual(after.version, before.version)
        // A case without a value may stay without one.
        let other = try await world.reload(world.caseA)
        other.priorityId = nil
        try await other.save(on: world.db)
        let blankAgain = try await change(priority: .some(nil))
        XCTAssertNil(blankAgain.problems)
    }

    func testAValueStaffDeactivatedIsKeptButNotChosenAnew() async throws {
        _ = try await change(category: .some(water.id))
        water.isActive = false
        try await water.save(on: world.db)
        // The case keeps it: saving the form with it (and changing the priority) is fine.
        let kept = try await change(category: .some(water.id), priority: .some(urgent.id))
        XCTAssertNil(kept.problems)
        let record = try await world.reload(world.caseA)
        XCTAssertEqual(record.categoryId, water.id)
        XCTAssertEqual(record.priorityId, urgent.id)
        // Once changed away, it cannot be chosen again.
        _ = try await change(category: .some(heat.id))
        do {
            _ = try await change(category: .some(water.id))
            XCTFail("a deactivated category is not offered any more")
        } catch ChangeClassification.Failure.notOffered {}
    }
}
