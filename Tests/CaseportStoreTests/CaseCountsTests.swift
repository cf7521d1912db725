@testable import CaseportStore
import CaseportCore
import CaseportTestSupport
import FluentKit
import SQLKit
import XCTest

/// The kept counts per customer, object and status (M052): whatever writes the cases, the table holds what a
/// GROUP BY over `cases` gives, and a viewer's counts read from it agree with the rule walked case by case.
final class CaseCountsTests: StoreTestCase {
    func testTheKeptCountsFollowEveryWriteAndAgreeWithTheRule() async throws {
        var random = RandomGraphAccessTests.SeededGenerator(state: 20_261_207)
        let sql = try db.requireSQL()
        var customers: [CustomerRecord] = []
        for n in 0..<5 { customers.append(try await make.customer("cc\(n)")) }
        var objects: [(id: Int, owner: Int)] = []
        for n in 0..<10 {
            let owner = customers.randomElement(using: &random)!
            objects.append((try await make.object(of: owner, "Hus \(n)").requireID(), try owner.requireID()))
        }
        var contacts: [ContactLinks] = []
        for n in 0..<8 {
            let linkedCustomers = customers.filter { _ in Int.random(in: 0..<4, using: &random) == 0 }
            let record = try await make.contact("Läsare\(n)", customers: linkedCustomers)
            var links = ContactLinks(contactId: try record.requireID())
            links.customerIds = Set(try linkedCustomers.map { try $0.requireID() })
            for object in objects where Int.random(in: 0..<5, using: &random) == 0 {
                try await ContactObjectLink(contactId: links.contactId, objectId: object.id).create(on: db)
                links.objectIds.insert(object.id)
            }
            contacts.append(links)
        }

        func randomPlace() -> (customer: Int?, object: Int?) {
            let object = Bool.random(using: &random) ? objects.randomElement(using: &random) : nil
            let customer = Int.random(in: 0..<4, using: &random) == 0 ? nil
                : (object?.owner ?? (try? customers.randomElement(using: &random)!.requireID()))
            return (customer, object?.id)
        }

        // New cases one at a time, through the operation the portal and the back office use.
        var caseIds: [Int] = []
        for n in 0..<120 {
            var new = NewCase(subject: "Räkna \(n)", description: "", createdByName: "T", origin: .portal)
            new.status = CaseStatus.allCases.randomElement(using: &random)!
            (new.customerId, new.objectId) = randomPlace()
            if Int.random(in: 0..<4, using: &random) == 0 { new.otherContactIds = [contacts.randomElement(using: &random)!.contactId] }
            caseIds.append(try await CaseCreation.create(new, on: db).requireID())
        }
        // Many in one statement (PostgreSQL adds them per statement, grouped).
        try await sql.raw("""
            INSERT INTO cases (number, subject, description, status, customer_id, object_id, created_by_name, origin,
                               created_at, updated_at, last_activity_at)
            SELECT number + 100000, subject, description, status, customer_id, object_id, created_by_name, origin,
                   created_at, updated_at, last_activity_at FROM cases
            WHERE id % 3 <> 0
            """).run()
        try await assertTheKeptCountsMatchTheCases(sql)

        // Cases change state, move to another customer or object, and go.
        for _ in 0..<150 {
            let caseId = caseIds.randomElement(using: &random)!
            switch Int.random(in: 0..<3, using: &random) {
            case 0:
                let found = try await CaseRecord.find(caseId, on: db)
                let record = try XCTUnwrap(found)
                record.status = CaseStatus.allCases.randomElement(using: &random)!
                try await record.save(on: db)
            case 1:
                let place = randomPlace()
                try await sql.raw("""
                    UPDATE cases SET customer_id = \(bind: place.customer), object_id = \(bind: place.object) WHERE id = \(bind: caseId)
                    """).run()
            default:
                // A write that moves nothing (the triggers' conditions leave the counts alone).
                try await sql.raw("UPDATE cases SET subject = subject || '.', status = status WHERE id = \(bind: caseId)").run()
            }
        }
        // Contacts linked to more cases (some of those that will go) and unlinked from others.
        let allIds = try await sql.raw("SELECT id FROM cases").all().map { try $0.decode(column: "id", as: Int.self) }
        for _ in 0..<60 {
            let contactId = contacts.randomElement(using: &random)!.contactId
            let caseId = allIds.randomElement(using: &random)!
            try await sql.raw("""
                INSERT INTO case_contacts (case_id, contact_id, is_primary) SELECT \(bind: caseId), \(bind: contactId), \(bind: false)
                WHERE NOT EXISTS (SELECT 1 FROM case_contacts WHERE case_id = \(bind: caseId) AND contact_id = \(bind: contactId))
                """).run()
        }
        try await sql.raw("DELETE FROM case_contacts WHERE id % 4 = 0").run()
        try await sql.raw("DELETE FROM cases WHERE number > 100000 AND id % 3 = 0").run()
        try await assertTheKeptCountsMatchTheCases(sql)

        // A board member who reports for their own association: every case linked to them is the customer's.
        let board = try await make.contact("Styrelse", customers: [customers[0]])
        var boardLinks = ContactLinks(contactId: try board.requireID())
        boardLinks.customerIds = [try customers[0].requireID()]
        try await sql.raw("""
            INSERT INTO case_contacts (case_id, contact_id, is_primary)
            SELECT id, \(bind: boardLinks.contactId), \(bind: false) FROM cases WHERE customer_id = \(bind: try customers[0].requireID())
            """).run()
        contacts.append(boardLinks)
        try await assertTheKeptCountsMatchTheCases(sql)

        // Every viewer's counts, through the kept rows for the customer and object branches, agree with the rule's OR.
        var viewers: [PortalViewer] = contacts.map { .contactUser(contact: $0) }
        viewers += try customers.map { .invoiceCustomer(customerId: try $0.requireID()) }
        viewers += objects.map { .object(objectId: $0.id, customerId: $0.owner) }
        var filters: [CaseFilter] = CaseFilter.StatusGroup.allCases.map { group in
            var filter = CaseFilter()
            filter.statusGroup = group
            return filter
        }
        var oneState = CaseFilter()
        oneState.status = .waitingForCustomer
        filters.append(oneState)
        let cases = VisibleCases(database: db)
        let facts = try await CaseAccessFactsQuery(database: db).all()
        var counted = 0
        var contactsWithCasesOutside = 0, contactsWithAllInside = 0
        for viewer in viewers {
            let visibility = CaseVisibility(for: viewer)
            // The rule's cases, with the contact's branch left out when none of the linked cases lies outside the
            // other branches (the kept counts per contact tell so): the same cases as the Core rule.
            let seen = try await cases.allIds(for: visibility)
            XCTAssertEqual(seen, Set(facts.filter { visibility.canSee($0.value) }.keys), "viewer \(viewer)")
            if let contactId = visibility.contactId {
                var others = visibility
                others.contactId = nil
                let linked = facts.filter { $0.value.linkedContactIds.contains(contactId) }
                if linked.contains(where: { !others.canSee($0.value) }) { contactsWithCasesOutside += 1 }
                else if !linked.isEmpty { contactsWithAllInside += 1 }
            }
            for filter in filters {
                XCTAssertTrue(VisibleCases.keptCountsAnswer(filter))
                let count = try await cases.count(for: visibility, filter: filter)
                let walked = try await cases.allIds(for: visibility, filter: filter).count
                XCTAssertEqual(count, walked, "viewer \(viewer), filter \(filter)")
                counted += count
            }
        }
        XCTAssertGreaterThan(counted, 0)
        XCTAssertGreaterThan(contactsWithCasesOutside, 0)
        XCTAssertGreaterThan(contactsWithAllInside, 0)

        // The migration's backfill gives the same rows from the cases as they are.
        try await M052_CaseCounts().revert(on: db)
        try await M052_CaseCounts().prepare(on: db)
        try await assertTheKeptCountsMatchTheCases(sql)
    }

