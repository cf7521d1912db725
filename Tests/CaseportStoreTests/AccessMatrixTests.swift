import CaseportCore
@testable import CaseportStore
import CaseportTestSupport
import FluentKit
import SQLKit
import XCTest

/// Every kind of viewer against every kind of case: the SQL scope must return exactly the cases the
/// A7 rule allows, and the Core rule must agree. Expectations are written out by hand from SPEC A6/A7,
/// not derived from the code under test.
final class AccessMatrixTests: XCTestCase {
    var harness: StoreHarness!

    override func setUp() async throws {
        harness = try await StoreHarness()
    }

    override func tearDown() async throws {
        await harness.shutdown()
    }

    struct World {
        var cases: [String: Int] = [:]       // case label → case number
        var viewers: [String: PortalViewer] = [:]
    }

    /// Customers C1, C2, C3. Objects O1a, O1b (of C1), O2a (of C2), O3a (of C3).
    /// Contacts: kLoose (no links), kObject (linked to O2a), kCustomer (linked to C1).
    func buildWorld() async throws -> World {
        let db = harness.database
        func customer(_ n: String) async throws -> Int {
            let record = CustomerRecord(name: "Kund \(n)", shortCode: "k\(n)", customerNumber: n)
            try await record.create(on: db)
            return try record.requireID()
        }
        func object(_ customerId: Int, _ name: String) async throws -> Int {
            let record = ObjectRecord(customerId: customerId, name: name, address: "Gatan 1")
            try await record.create(on: db)
            return try record.requireID()
        }
        func contact(_ name: String) async throws -> Int {
            let record = ContactRecord(firstName: name, lastName: "Test")
            try await record.create(on: db)
            return try record.requireID()
        }
        let c1 = try await customer("1"), c2 = try await customer("2"), c3 = try await customer("3")
        let o1a = try await object(c1, "O1a"), o1b = try await object(c1, "O1b")
        let o2a = try await object(c2, "O2a"), o3a = try await object(c3, "O3a")
        let kLoose = try await contact("Loose"), kObject = try await contact("Object"), kCustomer = try await contact("Customer")
        try await ContactObjectLink(contactId: kObject, objectId: o2a).create(on: db)
        try await ContactCustomerLink(contactId: kCustomer, customerId: c1).create(on: db)

        var world = World()
        func add(_ label: String, customer: Int?, object: Int?, primary: Int? = nil, others: [Int] = []) async throws {
            var new = NewCase(subject: label, description: "Fall \(label)", createdByName: "Test", origin: .portal)
            new.customerId = customer
            new.objectId = object
            new.primaryContactId = primary
            new.otherContactIds = others
            world.cases[label] = try await CaseCreation.create(new, on: db).number
        }
        try await add("c1-o1a", customer: c1, object: o1a)
        try await add("c1-none", customer: c1, object: nil)
        try await add("c2-on-o1b", customer: c2, object: o1b)
        try await add("c2-o2a", customer: c2, object: o2a)
        try await add("c3-on-o2a", customer: c3, object: o2a)
        try await add("bare-primary-loose", customer: nil, object: nil, primary: kLoose)
        try await add("none-o3a", customer: nil, object: o3a)
        try await add("c3-o3a-linked-kObject", customer: c3, object: o3a, others: [kObject])
        try await add("orphan", customer: nil, object: nil)

        world.viewers = [
            "no contact": .contactUser(contact: nil),
            "contact without links": .contactUser(contact: ContactLinks(contactId: kLoose)),
            "contact on object O2a": .contactUser(contact: ContactLinks(contactId: kObject, objectIds: [o2a])),
            "contact on customer C1": .contactUser(contact: ContactLinks(contactId: kCustomer, customerIds: [c1])),
            "invoice customer C2": .invoiceCustomer(customerId: c2),
            "object login O2a": .object(objectId: o2a, customerId: c2),
            "inactive user": .disabled,
        ]
        return world
    }

    let expected: [String: Set<String>] = [
        "no contact": [],
        "contact without links": ["bare-primary-loose"],
        "contact on object O2a": ["c2-o2a", "c3-on-o2a", "c3-o3a-linked-kObject"],
        "contact on customer C1": ["c1-o1a", "c1-none", "c2-on-o1b"],
        "invoice customer C2": ["c2-on-o1b", "c2-o2a"],
        "object login O2a": ["c2-o2a", "c3-on-o2a"],
        "inactive user": [],
    ]

