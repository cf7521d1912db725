import CaseportCore
import CaseportStore
import FluentKit
import XCTest

/// Issue 12 point 4: the case lists' orders (indexes in M032). By default last activity, newest
/// first, so a case with a new public message (customer or staff) or a status change rises; every
/// sortable column both ways, in the back office and through the portal's access rule; offset pages
/// in every order; the API's cursor keeps counting in creation order.
final class CaseListOrderTests: StoreTestCase {
    let start = Date(timeIntervalSince1970: 1_700_000_000)

    /// Four cases a minute apart, oldest first: Dörr, Avlopp, Cykelrum, Balkong (numbers in that order too).
    func fourCases() async throws -> (CustomerRecord, [String: CaseRecord]) {
        let customer = try await make.customer("1", name: "Solgläntan")
        var made: [String: CaseRecord] = [:]
        for (n, subject) in ["Dörr", "Avlopp", "Cykelrum", "Balkong"].enumerated() {
            made[subject] = try await make.case(subject, customer: customer, createdAt: start.addingTimeInterval(Double(n) * 60))
        }
        // Another customer's case: never in the portal's list.
        _ = try await make.case("Främmande", customer: try await make.customer("2"), createdAt: start.addingTimeInterval(30))
        return (customer, made)
    }

    func staffOrder(_ sort: CaseSort = CaseSort(), offset: Int = 0, limit: Int = 10) async throws -> [String] {
        var filter = StaffCaseFilter()
        filter.base.customerId = nil
        filter.base.sort = sort
        return try await StaffCases(database: db).page(filter, offset: offset, limit: limit).map(\.subject)
            .filter { $0 != "Främmande" }
    }

    func portalOrder(_ customer: CustomerRecord, _ sort: CaseSort = CaseSort(), offset: Int = 0, limit: Int = 10) async throws -> [String] {
        var filter = CaseFilter()
        filter.sort = sort
        return try await VisibleCases(database: db).page(for: CaseVisibility(customerIds: [try customer.requireID()]), filter: filter,
                                                         offset: offset, limit: limit).map(\.subject)
    }

    func testTheDefaultOrderIsLastActivitySoACaseWithANewReplyOrStatusRises() async throws {
        let (customer, cases) = try await fourCases()
        let authors = try await make.authors()
        do { let got = try await staffOrder(); XCTAssertEqual(got, ["Balkong", "Cykelrum", "Avlopp", "Dörr"], "no activity yet: newest created first") }
        do { let got = try await portalOrder(customer); XCTAssertEqual(got, ["Balkong", "Cykelrum", "Avlopp", "Dörr"]) }

        // The customer answers on the oldest case: it rises to the top, in both lists.
        try await CaseConversation(database: db).add(caseId: cases["Dörr"]!.id!, author: authors.customer, body: "Fortfarande trasig",
                                                     at: start.addingTimeInterval(600))
        do { let got = try await staffOrder(); XCTAssertEqual(got, ["Dörr", "Balkong", "Cykelrum", "Avlopp"]) }
        do { let got = try await portalOrder(customer); XCTAssertEqual(got, ["Dörr", "Balkong", "Cykelrum", "Avlopp"]) }
        let row = try await VisibleCases(database: db).page(for: CaseVisibility(customerIds: [customer.id!]), offset: 0, limit: 1).first
        XCTAssertEqual(row?.lastActivityAt.timeIntervalSince1970 ?? 0, start.addingTimeInterval(600).timeIntervalSince1970, accuracy: 0.001,
                       "the row carries its last activity for the \"Last updated\" column")

        // A staff reply raises its case too; an internal note does not (the customer sees nothing new).
        let actor = StaffCases.Actor(staffId: authors.staffId, name: "Berit")
        try await StaffCases(database: db).addMessage(caseId: cases["Avlopp"]!.id!, body: "Vi kommer på tisdag", isInternal: false,
                                                      by: actor, at: start.addingTimeInterval(700))
        try await StaffCases(database: db).addMessage(caseId: cases["Balkong"]!.id!, body: "Intern anteckning", isInternal: true,
                                                      by: actor, at: start.addingTimeInterval(800))
        do { let got = try await staffOrder(); XCTAssertEqual(got, ["Avlopp", "Dörr", "Balkong", "Cykelrum"]) }

        // A status change raises its case.
        let cykelrum = try await make.reload(cases["Cykelrum"]!)
        try await StaffCases(database: db).changeStatus(caseId: cykelrum.id!, to: .open, expectedVersion: cykelrum.version, by: actor,
                                                        at: start.addingTimeInterval(900))
        do { let got = try await staffOrder(); XCTAssertEqual(got, ["Cykelrum", "Avlopp", "Dörr", "Balkong"]) }
        do { let got = try await portalOrder(customer); XCTAssertEqual(got, ["Cykelrum", "Avlopp", "Dörr", "Balkong"]) }
        do { let got = try await staffOrder(CaseSort(key: .activity, direction: .ascending)); XCTAssertEqual(got, ["Balkong", "Dörr", "Avlopp", "Cykelrum"]) }
    }