    func testOnlyTheStateLetsTheKeptCountsAnswer() {
        var filter = CaseFilter()
        filter.statusGroup = .needsAction
        filter.sort = CaseSort(key: .subject, direction: .ascending)
        XCTAssertTrue(VisibleCases.keptCountsAnswer(filter))
        filter.categoryId = 3
        XCTAssertFalse(VisibleCases.keptCountsAnswer(filter))
        var search = CaseFilter()
        search.text = "fukt"
        XCTAssertFalse(VisibleCases.keptCountsAnswer(search))
        var since = CaseFilter()
        since.createdFrom = Date(timeIntervalSince1970: 0)
        XCTAssertFalse(VisibleCases.keptCountsAnswer(since))
    }

    /// The table's rows that count anything are exactly the GROUP BY over the cases.
    func assertTheKeptCountsMatchTheCases(_ sql: any SQLDatabase, file: StaticString = #filePath, line: UInt = #line) async throws {
        func rows(_ query: SQLQueryString) async throws -> [String] {
            try await sql.raw(query).all().map {
                "\(try $0.decode(column: "key", as: String.self)): \(try $0.decode(column: "n", as: Int.self))"
            }.sorted()
        }
        let kept = try await rows("SELECT customer_id || '/' || object_id || '/' || status AS key, n FROM case_counts WHERE n <> 0")
        let walked = try await rows("""
            SELECT COALESCE(customer_id, 0) || '/' || COALESCE(object_id, 0) || '/' || status AS key, COUNT(*) AS n
            FROM cases GROUP BY COALESCE(customer_id, 0), COALESCE(object_id, 0), status
            """)
        XCTAssertEqual(kept, walked, file: file, line: line)
        XCTAssertFalse(walked.isEmpty, file: file, line: line)
        let keptPerContact = try await rows("""
            SELECT contact_id || '/' || customer_id || '/' || object_id || '/' || status AS key, n
            FROM case_contact_counts WHERE n <> 0
            """)
        let walkedPerContact = try await rows("""
            SELECT cc.contact_id || '/' || COALESCE(c.customer_id, 0) || '/' || COALESCE(c.object_id, 0) || '/' || c.status AS key,
                   COUNT(*) AS n
            FROM case_contacts cc JOIN cases c ON c.id = cc.case_id
            GROUP BY cc.contact_id, COALESCE(c.customer_id, 0), COALESCE(c.object_id, 0), c.status
            """)
        XCTAssertEqual(keptPerContact, walkedPerContact, "per contact", file: file, line: line)
        XCTAssertFalse(walkedPerContact.isEmpty, file: file, line: line)
    }
}
