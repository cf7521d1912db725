import CaseportCore
import CaseportStore
import CaseportTestSupport
import FluentKit
import XCTest

/// A reproducible random register (customers, objects, contacts with random links, cases placed at
/// random) checked viewer by viewer: the SQL scope and the Core rule must return the same cases.
final class RandomGraphAccessTests: XCTestCase {
    /// SplitMix64: a seeded generator, so a failure can be replayed.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    var harness: StoreHarness!

    override func setUp() async throws {
        harness = try await StoreHarness()
    }

    override func tearDown() async throws {
        await harness.shutdown()
    }

    func testSQLScopeAgreesWithCoreRuleOnARandomRegister() async throws {
        let db = harness.database
        var random = SeededGenerator(state: 20_261_123)

        var customers: [Int] = []
        for n in 0..<12 {
            let record = CustomerRecord(name: "Kund \(n)", shortCode: "rk\(n)", customerNumber: "9\(n)")
            try await record.create(on: db)
            customers.append(try record.requireID())
        }
        var objects: [(id: Int, owner: Int)] = []
        for n in 0..<36 {
            let owner = customers.randomElement(using: &random)!
            let record = ObjectRecord(customerId: owner, name: "Objekt \(n)", address: "")
            try await record.create(on: db)
            objects.append((try record.requireID(), owner))
        }
        var contacts: [ContactLinks] = []
        for n in 0..<30 {
            let record = ContactRecord(firstName: "K\(n)", lastName: "R")
            try await record.create(on: db)
            var links = ContactLinks(contactId: try record.requireID())
            for customer in customers where Int.random(in: 0..<10, using: &random) == 0 {
                try await ContactCustomerLink(contactId: links.contactId, customerId: customer).create(on: db)
                links.customerIds.insert(customer)
            }
            for object in objects where Int.random(in: 0..<12, using: &random) == 0 {
                try await ContactObjectLink(contactId: links.contactId, objectId: object.id).create(on: db)
                links.objectIds.insert(object.id)
            }
            contacts.append(links)
        }
        // Statuses from a generator of their own, so the register's links stay as they were before statuses
        // were drawn (session 21: the status filters then find some cases and leave others).
        var statusRandom = SeededGenerator(state: 7)
        for n in 0..<300 {
            var new = NewCase(subject: "Slump \(n)", description: "", createdByName: "R", origin: .portal)
            new.status = CaseStatus.allCases.randomElement(using: &statusRandom)!
            let object = Bool.random(using: &random) ? objects.randomElement(using: &random) : nil
            new.objectId = object?.id
            switch Int.random(in: 0..<4, using: &random) {
            case 0: new.customerId = nil
            case 1: new.customerId = object?.owner ?? customers.randomElement(using: &random)
            default: new.customerId = customers.randomElement(using: &random)
            }
            if Int.random(in: 0..<3, using: &random) == 0 { new.primaryContactId = contacts.randomElement(using: &random)!.contactId }
            if Int.random(in: 0..<5, using: &random) == 0 { new.otherContactIds = [contacts.randomElement(using: &random)!.contactId] }
            try await CaseCreation.create(new, on: db)
        }

        var viewers: [PortalViewer] = [.contactUser(contact: nil), .disabled]
        viewers += contacts.map { .contactUser(contact: $0) }
        viewers += customers.map { .invoiceCustomer(customerId: $0) }
        viewers += objects.map { .object(objectId: $0.id, customerId: $0.owner) }

        let facts = try await CaseAccessFactsQuery(database: db).all()
        XCTAssertEqual(facts.count, 300)
        let cases = VisibleCases(database: db)
        var sawSomething = 0
        for viewer in viewers {
            let visibility = CaseVisibility(for: viewer)
            let fromSQL = try await cases.allIds(for: visibility)
            let fromCore = Set(facts.filter { visibility.canSee($0.value) }.keys)
            XCTAssertEqual(fromSQL, fromCore, "viewer \(viewer)")
            if !fromSQL.isEmpty { sawSomething += 1 }
        }
        XCTAssertGreaterThan(sawSomething, viewers.count / 2, "the random register should give most viewers cases")

        // Pages of a list, each cut from every branch's first cases (PostgreSQL since issue 17, session 15),
        // put together give the whole list as one statement that gathers and sorts every visible case.
        var someStatus = CaseFilter()
        someStatus.statusGroup = .active
        var oldestFirst = CaseFilter()
        oldestFirst.sort = CaseSort(key: .activity, direction: .ascending)
        var needingCustomer = CaseFilter()
        needingCustomer.statusGroup = .needsAction
        var byCreation = CaseFilter()
        byCreation.sort = CaseSort(key: .created, direction: .descending)
        var closedOldestFirst = CaseFilter()
        closedOldestFirst.statusGroup = .closed
        closedOldestFirst.sort = CaseSort(key: .activity, direction: .ascending)
        var resolvedByCreation = CaseFilter()
        resolvedByCreation.status = .resolved
        resolvedByCreation.sort = CaseSort(key: .created, direction: .ascending)
        for viewer in viewers {
            let visibility = CaseVisibility(for: viewer)
            for filter in [CaseFilter(), someStatus, oldestFirst, byCreation, needingCustomer, closedOldestFirst, resolvedByCreation] {
                let wholeRows = try await cases.page(for: visibility, filter: filter, offset: 0, limit: 5_000)
                let whole = wholeRows.map(\.id)
                XCTAssertTrue(Self.isInListOrder(wholeRows, filter.sort), "viewer \(viewer), filter \(filter)")
                var paged: [Int] = []
                for offset in stride(from: 0, to: max(whole.count, 1) + 7, by: 7) {
                    paged += try await cases.page(for: visibility, filter: filter, offset: offset, limit: 7).map(\.id)
                }
                XCTAssertEqual(paged, whole, "viewer \(viewer), filter \(filter)")
                // Given the total, the pages past the middle are read from the list's end (session 18): the
                // same pages, in the same order.
                var pagedWithTotal: [Int] = []
                for offset in stride(from: 0, to: max(whole.count, 1) + 7, by: 7) {
                    pagedWithTotal += try await cases.page(for: visibility, filter: filter, offset: offset, limit: 7,
                                                           total: whole.count).map(\.id)
                }
                XCTAssertEqual(pagedWithTotal, whole, "viewer \(viewer), filter \(filter), read from the end")
                // The count (branch by branch, each without the earlier branches' cases: on PostgreSQL since
                // session 16, on SQLite since session 21) agrees with the rule's OR (`allIds`).
                let counted = try await cases.count(for: visibility, filter: filter)
                let matching = try await cases.allIds(for: visibility, filter: filter)
                XCTAssertEqual(counted, matching.count, "viewer \(viewer), filter \(filter)")
                XCTAssertEqual(counted, whole.count, "viewer \(viewer), filter \(filter)")
                // The list (on SQLite a UNION of the rule's branches, filtered too since session 21) holds the
                // cases the rule's OR finds.
                XCTAssertEqual(Set(whole), matching, "viewer \(viewer), filter \(filter)")
            }
        }
    }

    /// Whether rows are in the sort's order, the case id breaking ties the same way (the order SQL must give).
    static func isInListOrder(_ rows: [CaseListRow], _ sort: CaseSort) -> Bool {
        func precedes(_ a: CaseListRow, _ b: CaseListRow) -> Bool {
            let descending = sort.direction == .descending
            func ordered<T: Comparable>(_ x: T, _ y: T) -> Bool {
                x == y ? (descending ? a.id > b.id : a.id < b.id) : (descending ? x > y : x < y)
            }
            switch sort.key {
            case .activity: return ordered(a.lastActivityAt, b.lastActivityAt)
            case .created: return ordered(a.createdAt, b.createdAt)
            case .number: return ordered(a.number, b.number)
            case .subject: return ordered(a.subject, b.subject)
            }
        }
        return zip(rows, rows.dropFirst()).allSatisfy { precedes($0, $1) }
    }
}
