import CaseportCore
@testable import CaseportOperations
import CaseportStore
import CaseportTestSupport
import FluentKit
import Foundation
import XCTest

/// API tokens (issue 16): made by an administrator (staff) or a customer administrator (their own
/// organisation's users), stored only as a hash, shown once, revoked for good; each step audited.
final class APITokenOperationsTests: XCTestCase {
    var harness: StoreHarness!
    var world: OperationWorld!
    var admin: StaffActor!
    var db: any Database { world.db }

    override func setUp() async throws {
        harness = try await StoreHarness()
        world = try await OperationWorld.build(on: harness.database, clock: { Date(timeIntervalSince1970: 1_800_000_000) })
        let record = StaffUserRecord(email: "admin@example.com", name: "Maria Admin", role: .admin, passwordHash: "x")
        try await record.create(on: db)
        admin = StaffActor(staffId: try record.requireID(), name: record.name, isAdmin: true)
    }

    override func tearDown() async throws { await harness.shutdown() }

    func audit(_ action: AuditAction) async throws -> [AuditEventRecord] {
        try await AuditEventRecord.query(on: db).filter(\.$action == action.rawValue).sort(\.$id).all()
    }

    func makeAdmin(_ actor: PortalActor) async throws {
        let user = try await XCTUnwrapAsync(try await PortalUserRecord.find(actor.userId, on: db))
        user.isAdmin = true
        try await user.save(on: db)
    }

    func testAnAdministratorMakesAStaffTokenStoredAsAHashWithItsAuditLine() async throws {
        let input = CreateAPIToken.Input(name: "Fakturering", scope: .read, expiresInDays: 30)
        let created = try await XCTUnwrapAsync(try await CreateAPIToken.forStaff(input, staffUserId: world.handler.staffId, role: nil,
                                                                      by: .admin(admin), in: world.context).value)
        XCTAssertTrue(created.token.hasPrefix("cpt_"))
        XCTAssertGreaterThanOrEqual(created.token.count, 40)
        let record = try await XCTUnwrapAsync(try await APITokenRecord.find(created.id, on: db))
        XCTAssertEqual(record.tokenHash, APITokens.hash(created.token))
        XCTAssertNotEqual(record.tokenHash, created.token)
        XCTAssertEqual(record.prefix, String(created.token.prefix(12)))
        XCTAssertEqual(record.realm, .staff)
        XCTAssertEqual(record.role, .handler)
        XCTAssertEqual(record.scope, .read)
        XCTAssertEqual(record.expiresAt, 1_800_000_000 + 30 * 86_400)
        let found = try await APITokens(database: db).find(token: created.token)
        XCTAssertEqual(found?.id, created.id)
        isNil(try await APITokens(database: db).find(token: "cpt_" + String(created.token.dropFirst(4).reversed())))
        let lines = try await audit(.apiTokenCreated)
        XCTAssertEqual(lines.count, 1)
        XCTAssertEqual(lines.first?.actorName, "Maria Admin")
        XCTAssertTrue(lines.first?.subject?.contains("handler@example.com") == true)
        XCTAssertFalse(lines.first?.details?.contains(created.token) == true, "the token itself is never logged")
    }

    func testStaffTokenProblemsAndRefusals() async throws {
        let empty = CreateAPIToken.Input(name: " ", scope: nil, expiresInDays: 0)
        let problems = try await XCTUnwrapAsync(try await CreateAPIToken.forStaff(empty, staffUserId: world.handler.staffId, role: nil,
                                                                       by: .admin(admin), in: world.context).problems)
        XCTAssertEqual(problems.messages[.name], ProblemKey.required)
        XCTAssertEqual(problems.messages[.scope], ProblemKey.required)
        XCTAssertEqual(problems.messages[.expires], "api_token_error_expires")
        // A handler's token cannot carry the admin role.
        let input = CreateAPIToken.Input(name: "x", scope: .write, expiresInDays: nil)
        let role = try await XCTUnwrapAsync(try await CreateAPIToken.forStaff(input, staffUserId: world.handler.staffId, role: .admin,
                                                                   by: .admin(admin), in: world.context).problems)
        XCTAssertEqual(role.messages[.role], "api_token_error_role")
        // Only administrators make staff tokens.
        do {
            _ = try await CreateAPIToken.forStaff(input, staffUserId: world.handler.staffId, role: nil, by: .admin(world.handler),
                                                  in: world.context)
            XCTFail("a handler made a token")
        } catch let error as OperationError { XCTAssertEqual(error, .forbidden) }
        same(try await APITokenRecord.query(on: db).count(), 0)
        same(try await audit(.apiTokenCreated).count, 0)
        // The operator's command acts as the system.
        _ = try await CreateAPIToken.forStaff(input, staffUserId: admin.staffId, role: nil, by: .operatorCommand, in: world.context)
        same(try await audit(.apiTokenCreated).first?.actorKind, "system")
    }

