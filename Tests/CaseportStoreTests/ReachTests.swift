import CaseportCore
import CaseportStore
import FluentKit
import XCTest

/// `Reach.of`: the customers and objects a viewer works with — those the access rule names, the objects
/// of those customers, and the owners of those objects — and nobody else's.
final class ReachTests: StoreTestCase {
    func testACustomerLinkReachesItsObjectsAndAnObjectLinkReachesItsOwner() async throws {
        let a = try await make.customer("1", name: "A"), b = try await make.customer("2", name: "B")
        let c = try await make.customer("3", name: "C")
        let a1 = try await make.object(of: a, "A1"), a2 = try await make.object(of: a, "A2")
        let b1 = try await make.object(of: b, "B1")
        _ = try await make.object(of: b, "B2")
        _ = try await make.object(of: c, "C1")

        let byCustomer = try await Reach.of(CaseVisibility(customerIds: [a.id!]), on: db)
        XCTAssertEqual(byCustomer.customers.map(\.name), ["A"])
        XCTAssertEqual(Set(byCustomer.objects.map(\.id)), [a1.id, a2.id])

        // An object named directly brings its owner, not the owner's other objects.
        let byObject = try await Reach.of(CaseVisibility(objectIds: [b1.id!]), on: db)
        XCTAssertEqual(byObject.customers.map(\.name), ["B"])
        XCTAssertEqual(byObject.objects.map(\.name), ["B1"])

        let both = try await Reach.of(CaseVisibility(customerIds: [a.id!], objectIds: [b1.id!]), on: db)
        XCTAssertEqual(both.customers.map(\.name), ["A", "B"], "sorted by name")
        XCTAssertEqual(both.objects.map(\.name), ["A1", "A2", "B1"])
    }

    func testAViewerWhoSeesNothingReachesNothing() async throws {
        let a = try await make.customer("1")
        _ = try await make.object(of: a, "A1")
        let reach = try await Reach.of(CaseVisibility(), on: db)
        XCTAssertEqual(reach.customers.count, 0)
        XCTAssertEqual(reach.objects.count, 0)
    }
}
