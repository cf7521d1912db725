import CaseportCore
import CaseportOperations
import CaseportStore
import CaseportTestSupport
import FluentKit
import XCTest

/// Staff accounts (D1) below HTTP, on both databases: creating, editing under the last-admin rule,
/// the administrator's own password, and the one-time set-password link.
final class StaffAccountOperationsTests: XCTestCase {
    var harness: StoreHarness!
    var world: OperationWorld!
    var admin: StaffActor!
    var db: any Database { world.db }

    override func setUp() async throws {
        harness = try await StoreHarness()
        world = try await OperationWorld.build(on: harness.database)
        world.context.notifications = OperationWorld.notifications(adding: [
            "mail_staff_login_details_subject": "Welcome {name}",
            "mail_staff_login_details_body": "Choose a password for {email}: {link}",
        ])
        let record = StaffUserRecord(email: "admin@example.com", name: "Maria Admin", role: .admin, passwordHash: "plain:Admin123")
        try await record.create(on: db)
        admin = StaffActor(staffId: try record.requireID(), name: record.name, isAdmin: true)
    }

    override func tearDown() async throws { await harness.shutdown() }

    func audit(_ action: AuditAction) async throws -> [AuditEventRecord] {
        try await AuditEventRecord.query(on: db).filter(\.$action == action.rawValue).sort(\.$id).all()
    }

    func create(name: String = "Sara Ny", email: String = "sara@example.com", role: String = "handler", password: String = "Secret12",
                confirm: String? = nil, sendLink: Bool = false) async throws -> Outcome<Int, StaffAccountField> {
        try await CreateStaffUser.run(.init(name: name, email: email, role: role, password: password, passwordConfirm: confirm ?? password,
                                            sendLink: sendLink, language: .en),
                                      by: admin, passwords: PlainPasswords(), in: world.context)
    }

    func update(_ id: Int, by actor: StaffActor? = nil, name: String, email: String, role: StaffRole, active: Bool = true,
                password: String = "", current: String = "", sendLink: Bool = false) async throws -> Outcome<UpdateStaffUser.Updated, StaffAccountField> {
        try await UpdateStaffUser.run(.init(staffUserId: id, name: name, email: email, role: role.rawValue, isActive: active,
                                            password: password, passwordConfirm: password, currentPassword: current, sendLink: sendLink,
                                            language: .en),
                                      by: actor ?? admin, passwords: PlainPasswords(), in: world.context)
    }

    func testCreatingChecksEveryFieldAndWritesNothingOnAProblem() async throws {
        var problems = try await create(name: " ", email: "not-an-address", role: "boss", password: "short").problems
        XCTAssertEqual(problems?[.name], ProblemKey.required)
        XCTAssertEqual(problems?[.email], ProblemKey.invalidEmail)
        XCTAssertEqual(problems?[.role], ProblemKey.required)
        XCTAssertEqual(problems?.all(.password), ["password_too_short", "password_needs_digit", "password_needs_uppercase"])
        problems = try await create(email: " HANDLER@example.com ").problems
        XCTAssertEqual(problems?[.email], "staff_users_error_email_taken", "addresses are unique however they are typed")
        problems = try await create(password: "").problems
        XCTAssertEqual(problems?[.password], "staff_users_error_password_or_link")
        problems = try await create(confirm: "Secret13").problems
        XCTAssertEqual(problems?[.passwordConfirm], "password_mismatch")
        let count = try await StaffUserRecord.query(on: db).count()
        XCTAssertEqual(count, 2)
        let lines = try await AuditEventRecord.query(on: db).count()
        XCTAssertEqual(lines, 0)
    }

    func testCreatingWithAPasswordOrALink() async throws {
        let idOutcome = try await create(name: " Sara Ny ")

        let id = try XCTUnwrap(idOutcome.value)
        let sara = try await StaffUserRecord.find(id, on: db)!
        XCTAssertEqual(sara.name, "Sara Ny")
        XCTAssertEqual(sara.role, .handler)
        XCTAssertEqual(sara.passwordHash, "plain:Secret12")

        let linaIdOutcome = try await create(name: "Lina Länk", email: "lina@example.com", role: "admin", password: "",
                                                    sendLink: true)


        let linaId = try XCTUnwrap(linaIdOutcome.value)
        let lina = try await StaffUserRecord.find(linaId, on: db)!
        XCTAssertEqual(lina.role, .admin)
        XCTAssertGreaterThan(lina.passwordHash.count, "plain:".count + 20, "a random secret until the link is used")
        let mail = try await OutboxRecord.query(on: db).filter(\.$kind == "staff_login_details").all()
        XCTAssertEqual(mail.map(\.recipient), ["lina@example.com"])
        XCTAssertEqual(mail.first?.subject, "Welcome Lina Länk")
        XCTAssertEqual(mail.first?.language, "en", "the administrator's language")
        XCTAssertTrue(mail.first?.body.contains("https://portal.example.com/staff/password/set?token=") ?? false)

        let lines = try await audit(.accessChanged)
        XCTAssertEqual(lines.map(\.subject), ["staff user \(id) sara@example.com", "staff user \(linaId) lina@example.com"])
        XCTAssertEqual(lines.map(\.details), ["created, role: handler", "created, role: admin, set-password link sent"])
        XCTAssertEqual(lines.first?.actorName, "Maria Admin")
    }

