import CaseportCore
import CaseportStore
import FluentKit
import XCTest

/// `StaffCatalogue.load`: what the back office's case forms offer. Categories, types and priorities come
/// with their inactive entries (a case may still carry one; the form shows it only when chosen); staff
/// and suppliers only while active.
final class StaffCatalogueTests: StoreTestCase {
    func testListsInOrderWithInactiveCatalogueEntriesButOnlyActivePeople() async throws {
        let retired = CategoryRecord(name: "Retired", sortOrder: 2)
        retired.isActive = false
        try await retired.create(on: db)
        try await CategoryRecord(name: "Fukt", sortOrder: 1).create(on: db)
        try await PriorityRecord(name: "Låg", rank: 2).create(on: db)
        try await PriorityRecord(name: "Hög", rank: 1).create(on: db)
        let helga = try await make.staff("Helga")
        let gone = try await make.staff("Gone")
        gone.isActive = false
        try await gone.save(on: db)
        try await SupplierRecord(name: "Rörfirman").create(on: db)
        let closed = SupplierRecord(name: "Nedlagd AB")
        closed.isActive = false
        try await closed.create(on: db)
        _ = try await make.customer("1", name: "Brf Björken")

        let catalogue = try await StaffCatalogue.load(on: db)
        XCTAssertEqual(catalogue.categories.map(\.name), ["Fukt", "Retired"])
        XCTAssertEqual(catalogue.priorities.map(\.name), ["Hög", "Låg"])
        XCTAssertEqual(catalogue.staff.map(\.name), ["Helga"])
        XCTAssertEqual(catalogue.suppliers.map(\.name), ["Rörfirman"])
        XCTAssertEqual(catalogue.customers.map(\.name), ["Brf Björken"])
        XCTAssertEqual(catalogue.names.staff[helga.id!], "Helga")
        XCTAssertEqual(catalogue.names.categories[retired.id!], "Retired", "a retired entry still names old values")
    }
}
