import CaseportCore
import CaseportStore
import CaseportTestSupport
import FluentKit
import Foundation
import SQLKit
import XCTest

/// B11: every dashboard figure equals an independent computation over the demo data — the scope written
/// out as its own SQL (not through `CaseVisibilitySQL`), the rows read plainly, grouped and ranked in
/// Swift — for staff and for each demo login's scopes; and no scope shows a case outside the A7 rule.
final class DashboardsTests: StoreTestCase {
    /// The demo loaded at a fixed time, so the periods below cut through its cases.
    let now = Date(timeIntervalSince1970: 1_790_000_000)  // 2026-09-21

    struct PlainCase: Decodable {
        var id: Int
        var customer_id: Int?
        var object_id: Int?
        var case_type_id: Int?
        var created_at: Date
        var closed_at: Double?
        var status: String
    }

    /// The cases of a scope by a hand-written WHERE.
    func plainCases(_ scope: SQLQueryString?) async throws -> [PlainCase] {
        let sql = try XCTUnwrap(db as? any SQLDatabase)
        var query: SQLQueryString = "SELECT id, customer_id, object_id, case_type_id, created_at, closed_at, status FROM cases"
        if let scope { query = query + " WHERE " + scope }
        return try await sql.raw(query).all(decoding: PlainCase.self)
    }

    func ids(_ table: String, where column: String, is value: String) async throws -> Int {
        struct Row: Decodable { var id: Int }
        return try await XCTUnwrap(db as? any SQLDatabase).raw("SELECT id FROM \(unsafeRaw: table) WHERE \(unsafeRaw: column) = \(bind: value)")
            .first(decoding: Row.self)!.id
    }

    /// Compares each figure of the cases and lead-time dashboards with the plain rows of the same scope.
    func assertFigures(_ visibility: CaseVisibility?, scope: SQLQueryString?, period: DashboardPeriod, filter adjust: (inout DashboardFilter) -> Void = { _ in },
                       _ what: String, file: StaticString = #filePath, line: UInt = #line) async throws {
        var filter = DashboardFilter(period: period)
        adjust(&filter)
        let dashboards = Dashboards(database: db)
        let rows = try await plainCases(scope).filter { row in
            (filter.customerId == nil || row.customer_id == filter.customerId) && (filter.objectId == nil || row.object_id == filter.objectId)
                && (filter.caseTypeId == nil || row.case_type_id == filter.caseTypeId)
        }
        let created = rows.filter { $0.created_at >= period.from && $0.created_at < period.to }
        func bucket(_ time: Date) -> Int { period.starts.lastIndex { $0 <= time }! }

        var expectedByTime = Array(repeating: 0, count: period.starts.count)
        for row in created { expectedByTime[bucket(row.created_at)] += 1 }
        let byTime = try await dashboards.casesByTime(visibility, filter)
        XCTAssertEqual(byTime, expectedByTime, "\(what): cases per time bucket", file: file, line: line)
        XCTAssertGreaterThan(created.count, 0, "\(what): the period holds cases", file: file, line: line)

        for (dimension, key) in [(Dashboards.Dimension.customer, \PlainCase.customer_id), (.object, \PlainCase.object_id),
                                 (.caseType, \PlainCase.case_type_id)] {
            let expected = Dictionary(grouping: created, by: { $0[keyPath: key] }).mapValues(\.count)
            let shown = try await dashboards.cases(by: dimension, visibility, filter)
            XCTAssertEqual(Dictionary(uniqueKeysWithValues: shown.map { ($0.key, $0.count) }), expected,
                           "\(what): cases per \(dimension)", file: file, line: line)
            XCTAssertEqual(shown.map(\.count), shown.map(\.count).sorted(by: >), "largest first", file: file, line: line)
        }

        let closed = rows.filter { row in
            guard row.status == CaseStatus.closed.rawValue, let at = row.closed_at else { return false }
            return at >= period.from.timeIntervalSince1970 && at < period.to.timeIntervalSince1970
        }
        func lead(_ row: PlainCase) -> Double { row.closed_at! - row.created_at.timeIntervalSince1970 }
        func check(_ shown: [DashboardRow], _ expected: [Int?: [PlainCase]], _ name: String) {
            XCTAssertEqual(Set(shown.map(\.key)), Set(expected.keys), "\(what): \(name) groups", file: file, line: line)
            for row in shown {
                let leads = expected[row.key]!.map(lead)
                XCTAssertEqual(row.count, leads.count, "\(what): \(name) count", file: file, line: line)
                XCTAssertEqual(row.median!, NearestRank.percentile(50, of: leads)!, accuracy: 0.01, "\(what): \(name) median", file: file, line: line)
                XCTAssertEqual(row.p90!, NearestRank.percentile(90, of: leads)!, accuracy: 0.01, "\(what): \(name) p90", file: file, line: line)
            }
        }
        check(try await dashboards.leadTimes(by: .object, visibility, filter), Dictionary(grouping: closed, by: \.object_id), "lead per object")
        check(try await dashboards.leadTimes(by: .time, visibility, filter),
              Dictionary(grouping: closed, by: { bucket(Date(timeIntervalSince1970: $0.closed_at!)) }), "lead per time")
        check(try await dashboards.leadTimes(by: .all, visibility, filter), closed.isEmpty ? [:] : [0: closed], "lead overall")
    }

