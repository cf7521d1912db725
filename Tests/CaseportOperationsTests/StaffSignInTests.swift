import CaseportCore
import CaseportOperations
import CaseportStore
import CaseportTestSupport
import FluentKit
import XCTest

/// D1/A2: staff sign-in below HTTP — the count before the check, the lock, inactive accounts, and an
/// audit line for every attempt.
final class StaffSignInTests: XCTestCase {
    var harness: StoreHarness!
    var world: OperationWorld!
    var staff: StaffUserRecord!

    override func setUp() async throws {
        harness = try await StoreHarness()
        world = try await OperationWorld.build(on: harness.database)
        staff = try await StaffUserRecord.find(world.handler.staffId, on: world.db)
        staff.passwordHash = try await PlainPasswords().hash("Rätt lösen 1")
        try await staff.save(on: world.db)
    }

    override func tearDown() async throws { await harness.shutdown() }

    private func signIn(_ email: String = "handler@example.com", _ password: String = "Rätt lösen 1") async throws -> StaffSignIn.Result {
        try await StaffSignIn.run(.init(email: email, password: password), passwords: PlainPasswords(), dummyHash: "plain:-",
                                  in: world.context)
    }

    private func auditLines() async throws -> [AuditEventRecord] {
        try await AuditEventRecord.query(on: world.db).sort(\.$id).all()
    }

    func testSigningInClearsTheCounterStampsTheLoginAndWritesAnAuditLine() async throws {
        _ = try await signIn("handler@example.com", "fel")
        let result = try await signIn(" Handler@Example.com ")
        XCTAssertEqual(result, .signedIn(staffId: world.handler.staffId))
        let counters = try await LoginAttemptRecord.query(on: world.db).count()
        XCTAssertEqual(counters, 0)
        let user = try await StaffUserRecord.find(world.handler.staffId, on: world.db)
        XCTAssertNotNil(user?.lastLoginAt)
        let audit = try await auditLines()
        XCTAssertEqual(audit.map(\.action), [AuditAction.loginFailed.rawValue, AuditAction.loginSucceeded.rawValue])
        XCTAssertEqual(audit.first?.details, "wrong e-mail or password")
        XCTAssertEqual(audit.first?.actorKind, "anonymous")
        XCTAssertEqual(audit.last?.subject, "staff user \(world.handler.staffId)")
    }

    func testFiveFailuresLockEvenTheRightPasswordOut() async throws {
        var results: [StaffSignIn.Result] = []
        for _ in 0 ..< 5 { results.append(try await signIn("handler@example.com", "fel")) }
        XCTAssertEqual(results.last, .refused(.wrongCredentials(nowLocked: true)))
        XCTAssertEqual(Array(results.dropLast()), Array(repeating: .refused(.wrongCredentials(nowLocked: false)), count: 4))
        let locked = try await signIn()
        XCTAssertEqual(locked, .refused(.locked))
        XCTAssertEqual(StaffSignIn.Refusal.locked.messageKey, "login_error_locked")
        let audit = try await auditLines()
        XCTAssertEqual(audit.filter { $0.action == AuditAction.accountLocked.rawValue }.count, 1)
        XCTAssertEqual(audit.last?.details, "locked")
        // An unknown address is refused exactly like a wrong password.
        let unknown = try await signIn("nobody@example.com")
        XCTAssertEqual(unknown, .refused(.wrongCredentials(nowLocked: false)))
    }

    func testAnInactiveAccountAndMissingOrOverlongInputAreRefused() async throws {
        staff.isActive = false
        try await staff.save(on: world.db)
        let inactive = try await signIn()
        XCTAssertEqual(inactive, .refused(.inactive))
        let missing = try await signIn("  ", "x")
        XCTAssertEqual(missing, .refused(.missing))
        let long = try await signIn("handler@example.com", String(repeating: "x", count: InputLimits.password + 1))
        XCTAssertEqual(long, .refused(.tooLong))
        let audit = try await auditLines()
        XCTAssertEqual(audit.map(\.details), ["account inactive"], "missing or overlong input is refused before anything is counted")
    }

    func testSigningOutIsAnAuditLine() async throws {
        try await StaffSignIn.signOut(world.handler, in: world.context)
        let audit = try await auditLines()
        XCTAssertEqual(audit.map(\.action), [AuditAction.logout.rawValue])
        XCTAssertEqual(audit.first?.subject, "staff user \(world.handler.staffId)")
    }
}
