import CaseportCore
import CaseportStore
import CaseportTestSupport
import FluentKit
import SQLKit
import XCTest

final class CaseNumberTests: XCTestCase {
    var harness: StoreHarness!
    override func setUp() async throws { harness = try await StoreHarness() }
    override func tearDown() async throws { await harness.shutdown() }

    func testManyCasesCreatedAtOnceGetUniqueSequentialNumbers() async throws {
        let db = harness.database
        let numbers = try await withThrowingTaskGroup(of: Int.self) { group in
            for n in 0..<40 {
                group.addTask {
                    try await CaseCreation.create(
                        NewCase(subject: "Samtidig \(n)", description: "", createdByName: "T", origin: .portal), on: db
                    ).number
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        XCTAssertEqual(numbers.sorted(), Array(CaseNumbers.firstNumber..<(CaseNumbers.firstNumber + 40)))
    }
}

final class LoginAttemptsTests: XCTestCase {
    var harness: StoreHarness!
    override func setUp() async throws { harness = try await StoreHarness() }
    override func tearDown() async throws { await harness.shutdown() }

    func testFiveFailuresLockTheKeyForTwentyMinutesThenItOpens() async throws {
        let attempts = LoginAttempts(database: harness.database)
        let key = LoginThrottle.key(realm: "portal", organisation: "solglantan", username: "finns-inte")
        let now = Date()
        for _ in 1...4 {
            let locked = try await attempts.recordFailure(key: key, now: now)
            XCTAssertFalse(locked)
        }
        let value1 = try await attempts.isLocked(key: key, now: now)
        XCTAssertFalse(value1)
        let value2 = try await attempts.recordFailure(key: key, now: now)
        XCTAssertTrue(value2)
        let value3 = try await attempts.isLocked(key: key, now: now.addingTimeInterval(60))
        XCTAssertTrue(value3)
        let value4 = try await attempts.isLocked(key: key, now: now.addingTimeInterval(20 * 60 + 1))
        XCTAssertFalse(value4)
        let other = LoginThrottle.key(realm: "portal", organisation: "solglantan", username: "anna")
        let value5 = try await attempts.isLocked(key: other, now: now)
        XCTAssertFalse(value5, "other accounts are not affected")
        try await attempts.clear(key: key)
        let value6 = try await attempts.isLocked(key: key, now: now)
        XCTAssertFalse(value6)
    }

    func testAHugeUsernameIsStoredAsAFixedSizeKey() async throws {
        let attempts = LoginAttempts(database: harness.database)
        let key = LoginThrottle.key(realm: "portal", organisation: "x", username: String(repeating: "å", count: 10_000))
        try await attempts.recordFailure(key: key)
        let row = try await LoginAttemptRecord.query(on: harness.database).first()
        XCTAssertEqual(row?.id?.count, 64)
    }
}

final class SessionsTests: XCTestCase {
    var harness: StoreHarness!
    override func setUp() async throws { harness = try await StoreHarness() }
    override func tearDown() async throws { await harness.shutdown() }

    func testSessionsAreBoundToARealmAndExpire() async throws {
        let sessions = Sessions(database: harness.database)
        let now = Date()
        let token = try await sessions.start(realm: .portal, userId: 42, now: now)
        let value7 = try await sessions.userId(token: token, realm: .portal, now: now)
        XCTAssertEqual(value7, 42)
        let value8 = try await sessions.userId(token: token, realm: .staff, now: now)
        XCTAssertNil(value8, "a portal session is no staff session")
        let value9 = try await sessions.userId(token: token, realm: .portal, now: now.addingTimeInterval(SessionLimits.standard.idle + 1))
        XCTAssertNil(value9)
        let stored = try await SessionRecord.query(on: harness.database).first()
        XCTAssertNotEqual(stored?.id, token, "only a hash of the token is stored")
        try await sessions.end(token: token)
        let value10 = try await sessions.userId(token: token, realm: .portal, now: now)
        XCTAssertNil(value10)
    }

    /// Issue 9 (e): a session ends after 8 hours without a request, however young it is; requests
    /// keep it alive, but never beyond 30 days after login.
    func testASessionEndsWhenIdleAndAtItsAbsoluteLimit() async throws {
        let sessions = Sessions(database: harness.database)
        let start = Date()
        let idle = try await sessions.start(realm: .portal, userId: 1, now: start)
        let idleAfter = try await sessions.userId(token: idle, realm: .portal, now: start.addingTimeInterval(8 * 3_600 + 1))
        XCTAssertNil(idleAfter, "eight idle hours end the session")

        let busy = try await sessions.start(realm: .staff, userId: 2, now: start)
        var now = start
        for _ in 0..<4 { // a request every seven hours: 28 hours alive
            now = now.addingTimeInterval(7 * 3_600)
            let alive = try await sessions.userId(token: busy, realm: .staff, now: now)
            XCTAssertEqual(alive, 2, "each request keeps the session alive")
        }
        var lastAlive = now
        while now < start.addingTimeInterval(31 * 24 * 3_600) {
            now = now.addingTimeInterval(7 * 3_600)
            if try await sessions.userId(token: busy, realm: .staff, now: now) != nil { lastAlive = now }
        }
        XCTAssertLessThanOrEqual(lastAlive.timeIntervalSince(start), 30 * 24 * 3_600, "no session outlives 30 days")
        XCTAssertGreaterThan(lastAlive.timeIntervalSince(start), 29 * 24 * 3_600)
    }

    /// Keeping a session alive writes the sessions table only, which the change stamp (M014) does
    /// not watch, and at most once a minute.
    func testKeepingASessionAliveNeitherRaisesTheChangeStampNorWritesEveryRequest() async throws {
        let sessions = Sessions(database: harness.database)
        let start = Date()
        let token = try await sessions.start(realm: .portal, userId: 7, now: start)
        let sql = try XCTUnwrap(harness.database as? any SQLDatabase)
        func stamp() async throws -> Int64 {
            try await sql.raw("SELECT n FROM change_stamp WHERE id = 1").first()!.decode(column: "n", as: Int64.self)
        }
        func expiry() async throws -> Double { try await SessionRecord.query(on: harness.database).first()!.expiresAt }
        let before = try await stamp()
        let firstExpiry = try await expiry()
        _ = try await sessions.find(token: token, realm: .portal, now: start.addingTimeInterval(30))
        let unchanged = try await expiry()
        XCTAssertEqual(unchanged, firstExpiry, "no write within the first minute")
        _ = try await sessions.find(token: token, realm: .portal, now: start.addingTimeInterval(3_600))
        let moved = try await expiry()
        XCTAssertEqual(moved, start.addingTimeInterval(3_600 + 8 * 3_600).timeIntervalSince1970, accuracy: 0.01)
        let after = try await stamp()
        XCTAssertEqual(after, before)
    }
}

final class DemoDataTests: XCTestCase {
    var harness: StoreHarness!
    override func setUp() async throws { harness = try await StoreHarness() }
    override func tearDown() async throws { await harness.shutdown() }

    func testLoadingTwiceChangesNothing() async throws {
        let db = harness.database
        let value11 = try await DemoData.load(on: db, hasher: PlainTestHasher())
        XCTAssertTrue(value11)
        let cases = try await CaseRecord.query(on: db).count()
        let users = try await PortalUserRecord.query(on: db).count()
        XCTAssertGreaterThanOrEqual(cases, 60)
        XCTAssertEqual(users, 5)
        let value12 = try await StaffUserRecord.query(on: db).count()
        XCTAssertEqual(value12, 2)
        let value13 = try await CaseRecord.query(on: db).filter(\.$status == .closed).count()
        XCTAssertGreaterThan(value13, 0)

        let value14 = try await DemoData.load(on: db, hasher: PlainTestHasher())
        XCTAssertFalse(value14)
        let value15 = try await CaseRecord.query(on: db).count()
        XCTAssertEqual(value15, cases)
        let value16 = try await PortalUserRecord.query(on: db).count()
        XCTAssertEqual(value16, users)
    }

    func testDemoLoginsResolveToTheAccountsTheyDescribe() async throws {
        let db = harness.database
        try await DemoData.load(on: db, hasher: PlainTestHasher())
        for login in DemoData.portalLogins {
            let user = try await PortalAccounts.find(organisation: login.organisation, username: login.username,
                                                     field: .any, on: db)
            XCTAssertNotNil(user, "\(login.organisation)/\(login.username)")
        }
        let erik = try await PortalAccounts.find(organisation: "NORRSKEN", username: "Erik", field: .any, on: db)!
        let viewer = try await PortalViewers.viewer(for: erik, on: db)
        guard case .contactUser(let links?) = viewer else { return XCTFail("erik is a contact user") }
        XCTAssertEqual(links.objectIds.count, 1)
        XCTAssertTrue(links.customerIds.isEmpty)
        let value17 = try await PortalAccounts.find(organisation: "solglantan", username: "erik", field: .any, on: db)
        XCTAssertNil(value17,
                     "usernames belong to their organisation")
        let value18 = try await PortalAccounts.find(organisation: "solglantan", username: "anna", field: .customerNumber, on: db)
        XCTAssertNil(value18,
                     "with the customer-number setting the short code does not match")
        let value19 = try await PortalAccounts.find(organisation: "brf solgläntan", username: "anna", field: .name, on: db)
        XCTAssertNotNil(value19)
        let value20 = try await PortalAccounts.find(organisation: "BRF SOLGLÄNTAN", username: "anna", field: .name, on: db)
        XCTAssertNotNil(value20)
    }
}