    func testEveryFigureEqualsAnIndependentQueryOverTheDemoData() async throws {
        try await DemoData.load(on: db, hasher: PlainTestHasher(), now: now)
        let sol = try await ids("customers", where: "customer_number", is: "1001")
        let husA = try await ids("objects", where: "name", is: "Solgläntan hus A")
        let nordstjarnan = try await ids("objects", where: "name", is: "Nordstjärnan 4")
        let anna = try await ids("contacts", where: "email", is: "anna@solglantan.example")
        let erik = try await ids("contacts", where: "email", is: "erik@norrsken.example")
        let annaLinks = ContactLinks(contactId: anna, customerIds: [sol])
        let erikLinks = ContactLinks(contactId: erik, objectIds: [nordstjarnan])
        let threeMonths = DashboardPeriod.lastThreeMonths(now: now)
        let halfYear = DashboardPeriod(from: now.addingTimeInterval(-200 * 86_400), to: now.addingTimeInterval(86_400))
        XCTAssertFalse(threeMonths.monthly)
        XCTAssertTrue(halfYear.monthly)

        for period in [threeMonths, halfYear] {
            try await assertFigures(nil, scope: nil, period: period, "staff")
            try await assertFigures(DashboardScope.customers.visibility(annaLinks),
                                    scope: "customer_id = \(bind: sol) OR object_id IN (SELECT id FROM objects WHERE customer_id = \(bind: sol))",
                                    period: period, "anna, her customers")
            try await assertFigures(DashboardScope.mine.visibility(annaLinks),
                                    scope: "id IN (SELECT case_id FROM case_contacts WHERE contact_id = \(bind: anna))", period: period, "anna, her cases")
            try await assertFigures(DashboardScope.objects.visibility(erikLinks), scope: "object_id = \(bind: nordstjarnan)",
                                    period: period, "erik, his objects")
        }
        // The filters narrow every figure the same way.
        try await assertFigures(nil, scope: nil, period: halfYear, filter: { $0.objectId = husA }, "staff, one object")
        try await assertFigures(nil, scope: nil, period: halfYear, filter: { $0.customerId = sol }, "staff, one customer")
        let fault = try await ids("case_types", where: "name", is: "Felanmälan")
        try await assertFigures(DashboardScope.customers.visibility(annaLinks),
                                scope: "customer_id = \(bind: sol) OR object_id IN (SELECT id FROM objects WHERE customer_id = \(bind: sol))",
                                period: halfYear, filter: { $0.caseTypeId = fault }, "anna, one case type")
    }