    func testEveryViewerSeesExactlyWhatTheRuleAllows() async throws {
        let world = try await buildWorld()
        let cases = VisibleCases(database: harness.database)
        let facts = try await CaseAccessFactsQuery(database: harness.database).all()
        let numberById = try await Dictionary(uniqueKeysWithValues: CaseRecord.query(on: harness.database).all()
            .map { (try $0.requireID(), $0.number) })
        let labelByNumber = Dictionary(uniqueKeysWithValues: world.cases.map { ($1, $0) })

        for (name, viewer) in world.viewers {
            let visibility = CaseVisibility(for: viewer)
            let want = expected[name]!

            let sqlLabels = Set(try await cases.allIds(for: visibility).map { labelByNumber[numberById[$0]!]! })
            XCTAssertEqual(sqlLabels, want, "SQL scope for \(name)")

            let coreLabels = Set(facts.filter { visibility.canSee($0.value) }.map { labelByNumber[numberById[$0.key]!]! })
            XCTAssertEqual(coreLabels, want, "Core rule for \(name)")

            let listed = try await cases.page(for: visibility, offset: 0, limit: 100).map { labelByNumber[$0.number]! }
            XCTAssertEqual(Set(listed), want, "list page for \(name)")
            let value1 = try await cases.count(for: visibility)
            XCTAssertEqual(value1, want.count, "count for \(name)")

            for (label, number) in world.cases {
                let found = try await cases.find(number: number, for: visibility)
                XCTAssertEqual(found != nil, want.contains(label), "\(name) opening \(label)")
                // Issue 17 point 5: the lookup a portal write uses applies the same rule.
                let target = try await cases.target(number: number, for: visibility)
                XCTAssertEqual(target != nil, want.contains(label), "\(name) writing on \(label)")
                XCTAssertEqual(target?.number, found?.number)
                XCTAssertEqual(target?.id, found?.id)
                XCTAssertEqual(target?.subject, found?.subject)
                // The portal case page's read (with what else the page has, session 25) applies it too.
                let page = try await cases.findForPage(number: number, for: visibility, userId: -1)
                XCTAssertEqual(page != nil, want.contains(label), "\(name) opening the page of \(label)")
                XCTAssertEqual(page?.detail, found)
            }
        }
    }

    /// Issue 17: SQLite reads an unfiltered list in last-activity or creation order from the UNION of
    /// the rule's branches. For every viewer of the world (several of whom reach a case through two
    /// branches) and every order, the pages must hold each visible case once, in the order's sequence
    /// with ties broken by id, and paging through them must give the whole list.
    func testEveryOrderPagesThroughEachVisibleCaseOnceInOrder() async throws {
        let world = try await buildWorld()
        let cases = VisibleCases(database: harness.database)
        let labelByNumber = Dictionary(uniqueKeysWithValues: world.cases.map { ($1, $0) })
        for (name, viewer) in world.viewers {
            let visibility = CaseVisibility(for: viewer)
            for key in CaseSort.Key.allCases {
                for direction in CaseSort.Direction.allCases {
                    var filter = CaseFilter()
                    filter.sort = CaseSort(key: key, direction: direction)
                    let all = try await cases.page(for: visibility, filter: filter, offset: 0, limit: 1_000)
                    let what = "\(name), \(key) \(direction)"
                    XCTAssertEqual(Set(all.map { labelByNumber[$0.number]! }), expected[name]!, what)
                    XCTAssertEqual(Set(all.map(\.id)).count, all.count, "no case twice: \(what)")
                    func before(_ a: CaseListRow, _ b: CaseListRow) -> Bool {
                        let ascending = direction == .ascending
                        switch key {
                        case .activity where a.lastActivityAt != b.lastActivityAt: return (a.lastActivityAt < b.lastActivityAt) == ascending
                        case .created where a.createdAt != b.createdAt: return (a.createdAt < b.createdAt) == ascending
                        case .number: return (a.number < b.number) == ascending
                        case .subject where a.subject != b.subject: return (a.subject < b.subject) == ascending
                        default: return (a.id < b.id) == ascending
                        }
                    }
                    XCTAssertEqual(all.map(\.id), all.sorted(by: before).map(\.id), "order: \(what)")
                    var paged: [Int] = []
                    for offset in stride(from: 0, to: all.count + 2, by: 2) {
                        paged += try await cases.page(for: visibility, filter: filter, offset: offset, limit: 2).map(\.id)
                    }
                    XCTAssertEqual(paged, all.map(\.id), "pages: \(what)")
                }
            }
        }
    }

