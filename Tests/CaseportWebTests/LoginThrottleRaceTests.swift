import CaseportCore
import CaseportOperations
import CaseportStore
@testable import CaseportWeb
import Fluent
import Vapor
import XCTVapor
import XCTest

/// Issue 9 point 5: the A2 lock holds under parallel attempts, whichever alias of the organisation
/// is typed, for the portal, the staff login and lost-password requests.
final class LoginThrottleRaceTests: XCTestCase {
    var harness: WebHarness!
    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws { try await harness.shutdown() }

    /// Browsers that each hold a CSRF token, ready to post at once.
    func browsers(_ count: Int, page: String) async throws -> [Browser] {
        var list: [Browser] = []
        for _ in 0..<count {
            let browser = harness.browser()
            try await browser.get(page)
            list.append(browser)
        }
        return list
    }

    /// Posts the same form from every browser at the same time; returns the statuses.
    func burst(_ browsers: [Browser], _ path: String, _ fields: @escaping @Sendable (Int) -> [String: String]) async throws -> [HTTPStatus] {
        try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
            for (index, browser) in browsers.enumerated() {
                group.addTask { try await browser.post(path, fields(index)).status }
            }
            var statuses: [HTTPStatus] = []
            for try await status in group { statuses.append(status) }
            return statuses
        }
    }

    func evaluatedFailures(_ details: String) async throws -> Int {
        try await AuditEventRecord.query(on: harness.app.db).filter(\.$action == "login_failed")
            .filter(\.$details == details).count()
    }

    func testThirtyParallelWrongPasswordsGetAtMostFiveGuessesAndNoError() async throws {
        let statuses = try await burst(try await browsers(30, page: "/login"), "/login") { index in
            ["organisation": "solglantan", "username": "anna", "password": "Fel\(index)"]
        }
        XCTAssertEqual(statuses.filter { $0 != .ok }, [], "every attempt gets the login page, never a 500")
        let evaluated = try await evaluatedFailures("wrong organisation, username or password")
        XCTAssertLessThanOrEqual(evaluated, 5, "only five passwords are checked")
        XCTAssertGreaterThanOrEqual(evaluated, 1)

        let owner = harness.browser()
        try await owner.portalLogin("solglantan", "anna")
        XCTAssertNil(owner.cookies["caseport_portal"], "the right password is refused while locked")
        XCTAssertTrue(owner.lastBody.contains("Kontot är låst i 20 minuter"))
    }

    func testParallelStaffAttemptsGetAtMostFiveGuesses() async throws {
        let statuses = try await burst(try await browsers(30, page: "/staff/login"), "/staff/login") { index in
            ["email": "admin@example.com", "password": "Fel\(index)"]
        }
        XCTAssertEqual(statuses.filter { $0 != .ok }, [])
        let evaluated = try await evaluatedFailures("wrong e-mail or password")
        XCTAssertLessThanOrEqual(evaluated, 5)
        let owner = harness.browser()
        try await owner.staffLogin("admin@example.com")
        XCTAssertNil(owner.cookies["caseport_staff"], "the right password is refused while locked")
    }

    func testNameShortCodeAndNumberShareOneCounter() async throws {
        let browser = harness.browser()
        try await browser.get("/login")
        // Two tries by name, two by short code, one by number: five in all, and the account is locked.
        for organisation in ["Brf Solgläntan", "BRF SOLGLÄNTAN", "solglantan", "Solglantan", "1001"] {
            try await browser.post("/login", ["organisation": organisation, "username": "anna", "password": "Fel1234"])
        }
        XCTAssertTrue(browser.lastBody.contains("Kontot är låst i 20 minuter"), "the fifth failure over three aliases locks")
        for organisation in ["Brf Solgläntan", "solglantan", "1001"] {
            let owner = harness.browser()
            try await owner.portalLogin(organisation, "anna")
            XCTAssertNil(owner.cookies["caseport_portal"], "locked under \(organisation) too")
        }
        // An unknown user of a real organisation behaves the same way: nothing tells them apart.
        let probe = harness.browser()
        try await probe.get("/login")
        for organisation in ["Brf Solgläntan", "solglantan", "1001", "1001", "solglantan"] {
            try await probe.post("/login", ["organisation": organisation, "username": "nobody", "password": "Fel1234"])
        }
        XCTAssertTrue(probe.lastBody.contains("Kontot är låst i 20 minuter"))

        // Staff unlock clears the account's counter.
        let anna = try await PortalUserRecord.query(on: harness.app.db).filter(\.$usernameKey == "anna").first()!
        let organisation = try await CustomerRecord.find(anna.organisationId, on: harness.app.db)!
        for key in UnlockPortalUser.lockKeys(for: anna, organisation: organisation) {
            try await LoginAttempts(database: harness.app.db).clear(key: key)
        }
        let owner = harness.browser()
        let status = try await owner.portalLogin("1001", "anna").status
        XCTAssertEqual(status, .seeOther)
    }

    func testTwentyParallelLostPasswordRequestsQueueAtMostFiveMails() async throws {
        let aliases = ["solglantan", "Brf Solgläntan", "1001"]
        let statuses = try await burst(try await browsers(21, page: "/password/forgot"), "/password/forgot") { index in
            ["organisation": aliases[index % 3], "username": "anna"]
        }
        XCTAssertEqual(statuses.filter { $0 != .ok }, [])
        let mails = try await OutboxRecord.query(on: harness.app.db).filter(\.$kind == "password_reset").count()
        XCTAssertLessThanOrEqual(mails, 5)
        XCTAssertGreaterThanOrEqual(mails, 1)
    }
}