    /// Each scope is inside the contact's A7 visibility and is exactly its part of it, on a register where
    /// the three scopes differ: a case on the contact's object filed under another customer, a case of its
    /// customer on another customer's object, a case it is only linked to, and cases it must never see.
    func testEachScopeShowsItsCasesAndNothingOutsideTheAccessRule() async throws {
        let mine = try await make.customer("1"), other = try await make.customer("2"), third = try await make.customer("3")
        let myObject = try await make.object(of: mine, "Eget")
        let otherObject = try await make.object(of: other, "Annat"), linkedObject = try await make.object(of: third, "Länkat")
        let contact = try await make.contact("Cia", customers: [mine], objects: [linkedObject])
        let created = now.addingTimeInterval(-10 * 86_400)
        func newCase(_ subject: String, customer: CustomerRecord?, object: ObjectRecord?, contact: ContactRecord? = nil) async throws -> Int {
            var new = NewCase(subject: subject, description: "", createdByName: "Test", origin: .portal)
            new.customerId = customer?.id
            new.objectId = object?.id
            new.primaryContactId = contact?.id
            new.createdAt = created
            return try await CaseCreation.create(new, on: db).requireID()
        }
        let ownCustomer = try await newCase("own customer", customer: mine, object: nil)
        let ownObject = try await newCase("own object", customer: mine, object: myObject)
        let ownObjectOtherCustomer = try await newCase("own object, other customer", customer: other, object: myObject)
        let linkedObjectCase = try await newCase("linked object", customer: third, object: linkedObject)
        let onlyLinked = try await newCase("only linked", customer: other, object: otherObject, contact: contact)
        let never = try await newCase("never", customer: other, object: otherObject)
        _ = try await newCase("never either", customer: third, object: nil)

        let links = ContactLinks(contactId: try contact.requireID(), customerIds: [try mine.requireID()], objectIds: [try linkedObject.requireID()])
        let period = DashboardPeriod.lastThreeMonths(now: now)
        let visible = CaseVisibility(for: .contactUser(contact: links))
        func shown(_ scope: DashboardScope) async throws -> Int {
            try await Dashboards(database: db).casesByTime(scope.visibility(links), DashboardFilter(period: period)).reduce(0, +)
        }
        let everything = try await Dashboards(database: db).casesByTime(visible, DashboardFilter(period: period)).reduce(0, +)
        XCTAssertEqual(everything, 5, "the contact's A7 visibility: all but the two others'")
        let mineCount = try await shown(.mine)
        XCTAssertEqual(mineCount, 1, "mine: \(onlyLinked) only")
        let objectsCount = try await shown(.objects)
        XCTAssertEqual(objectsCount, 1, "objects: \(linkedObjectCase) (the object link)")
        let customersCount = try await shown(.customers)
        XCTAssertEqual(customersCount, 3, "customers: \([ownCustomer, ownObject, ownObjectOtherCustomer])")
        XCTAssertEqual(DashboardScope.offered(links), [.mine, .objects, .customers])
        XCTAssertEqual(DashboardScope.offered(ContactLinks(contactId: 1)), [.mine])
        // Every scope is a part of the rule: a case outside it is in no scope.
        for scope in DashboardScope.allCases {
            let scoped = scope.visibility(links)
            XCTAssertFalse(scoped.customerIds.subtracting(visible.customerIds).count > 0)
            XCTAssertFalse(scoped.objectIds.subtracting(visible.objectIds).count > 0)
            XCTAssertFalse(scoped.objectOwnerIds.subtracting(visible.objectOwnerIds).count > 0)
            let byObject = try await Dashboards(database: db).cases(by: .object, scoped, DashboardFilter(period: period))
            XCTAssertFalse(byObject.contains { $0.key == otherObject.id && scope != .mine }, "\(scope) never shows the other object's cases")
        }
        _ = never
    }

