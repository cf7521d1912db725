import CaseportCore
import CaseportStore
import CaseportTestSupport
import FluentKit
import SQLKit
import XCTest

/// Login sessions: bound to a realm, idle and absolute limits, ended one by one or all of a user.
final class SessionsTests: StoreTestCase {
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

    /// Issue 17 point 5: a staff session comes with its user — every field as Fluent reads it — and the
    /// number of new inquiries, in one round trip; a portal session is no staff session.
    func testAStaffSessionComesWithItsUserAndTheNewInquiries() async throws {
        let sessions = Sessions(database: harness.database)
        let berit = try await make.staff("Berit", role: .admin)
        berit.lastLoginAt = Date(timeIntervalSince1970: 1_700_000_000)
        berit.language = "en"
        berit.mobile = "070-111 22 33"
        try await berit.save(on: db)
        let inquiries = Inquiries(database: db)
        for subject in ["Ett", "Två"] {
            _ = try await inquiries.submit(NewCase(subject: subject, description: "x", createdByName: "Anna", origin: .portal),
                                           senderEmail: nil, senderPhone: nil)
        }
        let processed = try await inquiries.submit(NewCase(subject: "Tre", description: "x", createdByName: "Anna", origin: .portal),
                                                   senderEmail: nil, senderPhone: nil)
        processed.status = .processed
        try await processed.save(on: db)

        let now = Date()
        let token = try await sessions.start(realm: .staff, userId: berit.id!, now: now)
        let found = try await sessions.findStaff(token: token, now: now)
        let fluent = try await StaffUserRecord.find(berit.id!, on: db)!
        let user = try XCTUnwrap(found?.user)
        XCTAssertEqual(found?.session.userId, berit.id)
        let stamp = try await ChangeStamp.current(on: db)
        XCTAssertEqual(found?.session.stamp, stamp)
        XCTAssertEqual(found?.newInquiries, 2, "new ones only")
        let countNew = try await inquiries.countNew()
        XCTAssertEqual(found?.newInquiries, countNew)
        XCTAssertEqual(user.id, fluent.id)
        XCTAssertEqual([user.email, user.emailKey, user.name, user.passwordHash], [fluent.email, fluent.emailKey, fluent.name, fluent.passwordHash])
        XCTAssertEqual(user.role, .admin)
        XCTAssertEqual(user.isActive, fluent.isActive)
        XCTAssertEqual(user.lastLoginAt, fluent.lastLoginAt)
        XCTAssertEqual(user.createdAt, fluent.createdAt)
        XCTAssertEqual(user.language, "en")
        XCTAssertEqual(user.mobile, "070-111 22 33")

        let portalToken = try await sessions.start(realm: .portal, userId: berit.id!, now: now)
        let notStaff = try await sessions.findStaff(token: portalToken, now: now)
        XCTAssertNil(notStaff)
        let expired = try await sessions.findStaff(token: token, now: now.addingTimeInterval(SessionLimits.standard.idle + 1))
        XCTAssertNil(expired)
        let orphan = try await sessions.start(realm: .staff, userId: 987_654, now: now)
        let gone = try await sessions.findStaff(token: orphan, now: now)
        XCTAssertNotNil(gone, "the session is there…")
        XCTAssertNil(gone?.user, "…its user is not")
    }

    func testATokenIsStoredAsItsSHA256InHex() {
        XCTAssertEqual(Sessions.storedId(for: "abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(Sessions.storedId(for: ""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
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

    func testEndAllEndsOneUsersSessionsOfOneRealmAndDeleteExpiredOnlyTheExpired() async throws {
        let sessions = Sessions(database: db)
        let now = Date()
        let annaPhone = try await sessions.start(realm: .portal, userId: 1, now: now)
        let annaLaptop = try await sessions.start(realm: .portal, userId: 1, now: now)
        let staffOne = try await sessions.start(realm: .staff, userId: 1, now: now)
        let erik = try await sessions.start(realm: .portal, userId: 2, now: now)
        try await sessions.endAll(realm: .portal, userId: 1)
        for token in [annaPhone, annaLaptop] {
            let gone = try await sessions.userId(token: token, realm: .portal, now: now)
            XCTAssertNil(gone)
        }
        let staff = try await sessions.userId(token: staffOne, realm: .staff, now: now)
        XCTAssertEqual(staff, 1, "staff user 1 is another account than portal user 1")
        let other = try await sessions.find(token: erik, realm: .portal, now: now)
        XCTAssertEqual(other?.userId, 2)
        let stamp = try await ChangeStamp.current(on: db)
        XCTAssertEqual(other?.stamp, stamp, "the page's change stamp comes with the session")

        let old = try await sessions.start(realm: .portal, userId: 3, now: now.addingTimeInterval(-9 * 3_600))
        try await sessions.deleteExpired(now: now)
        let rows = try await SessionRecord.query(on: db).count()
        XCTAssertEqual(rows, 2, "the expired one went, the live ones stayed")
        let oldUser = try await sessions.userId(token: old, realm: .portal, now: now.addingTimeInterval(-9 * 3_600))
        XCTAssertNil(oldUser)
        let tooLong = try await sessions.userId(token: String(repeating: "a", count: 101), realm: .portal, now: now)
        XCTAssertNil(tooLong)
    }

    /// Issue 17 (session 30): a portal session can come with a count of a viewer's cases, the menu's "needs your
    /// action", read in the same statement; it is the count `VisibleCases.count` gives, for every kind of viewer.
    func testAPortalSessionComesWithTheCountItWasAskedFor() async throws {
        let first = try await make.customer("1"), second = try await make.customer("2")
        let house = try await make.object(of: first, "Hus")
        let anna = try await make.contact("Anna", customers: [second])
        for (index, status) in [CaseStatus.waitingForCustomer, .resolved, .open, .waitingForCustomer, .closed].enumerated() {
            try await make.case("Fall \(index)", customer: first, object: index % 2 == 0 ? house : nil, status: status)
            try await make.case("Ärende \(index)", customer: second, contacts: index == 1 ? [anna] : [], status: status)
        }
        var needing = CaseFilter()
        needing.statusGroup = .needsAction
        let sessions = Sessions(database: harness.database)
        let token = try await sessions.start(realm: .portal, userId: 7)
        let plain = try await sessions.find(token: token, realm: .portal)
        XCTAssertNil(try XCTUnwrap(plain).alsoCounted, "nothing asked, nothing counted")
        let viewers: [PortalViewer] = [
            .invoiceCustomer(customerId: try first.requireID()), .invoiceCustomer(customerId: try second.requireID()),
            .object(objectId: try house.requireID(), customerId: try first.requireID()),
            .contactUser(contact: ContactLinks(contactId: try anna.requireID(), customerIds: [try second.requireID()])),
        ]
        for viewer in viewers {
            let visibility = CaseVisibility(for: viewer)
            let found = try await sessions.find(token: token, realm: .portal,
                                                alsoCounting: .init(visibility: visibility, filter: needing))
            let expected = try await VisibleCases(database: harness.database).count(for: visibility, filter: needing)
            XCTAssertEqual(found?.userId, 7)
            XCTAssertEqual(found?.alsoCounted, expected, "\(viewer)")
        }
        let none = try await sessions.find(token: "not-a-token", realm: .portal,
                                           alsoCounting: .init(visibility: CaseVisibility(for: viewers[0]), filter: needing))
        XCTAssertNil(none, "no session, no count")
    }
}