    func testAnEditWritesRoleActivityAndDataLinesAndDeactivationEndsSessions() async throws {
        let idOutcome = try await create()

        let id = try XCTUnwrap(idOutcome.value)
        let session = try await Sessions(database: db).start(realm: .staff, userId: id)
        _ = try await update(id, name: "Sara Nyberg", email: "sara@example.com", role: .admin)
        let stillIn = try await Sessions(database: db).userId(token: session, realm: .staff)
        XCTAssertEqual(stillIn, id, "a role change alone keeps the session")
        let done = try await update(id, name: "Sara Nyberg", email: "sara.n@example.com", role: .admin, active: false).value
        XCTAssertEqual(done?.ownPasswordChanged, false)
        let sara = try await StaffUserRecord.find(id, on: db)!
        XCTAssertFalse(sara.isActive)
        XCTAssertEqual(sara.emailKey, "sara.n@example.com")
        let out = try await Sessions(database: db).userId(token: session, realm: .staff)
        XCTAssertNil(out, "deactivation ends the account's sessions")

        let roles = try await audit(.roleChanged)
        XCTAssertEqual(roles.map(\.details), ["handler → admin"])
        let data = try await audit(.masterDataChanged)
        XCTAssertEqual(data.map(\.details), ["name: Sara Ny → Sara Nyberg", "email: sara@example.com → sara.n@example.com"])
        XCTAssertEqual(data.last?.subject, "staff user \(id) sara.n@example.com", "named by the new address")
        let access = try await audit(.accessChanged)
        XCTAssertEqual(access.map(\.details), ["created, role: handler", "deactivated"])

        // A fresh link to an inactive account is not sent.
        _ = try await update(id, name: "Sara Nyberg", email: "sara.n@example.com", role: .admin, active: false, sendLink: true)
        let mails = try await OutboxRecord.query(on: db).count()
        XCTAssertEqual(mails, 0)
        do {
            _ = try await update(9_999, name: "X", email: "x@example.com", role: .handler)
            XCTFail("no such account")
        } catch let error as OperationError {
            XCTAssertEqual(error, .notFound)
        }
    }

    func testTheLastAdminStaysAndNobodyDeactivatesThemself() async throws {
        var problems = try await update(admin.staffId, name: "Maria Admin", email: "admin@example.com", role: .handler).problems
        XCTAssertEqual(problems?[.role], StaffAccountRule.Problem.lastAdmin.rawValue)
        problems = try await update(admin.staffId, name: "Maria Admin", email: "admin@example.com", role: .admin, active: false).problems
        XCTAssertEqual(problems?[.isActive], StaffAccountRule.Problem.selfDeactivation.rawValue)
        let me = try await StaffUserRecord.find(admin.staffId, on: db)!
        XCTAssertEqual(me.role, .admin)
        XCTAssertTrue(me.isActive)
        let lines = try await AuditEventRecord.query(on: db).count()
        XCTAssertEqual(lines, 0, "a refused edit writes nothing")

        // Another administrator may not deactivate the last one either …
        let otherIdOutcome = try await create(name: "Olle", email: "olle@example.com", role: "handler")

        let otherId = try XCTUnwrap(otherIdOutcome.value)
        let other = StaffActor(staffId: otherId, name: "Olle", isAdmin: false)
        problems = try await update(admin.staffId, by: other, name: "Maria Admin", email: "admin@example.com", role: .admin,
                                    active: false).problems
        XCTAssertEqual(problems?[.role], StaffAccountRule.Problem.lastAdmin.rawValue)
        // … but with a second administrator, demoting oneself is allowed.
        _ = try await update(otherId, name: "Olle", email: "olle@example.com", role: .admin)
        let demoted = try await update(admin.staffId, name: "Maria Admin", email: "admin@example.com", role: .handler).value
        XCTAssertNotNil(demoted)
        let after = try await StaffUserRecord.find(admin.staffId, on: db)!
        XCTAssertEqual(after.role, .handler)
    }

