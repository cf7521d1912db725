import CaseportCore
import CaseportStore
import FluentKit
import XCTest

/// `FilterOptions.load`: the search form offers the active categories and types in their order, and
/// only customers and objects within the viewer's reach (A7).
final class FilterOptionsTests: StoreTestCase {
    func testActiveCatalogueInOrderAndOnlyTheViewersCustomersAndObjects() async throws {
        try await CategoryRecord(name: "Second", sortOrder: 2).create(on: db)
        try await CategoryRecord(name: "First", sortOrder: 1).create(on: db)
        let retired = CategoryRecord(name: "Retired", sortOrder: 0)
        retired.isActive = false
        try await retired.create(on: db)
        try await CaseTypeRecord(name: "Läcka", sortOrder: 1).create(on: db)
        let a = try await make.customer("1", name: "A"), b = try await make.customer("2", name: "B")
        _ = try await make.object(of: a, "A1")
        _ = try await make.object(of: b, "B1")

        let options = try await FilterOptions.load(for: CaseVisibility(customerIds: [a.id!]), on: db)
        XCTAssertEqual(options.categories.map(\.name), ["First", "Second"])
        XCTAssertEqual(options.types.map(\.name), ["Läcka"])
        XCTAssertEqual(options.customers.map(\.name), ["A"])
        XCTAssertEqual(options.objects.map(\.name), ["A1"])
    }
}