    func testLeadTimesUseNearestRankAndClosedAtMovesWithTheStatus() async throws {
        XCTAssertEqual(NearestRank.percentile(50, of: [4, 1, 3, 2]), 2, "the lower middle of an even count")
        XCTAssertEqual(NearestRank.percentile(90, of: (1...10).map(Double.init)), 9)
        XCTAssertEqual(NearestRank.percentile(90, of: (1...11).map(Double.init)), 10)
        XCTAssertEqual(NearestRank.percentile(50, of: [7]), 7)

        let customer = try await make.customer("1")
        var new = NewCase(subject: "S", description: "", createdByName: "T", origin: .portal)
        new.customerId = customer.id
        new.createdAt = now.addingTimeInterval(-5 * 86_400)
        let record = try await CaseCreation.create(new, on: db)
        let staff = StaffCases(database: db)
        let henrik = try await make.staff("Henrik")
        let actor = StaffCases.Actor(staffId: try henrik.requireID(), name: "Henrik")
        try await staff.changeStatus(caseId: record.id!, to: .closed, expectedVersion: record.version, by: actor, at: now)
        var closedAt = try await CaseRecord.find(record.id, on: db)!.closedAt
        XCTAssertEqual(closedAt, now.timeIntervalSince1970)
        let period = DashboardPeriod.lastThreeMonths(now: now)
        let lead = try await Dashboards(database: db).leadTimes(by: .all, nil, DashboardFilter(period: period))
        XCTAssertEqual(lead.first?.median ?? 0, 5 * 86_400, accuracy: 0.01)
        let fresh = try await CaseRecord.find(record.id, on: db)!
        try await staff.changeStatus(caseId: record.id!, to: .reopened, expectedVersion: fresh.version, by: actor, at: now)
        closedAt = try await CaseRecord.find(record.id, on: db)!.closedAt
        XCTAssertNil(closedAt, "a reopened case is not closed")
        let none = try await Dashboards(database: db).leadTimes(by: .all, nil, DashboardFilter(period: period))
        XCTAssertTrue(none.isEmpty)
    }

    struct PlainMoney: Decodable {
        var customer_id: Int?
        var object_id: Int?
        var kind: String?
        var code: String?
        var created_unix: Int
        var net_minor: Int?
        var gross_minor: Int?
    }