    func testAnAdministratorsOwnPasswordNeedsTheCurrentOneAndRenewsTheSession() async throws {
        let wrong = try await update(admin.staffId, name: "Maria Admin", email: "admin@example.com", role: .admin,
                                     password: "Newpass1", current: "Wrong123").problems
        XCTAssertEqual(wrong?[.currentPassword], "password_current_wrong")
        let missing = try await update(admin.staffId, name: "Maria Admin", email: "admin@example.com", role: .admin,
                                       password: "Newpass1").problems
        XCTAssertEqual(missing?[.currentPassword], "password_current_wrong")
        let session = try await Sessions(database: db).start(realm: .staff, userId: admin.staffId)
        let link = try await StaffAccountTokens(database: db).issue(staffUserId: admin.staffId)
        let done = try await update(admin.staffId, name: "Maria Admin", email: "admin@example.com", role: .admin,
                                    password: "Newpass1", current: "Admin123").value
        XCTAssertEqual(done?.ownPasswordChanged, true)
        let me = try await StaffUserRecord.find(admin.staffId, on: db)!
        XCTAssertEqual(me.passwordHash, "plain:Newpass1")
        let ended = try await Sessions(database: db).userId(token: session, realm: .staff)
        XCTAssertNil(ended)
        let linkValid = try await StaffAccountTokens(database: db).isValid(token: link)
        XCTAssertFalse(linkValid, "a password set here voids older links")
        let data = try await audit(.masterDataChanged)
        XCTAssertEqual(data.map(\.details), ["password set"])

        // Another account's password needs no current one.
        let idOutcome = try await create()

        let id = try XCTUnwrap(idOutcome.value)
        let other = try await update(id, name: "Sara Ny", email: "sara@example.com", role: .handler, password: "Other123").value
        XCTAssertEqual(other?.ownPasswordChanged, false)
    }

    func testASetPasswordLinkWorksOnceAndSpeaksForTheAccount() async throws {
        let idOutcome = try await create(name: "Lina Länk", email: "lina@example.com", password: "", sendLink: true)

        let id = try XCTUnwrap(idOutcome.value)
        let body = try await OutboxRecord.query(on: db).filter(\.$kind == "staff_login_details").first()!.body
        let token = try XCTUnwrap(body.components(separatedBy: "token=").last)
        let session = try await Sessions(database: db).start(realm: .staff, userId: id)

        let weak = try await SetStaffPassword.run(.init(token: token, password: "weak", passwordConfirm: "weak"),
                                                  passwords: PlainPasswords(), in: world.context).problems
        XCTAssertEqual(weak?.all(.password), ["password_too_short", "password_needs_digit", "password_needs_uppercase"])
        let mismatch = try await SetStaffPassword.run(.init(token: token, password: "Secret12", passwordConfirm: "Secret21"),
                                                      passwords: PlainPasswords(), in: world.context).problems
        XCTAssertEqual(mismatch?[.passwordConfirm], "password_mismatch")
        let stillValid = try await StaffAccountTokens(database: db).isValid(token: token)
        XCTAssertTrue(stillValid, "a problem does not use the link up")

        let done = try await SetStaffPassword.run(.init(token: token, password: "Secret12", passwordConfirm: "Secret12"),
                                                  passwords: PlainPasswords(), in: world.context).value
        XCTAssertEqual(done, id)
        let lina = try await StaffUserRecord.find(id, on: db)!
        XCTAssertEqual(lina.passwordHash, "plain:Secret12")
        let ended = try await Sessions(database: db).userId(token: session, realm: .staff)
        XCTAssertNil(ended)
        let line = try await audit(.accessChanged).last
        XCTAssertEqual(line?.details, "password chosen with a set-password link")
        XCTAssertEqual(line?.actorName, "Lina Länk")
        XCTAssertEqual(line?.subject, "staff user \(id) lina@example.com")
        do {
            _ = try await SetStaffPassword.run(.init(token: token, password: "Other123", passwordConfirm: "Other123"),
                                               passwords: PlainPasswords(), in: world.context)
            XCTFail("the link works once")
        } catch let error as OperationError {
            XCTAssertEqual(error, .notFound)
        }
    }
}