    func testEverySortableColumnBothWaysAndPagesInThatOrder() async throws {
        let (customer, _) = try await fourCases()
        let newest = ["Balkong", "Cykelrum", "Avlopp", "Dörr"]
        let alphabetical = ["Avlopp", "Balkong", "Cykelrum", "Dörr"]
        let expected: [(CaseSort, [String])] = [
            (CaseSort(key: .created, direction: .descending), newest),
            (CaseSort(key: .created, direction: .ascending), newest.reversed()),
            (CaseSort(key: .number, direction: .descending), newest),
            (CaseSort(key: .number, direction: .ascending), newest.reversed()),
            (CaseSort(key: .subject, direction: .ascending), alphabetical),
            (CaseSort(key: .subject, direction: .descending), alphabetical.reversed()),
            (CaseSort(key: .activity, direction: .descending), newest),
            (CaseSort(key: .activity, direction: .ascending), newest.reversed()),
        ]
        for (sort, order) in expected {
            do { let got = try await staffOrder(sort); XCTAssertEqual(got, order, "back office, \(sort)") }
            do { let got = try await portalOrder(customer, sort); XCTAssertEqual(got, order, "portal, \(sort)") }
            // Offset pages of two follow the same order: nothing repeated, nothing skipped.
            let first = try await portalOrder(customer, sort, offset: 0, limit: 2)
            let pages = first + (try await portalOrder(customer, sort, offset: 2, limit: 2))
            XCTAssertEqual(pages, order, "portal pages, \(sort)")
            let staffFirst = try await staffOrder(sort, offset: 0, limit: 3)
            let staffPages = staffFirst + (try await staffOrder(sort, offset: 3, limit: 3))
            XCTAssertEqual(staffPages, order, "back office pages, \(sort)")
        }
    }

    func testTiesOnTheSortColumnAreBrokenByIdSoPagesNeverRepeatACase() async throws {
        let customer = try await make.customer("1")
        for n in 0..<5 { try await make.case("Samma \(n)", customer: customer, createdAt: start) }
        var seen: [String] = []
        for offset in stride(from: 0, to: 5, by: 2) {
            seen += try await portalOrder(customer, CaseSort(), offset: offset, limit: 2)
        }
        XCTAssertEqual(seen, ["Samma 4", "Samma 3", "Samma 2", "Samma 1", "Samma 0"])
    }

    func testTheAPICursorCountsInCreationOrderWhateverTheActivity() async throws {
        let (customer, cases) = try await fourCases()
        let authors = try await make.authors()
        try await CaseConversation(database: db).add(caseId: cases["Dörr"]!.id!, author: authors.customer, body: "Hej",
                                                     at: start.addingTimeInterval(600))
        let after = try await VisibleCases(database: db).page(for: CaseVisibility(customerIds: [customer.id!]), offset: 0, limit: 10,
                                                              afterId: cases["Cykelrum"]!.id!).map(\.subject)
        XCTAssertEqual(after, ["Avlopp", "Dörr"])
        let staffAfter = try await StaffCases(database: db).page(StaffCaseFilter(), offset: 0, limit: 10, afterId: cases["Cykelrum"]!.id!)
            .map(\.subject).filter { $0 != "Främmande" }
        XCTAssertEqual(staffAfter, ["Avlopp", "Dörr"])
    }
}