    /// Work orders and article rows on the demo's cases (written here: the demo's own rows belong to the
    /// money work), then each figure of both dashboards against plain rows grouped in Swift.
    func testWorkOrderAndArticleRowFiguresEqualAnIndependentQuery() async throws {
        try await DemoData.load(on: db, hasher: PlainTestHasher(), now: now)
        let sql = try XCTUnwrap(db as? any SQLDatabase)
        struct CaseRow: Decodable { var id: Int; var created_at: Date }
        let cases = try await sql.raw("SELECT id, created_at FROM cases ORDER BY id").all(decoding: CaseRow.self)
        let types = ["repair", "maintenance", "inspection", "installation", "other"]
        let articleTypes = ["work", "material", "other"]
        for (index, row) in cases.enumerated() where index % 3 != 2 {
            let at = Int(row.created_at.timeIntervalSince1970) + 3_600 * (index % 7)
            try await sql.raw("""
                INSERT INTO work_orders (case_id, work_order_type, state, title, description, created_unix, updated_unix, version)
                VALUES (\(bind: row.id), \(bind: types[index % 5]), 'draft', 'Arbete', '', \(bind: at), \(bind: at), 1)
                """).run()
            for line in 0..<(1 + index % 3) {
                let net = 12_345 * (line + 1) + index * 101
                let code: String? = [nil, "A1", "B2"][(index + line) % 3]
                try await sql.raw("""
                    INSERT INTO article_rows (case_id, action_code, article_code, article_name, article_type, unit, quantity_milli,
                        unit_price_minor, vat_rate_bp, net_minor, vat_minor, gross_minor, booked_on, created_unix, created_by_name)
                    VALUES (\(bind: row.id), \(bind: code), 'X', 'Artikel', \(bind: articleTypes[(index + line) % 3]), 'st', 1000,
                        \(bind: net), 2500, \(bind: net), \(bind: net / 4), \(bind: net + net / 4), '2026-01-01', \(bind: at + line * 60), 'Henrik')
                    """).run()
            }
        }
        let sol = try await ids("customers", where: "customer_number", is: "1001")
        let anna = try await ids("contacts", where: "email", is: "anna@solglantan.example")
        let annaLinks = ContactLinks(contactId: anna, customerIds: [sol])
        let solScope: SQLQueryString = "(c.customer_id = \(bind: sol) OR c.object_id IN (SELECT id FROM objects WHERE customer_id = \(bind: sol)))"
        for period in [DashboardPeriod.lastThreeMonths(now: now), DashboardPeriod(from: now.addingTimeInterval(-200 * 86_400), to: now)] {
            for (visibility, scope, what) in [(nil as CaseVisibility?, nil as SQLQueryString?, "staff"),
                                               (DashboardScope.customers.visibility(annaLinks), solScope, "anna, her customers")] {
                for workOrders in [true, false] {
                    let columns: SQLQueryString = workOrders
                        ? "c.customer_id, c.object_id, w.work_order_type AS kind, NULL AS code, w.created_unix, NULL AS net_minor, NULL AS gross_minor FROM work_orders w JOIN cases c ON c.id = w.case_id"
                        : "c.customer_id, c.object_id, r.article_type AS kind, r.action_code AS code, r.created_unix, r.net_minor, r.gross_minor FROM article_rows r JOIN cases c ON c.id = r.case_id"
                    var query: SQLQueryString = "SELECT " + columns
                    if let scope { query = query + " WHERE " + scope }
                    let rows = try await sql.raw(query).all(decoding: PlainMoney.self).filter {
                        $0.created_unix >= Int(period.from.timeIntervalSince1970) && $0.created_unix < Int(period.to.timeIntervalSince1970)
                    }
                    XCTAssertFalse(rows.isEmpty, "\(what): the period holds rows")
                    let label = "\(what), \(workOrders ? "work orders" : "article rows")"
                    let dashboards = Dashboards(database: db)
                    let filter = DashboardFilter(period: period)
                    func sums(_ group: [PlainMoney]) -> [Int?] {
                        workOrders ? [group.count] : [group.count, group.reduce(0) { $0 + $1.net_minor! }, group.reduce(0) { $0 + $1.gross_minor! }]
                    }
                    func figures(_ row: DashboardRow) -> [Int?] { workOrders ? [row.count] : [row.count, row.netMinor, row.grossMinor] }
                    let byTime = try await dashboards.moneyByTime(workOrders: workOrders, visibility, filter)
                    let expectedTime = Dictionary(grouping: rows) { row in
                        period.starts.lastIndex { $0.timeIntervalSince1970 <= Double(row.created_unix) }!
                    }
                    for (index, shown) in byTime.enumerated() {
                        let expected = expectedTime[index].map(sums) ?? (workOrders ? [0] : [0, 0, 0])
                        XCTAssertEqual(figures(shown), expected, "\(label): bucket \(index)")
                    }
                    let kind: (PlainMoney) -> String? = { $0.kind }
                    let code: (PlainMoney) -> String? = { $0.code }
                    let customer: (PlainMoney) -> String? = { $0.customer_id.map { String($0) } }
                    let object: (PlainMoney) -> String? = { $0.object_id.map { String($0) } }
                    var dimensions: [(Dashboards.MoneyDimension, (PlainMoney) -> String?)] = [(.customer, customer), (.object, object)]
                    if workOrders {
                        dimensions.append((.workOrderType, kind))
                    } else {
                        dimensions.append((.actionCode, code))
                        dimensions.append((.articleType, kind))
                    }
                    for (dimension, key) in dimensions {
                        let shown = try await dashboards.money(workOrders: workOrders, by: dimension, visibility, filter)
                        let expected = Dictionary(grouping: rows, by: key).mapValues(sums)
                        let got = Dictionary(uniqueKeysWithValues: shown.map { (dimension.isText ? $0.textKey : $0.key.map(String.init), figures($0)) })
                        XCTAssertEqual(got, expected, "\(label): per \(dimension)")
                    }
                }
            }
        }
        // A filter narrows the rows: one action code, one article type.
        struct Count: Decodable { var n: Int }
        var filter = DashboardFilter(period: DashboardPeriod(from: now.addingTimeInterval(-200 * 86_400), to: now))
        filter.actionCode = "A1"
        filter.articleType = "material"
        let narrowed = try await Dashboards(database: db).money(workOrders: false, by: .actionCode, nil, filter)
        XCTAssertEqual(narrowed.compactMap(\.textKey), ["A1"])
        let plain = try await sql.raw("""
            SELECT COUNT(*) AS n FROM article_rows WHERE action_code = 'A1' AND article_type = 'material'
              AND created_unix >= \(bind: Int(filter.period.from.timeIntervalSince1970)) AND created_unix < \(bind: Int(filter.period.to.timeIntervalSince1970))
            """).first(decoding: Count.self)
        XCTAssertEqual(narrowed.first?.count, plain?.n)
        XCTAssertGreaterThan(plain?.n ?? 0, 0)
    }
}