    func testACustomerAdministratorMakesTokensOnlyForTheirOwnOrganisation() async throws {
        let input = CreateAPIToken.Input(name: "Integration", scope: .write, expiresInDays: nil)
        // Not an administrator (and not a one-user organisation): nothing to manage.
        do {
            _ = try await CreateAPIToken.forPortalUser(input, portalUserId: world.anna.userId, by: world.anna, in: world.context)
            XCTFail("a plain user made a token")
        } catch let error as OperationError { XCTAssertEqual(error, .notFound) }
        try await makeAdmin(world.anna)
        let created = try await XCTUnwrapAsync(try await CreateAPIToken.forPortalUser(input, portalUserId: world.anna.userId, by: world.anna,
                                                                           in: world.context).value)
        let record = try await XCTUnwrapAsync(try await APITokenRecord.find(created.id, on: db))
        XCTAssertEqual(record.realm, .portal)
        XCTAssertEqual(record.portalUserId, world.anna.userId)
        XCTAssertNil(record.expiresAt)
        // Another organisation's user is not found, exactly like one that does not exist.
        do {
            _ = try await CreateAPIToken.forPortalUser(input, portalUserId: world.bert.userId, by: world.anna, in: world.context)
            XCTFail("a token for another organisation's user")
        } catch let error as OperationError { XCTAssertEqual(error, .notFound) }
        // …and Bert's administrator cannot revoke Anna's token.
        try await makeAdmin(world.bert)
        do {
            try await RevokeAPIToken.run(tokenId: created.id, by: world.bert, in: world.context)
            XCTFail("revoked another organisation's token")
        } catch let error as OperationError { XCTAssertEqual(error, .notFound) }
        try await RevokeAPIToken.run(tokenId: created.id, by: world.anna, in: world.context)
        let revoked = try await XCTUnwrapAsync(try await APITokenRecord.find(created.id, on: db))
        XCTAssertNotNil(revoked.revokedAt)
        XCTAssertFalse(revoked.isUsable(at: world.context.now))
        same(try await audit(.apiTokenRevoked).count, 1)
        same(try await audit(.apiTokenRevoked).first?.actorKind, "portal")
        // Twice is "already done", with no second audit line.
        do {
            try await RevokeAPIToken.run(tokenId: created.id, by: admin, in: world.context)
            XCTFail("revoked twice")
        } catch let error as OperationError { XCTAssertEqual(error, .alreadyDone) }
        same(try await audit(.apiTokenRevoked).count, 1)
    }

    func testAnExpiredTokenIsNotUsable() async throws {
        let input = CreateAPIToken.Input(name: "Kort", scope: .read, expiresInDays: 1)
        let created = try await XCTUnwrapAsync(try await CreateAPIToken.forStaff(input, staffUserId: admin.staffId, role: nil,
                                                                      by: .admin(admin), in: world.context).value)
        let record = try await XCTUnwrapAsync(try await APITokenRecord.find(created.id, on: db))
        XCTAssertTrue(record.isUsable(at: world.context.now.addingTimeInterval(86_399)))
        XCTAssertFalse(record.isUsable(at: world.context.now.addingTimeInterval(86_401)))
    }
}

func XCTUnwrapAsync<T>(_ value: T?, file: StaticString = #filePath, line: UInt = #line) async throws -> T {
    try XCTUnwrap(value, file: file, line: line)
}
/// XCTAssertEqual for values computed with `await` (XCTest's autoclosures cannot await).
func same<T: Equatable>(_ a: T, _ b: T, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a, b, message, file: file, line: line)
}

func isNil<T>(_ a: T?, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertNil(a, message, file: file, line: line)
}

