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

/// Choice lists stop at 1 000 customers; a case's customer beyond them is still offered, accepted and named.
final class StaffCatalogueCustomerLimitTests: StoreTestCase {
    func testACustomerBeyondTheFirstThousandIsIncludedWhenNamed() async throws {
        let many = (0..<1_000).map { CustomerRecord(name: "A\(String(format: "%04d", $0))", shortCode: "a\($0)", customerNumber: "K\($0)") }
        try await many.create(on: db)
        let last = try await make.customer("Z1", name: "Östra Brf")

        var catalogue = try await StaffCatalogue.load(on: db)
        XCTAssertEqual(catalogue.customers.count, StaffCatalogue.customerLimit)
        XCTAssertEqual(catalogue.customers.first?.name, "A0000")
        XCTAssertFalse(catalogue.customers.contains { $0.id == last.id! })

        try await catalogue.include(customer: last.id!, on: db)
        XCTAssertEqual(catalogue.customers.last, StaffCatalogue.Choice(id: last.id!, name: "Östra Brf"))
        XCTAssertEqual(catalogue.names.customers[last.id!], "Östra Brf")
        try await catalogue.include(customer: last.id!, on: db)
        try await catalogue.include(customer: 9_999_999, on: db)
        XCTAssertEqual(catalogue.customers.count, StaffCatalogue.customerLimit + 1, "listed once; an unknown id adds nothing")
    }
}
