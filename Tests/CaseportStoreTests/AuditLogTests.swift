import CaseportStore
import CaseportTestSupport
import FluentKit
import SQLKit
import XCTest

/// E5: the audit log keeps what is written, filters it, and refuses to change or lose a line.
final class AuditLogTests: XCTestCase {
    var harness: StoreHarness!

    override func setUp() async throws {
        harness = try await StoreHarness()
    }

    override func tearDown() async throws {
        await harness.shutdown()
    }

    func testRecordsFiltersAndPagesNewestFirst() async throws {
        let log = AuditLog(database: harness.database)
        try await log.record(.loginFailed, by: .anonymous(typed: "solglantan/okand"), details: "unknown user")
        try await log.record(.loginSucceeded, by: .portal(id: 1, name: "Anna Andersson"), ip: "10.0.0.1")
        try await log.record(.settingsChanged, by: .staff(id: 2, name: "Admin Person"), subject: "settings",
                             details: "sms_enabled: false → true")

        let all = try await log.page(.init())
        XCTAssertEqual(all.map(\.action), ["settings_changed", "login_succeeded", "login_failed"])
        let failures = try await log.page(.init(action: .loginFailed))
        XCTAssertEqual(failures.map(\.actorName), ["solglantan/okand"])
        let byText = try await log.page(.init(text: "ANNA"))
        XCTAssertEqual(byText.map(\.action), ["login_succeeded"])
        let bySubject = try await log.page(.init(text: "setting"))
        XCTAssertEqual(bySubject.map(\.actorName), ["Admin Person"])

        let first = try await log.page(.init(), limit: 2)
        let rest = try await log.page(.init(), before: first.last?.id, limit: 2)
        XCTAssertEqual(first.count, 2)
        XCTAssertEqual(rest.map(\.action), ["login_failed"])
    }

    func testLinesCannotBeChangedOrDeleted() async throws {
        let log = AuditLog(database: harness.database)
        try await log.record(.roleChanged, by: .staff(id: 1, name: "Admin"), subject: "staff user 2",
                             details: "handler → admin")
        let sql = try XCTUnwrap(harness.database as? any SQLDatabase)
        do {
            try await sql.raw("UPDATE audit_events SET details = 'nothing happened'").run()
            XCTFail("an UPDATE of the audit log went through")
        } catch {}
        do {
            try await sql.raw("DELETE FROM audit_events").run()
            XCTFail("a DELETE of the audit log went through")
        } catch {}
        let lines = try await log.page(.init())
        XCTAssertEqual(lines.map(\.details), ["handler → admin"])
    }
}