    /// Issue 17 (M042, M044): a filtered list through the rule's branches, on each column now tested
    /// inside the branches' indexes (status, category, case type; on SQLite written `+c.column` so that
    /// no column's own index is chosen), holds exactly the visible cases that match — for every viewer,
    /// whichever branch reaches the case, in each order the list offers — and its count agrees.
    func testFilteredListsHoldExactlyTheVisibleCasesThatMatch() async throws {
        let world = try await buildWorld()
        let db = harness.database
        let sql = try XCTUnwrap(db as? any SQLDatabase)
        let category = CategoryRecord(name: "Vatten")
        try await category.create(on: db)
        let categoryId = try category.requireID()
        try await sql.raw("UPDATE cases SET status = 'closed' WHERE number % 2 = 0").run()
        try await sql.raw("UPDATE cases SET category_id = \(bind: categoryId) WHERE number % 3 = 0").run()
        let type = CaseTypeRecord(name: "Läcka", sortOrder: 1)
        try await type.create(on: db)
        let typeId = try type.requireID()
        try await sql.raw("UPDATE cases SET case_type_id = \(bind: typeId) WHERE number % 5 = 0").run()
        try await sql.raw("UPDATE cases SET status = 'waiting_for_customer' WHERE number % 7 = 0 AND number % 2 = 1").run()
        let labelByNumber = Dictionary(uniqueKeysWithValues: world.cases.map { ($1, $0) })
        let cases = VisibleCases(database: db)
        for (name, viewer) in world.viewers {
            let visibility = CaseVisibility(for: viewer)
            let visible = expected[name]!
            var closed = CaseFilter()
            closed.status = .closed
            var inCategory = CaseFilter()
            inCategory.categoryId = categoryId
            var both = inCategory
            both.status = .closed
            var ofType = CaseFilter()
            ofType.caseTypeId = typeId
            var active = CaseFilter()
            active.statusGroup = .active
            var needsAction = CaseFilter()
            needsAction.statusGroup = .needsAction
            var activeOfTypeByNumber = ofType
            activeOfTypeByNumber.statusGroup = .active
            activeOfTypeByNumber.sort = CaseSort(key: .number, direction: .ascending)
            var inCategoryBySubject = inCategory
            inCategoryBySubject.sort = CaseSort(key: .subject, direction: .descending)
            let wanted: [(String, CaseFilter, (Int) -> Bool)] = [
                ("closed", closed, { $0 % 2 == 0 }), ("category", inCategory, { $0 % 3 == 0 }),
                ("closed in category", both, { $0 % 6 == 0 }), ("type", ofType, { $0 % 5 == 0 }),
                ("active", active, { $0 % 2 == 1 }), ("needs action", needsAction, { $0 % 14 == 7 }),
                ("active of type, by number", activeOfTypeByNumber, { $0 % 10 == 5 }),
                ("category, by subject", inCategoryBySubject, { $0 % 3 == 0 }),
            ]
            for (what, filter, matches) in wanted {
                let want = Set(world.cases.filter { visible.contains($0.key) && matches($0.value) }.map(\.key))
                let page = try await cases.page(for: visibility, filter: filter, offset: 0, limit: 1_000)
                XCTAssertEqual(Set(page.map { labelByNumber[$0.number]! }), want, "\(name), \(what)")
                XCTAssertEqual(page.count, want.count, "no case twice: \(name), \(what)")
                let count = try await cases.count(for: visibility, filter: filter)
                XCTAssertEqual(count, want.count, "count: \(name), \(what)")
                if filter.sort.key == .number {
                    XCTAssertEqual(page.map(\.number), page.map(\.number).sorted(), "order: \(name), \(what)")
                }
                if filter.sort.key == .subject {
                    XCTAssertEqual(page.map(\.subject), page.map(\.subject).sorted(by: >), "order: \(name), \(what)")
                }
            }
        }
        if sql.dialect.name == "sqlite" {
            // M044: the branches' indexes hold the filter and sort columns after M032's keys, and replace M032's.
            let definitions = try await sql.raw("""
                SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cases'
                AND name IN ('cases_customer_activity', 'cases_object_activity',
                             'cases_customer_activity_filters', 'cases_object_activity_filters')
                """).all().map { (try $0.decode(column: "name", as: String.self), try $0.decode(column: "sql", as: String.self)) }
            XCTAssertEqual(definitions.map(\.0).sorted(), ["cases_customer_activity_filters", "cases_object_activity_filters"])
            for (_, definition) in definitions {
                XCTAssertTrue(definition.hasSuffix(
                    "_id, last_activity_at, id, \(definition.contains("(customer_id") ? "object_id" : "customer_id"), "
                    + "status, category_id, case_type_id, priority_id, number, created_at, subject)"), definition)
            }
            // Without statistics (no ANALYZE, as a deployment runs), a filtered count and page for a
            // customer's contact are answered from those indexes alone, not from the category's index.
            let contact = try XCTUnwrap(world.viewers["contact on customer C1"])
            var filter = CaseFilter()
            filter.categoryId = categoryId
            filter.statusGroup = .active
            filter.sort = CaseSort(key: .subject, direction: .descending)
            let visibility = CaseVisibility(for: contact)
            for statement in [
                "SELECT COUNT(*) AS n FROM cases c WHERE " + cases.whereClause(visibility, filter, dialect: "sqlite"),
                "SELECT c.id FROM cases c WHERE " + cases.whereClause(visibility, filter, dialect: "sqlite")
                    + " ORDER BY c.subject DESC, c.id DESC LIMIT 20",
            ] as [SQLQueryString] {
                let plan = try await sql.raw("EXPLAIN QUERY PLAN " + statement).all()
                    .map { try $0.decode(column: "detail", as: String.self) }
                let searches = plan.filter { $0.hasPrefix("SEARCH c ") }
                XCTAssertTrue(searches.contains("SEARCH c USING COVERING INDEX cases_customer_activity_filters (customer_id=?)"), "\(plan)")
                XCTAssertTrue(searches.contains("SEARCH c USING COVERING INDEX cases_object_activity_filters (object_id=?)"), "\(plan)")
                XCTAssertFalse(plan.contains { $0.contains("category") }, "\(plan)")
            }
        }
        guard sql.dialect.name == "postgresql" else { return }
        // The branches' indexes carry the filter columns, and replace M032's; the object branch's (M047)
        // also the customer, for the counts branch by branch.
        let definitions = try await sql.raw("""
            SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'cases'
            AND indexname IN ('cases_customer_activity', 'cases_object_activity', 'cases_customer_activity_filters',
                              'cases_object_activity_filters', 'cases_object_activity_customer')
            """).all().map { (try $0.decode(column: "indexname", as: String.self), try $0.decode(column: "indexdef", as: String.self)) }
        XCTAssertEqual(definitions.map(\.0).sorted(), ["cases_customer_activity_filters", "cases_object_activity_customer"])
        for (name, definition) in definitions {
            let included = "status, category_id, case_type_id, priority_id" + (name == "cases_object_activity_customer" ? ", customer_id" : "")
            XCTAssertTrue(definition.hasSuffix("INCLUDE (\(included))"), definition)
        }
    }

    func testListIsNewestFirstAndPaginated() async throws {
        _ = try await buildWorld()
        let everything = CaseVisibility(customerIds: [], objectIds: [], objectOwnerIds: [], contactId: nil)
        let value2 = try await VisibleCases(database: harness.database).count(for: everything)
        XCTAssertEqual(value2, 0)

        let c1 = try await CustomerRecord.query(on: harness.database).filter(\.$customerNumber == "1").first()!
        let visibility = CaseVisibility(for: .invoiceCustomer(customerId: try c1.requireID()))
        let base = Date(timeIntervalSince1970: 1_700_000_000)
        for day in 0..<30 {
            var new = NewCase(subject: "Dag \(day)", description: "", createdByName: "T", origin: .backOffice)
            new.customerId = try c1.requireID()
            new.createdAt = base.addingTimeInterval(Double(day) * 86_400)
            try await CaseCreation.create(new, on: harness.database)
        }
        let cases = VisibleCases(database: harness.database)
        let first = try await cases.page(for: visibility, offset: 0, limit: 10)
        XCTAssertEqual(first.count, 10)
        XCTAssertEqual(first.map(\.createdAt), first.map(\.createdAt).sorted(by: >))
        let all = try await cases.page(for: visibility, offset: 0, limit: 1000)
        let last = try await cases.page(for: visibility, offset: 30, limit: 10)
        XCTAssertEqual(last.map(\.id), Array(all.suffix(all.count - 30)).map(\.id))
    }

    // MARK: Issue 13 (C4): case files by sharing

    /// On every case of the world: a shared file, an unshared library document and a task's medium
    /// (even one marked shared). Every viewer reaches the shared file exactly on the cases the rule
    /// allows, and the other two on none — by the case page's list and by download; once the
    /// document is shared, it follows the case rule like any shared file.
    func testUnsharedDocumentsAndTaskMediaReachNoViewerUntilShared() async throws {
        let world = try await buildWorld()
        let db = harness.database
        struct Planted { var shared: Int; var unshared: Int; var medium: Int; var caseId: Int }
        var planted: [String: Planted] = [:]
        func file(_ caseId: Int, _ name: String, shared: Bool, taskId: Int? = nil) async throws -> Int {
            let record = StoredFileRecord()
            record.caseId = caseId
            record.storageKey = "key-\(caseId)-\(name)"
            record.originalName = name
            record.contentType = "application/pdf"
            record.byteSize = 10
            record.uploaderName = "Handläggare"
            record.createdAt = Date()
            record.isShared = shared
            record.taskId = taskId
            record.category = taskId == nil && !shared ? CaseDocumentCategory.inspectionReport.rawValue : nil
            try await record.create(on: db)
            return try record.requireID()
        }
        for (label, number) in world.cases {
            let found = try await CaseRecord.query(on: db).filter(\.$number == number).first()
            let caseId = try XCTUnwrap(found).requireID()
            planted[label] = Planted(shared: try await file(caseId, "shared.pdf", shared: true),
                                     unshared: try await file(caseId, "report.pdf", shared: false),
                                     medium: try await file(caseId, "medium.jpg", shared: true, taskId: 7), caseId: caseId)
        }
        let files = VisibleFiles(database: db)
        func check(documentShared: Bool) async throws {
            for (name, viewer) in world.viewers {
                let want = expected[name]!
                for (label, p) in planted {
                    let sees = want.contains(label)
                    let cases = CaseVisibility(for: viewer), register = FileVisibility(for: viewer)
                    let sharedFound = try await files.find(fileId: p.shared, cases: cases, register: register) != nil
                    XCTAssertEqual(sharedFound, sees, "\(name): shared file on \(label)")
                    let documentFound = try await files.find(fileId: p.unshared, cases: cases, register: register) != nil
                    XCTAssertEqual(documentFound, sees && documentShared, "\(name): document on \(label) (shared: \(documentShared))")
                    let mediumFound = try await files.find(fileId: p.medium, cases: cases, register: register) != nil
                    XCTAssertFalse(mediumFound, "\(name): task medium on \(label)")
                }
            }
            for (label, p) in planted {
                let listed = Set(try await files.caseFiles(caseId: p.caseId).map(\.id))
                XCTAssertEqual(listed, documentShared ? [p.shared, p.unshared] : [p.shared], "the customer's list on \(label)")
                // The claim's customer page reads (and serves downloads) through `ClaimPage`.
                let claimPage = Set(try await ClaimPage(database: db).documents(caseId: p.caseId).map(\.id))
                XCTAssertEqual(claimPage, listed, "the claim page's documents on \(label)")
                for (id, reachable) in [(p.shared, true), (p.unshared, documentShared), (p.medium, false)] {
                    let found = try await ClaimPage(database: db).document(caseId: p.caseId, fileId: id) != nil
                    XCTAssertEqual(found, reachable, "the claim page's download of file \(id) on \(label)")
                }
                let staffListed = Set(try await files.caseFiles(caseId: p.caseId, includingUnshared: true).map(\.id))
                XCTAssertEqual(staffListed, [p.shared, p.unshared, p.medium], "staff see every file on \(label)")
            }
        }
        try await check(documentShared: false)
        for p in planted.values {
            let changed = try await CaseDocuments(database: db).share(fileId: p.unshared, caseId: p.caseId, at: Date())
            XCTAssertTrue(changed)
            let medium = try await CaseDocuments(database: db).share(fileId: p.medium, caseId: p.caseId, at: Date())
            XCTAssertFalse(medium, "a task's medium is not shared from the library")
        }
        try await check(documentShared: true)
    }
}
