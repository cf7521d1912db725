import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Vapor
import XCTVapor
import XCTest

/// D1 roles and staff accounts, the realms kept apart, and the E5 audit log (what is written, and the
/// admin page that lists it).
final class StaffAccountsAndAuditTests: XCTestCase {
    var harness: WebHarness!
    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws { try await harness.shutdown() }

    var db: any Database { harness.app.db }

    func staff(_ email: String) async throws -> Browser {
        let browser = harness.browser()
        let response = try await browser.staffLogin(email)
        XCTAssertEqual(response.status, .seeOther)
        return browser
    }

    func staffUser(_ email: String) async throws -> StaffUserRecord {
        try await StaffUserRecord.query(on: db).filter(\.$emailKey == email.lowercased()).first()!
    }

    func auditLines(_ action: AuditAction) async throws -> [AuditEventRecord] {
        try await AuditEventRecord.query(on: db).filter(\.$action == action.rawValue).sort(\.$id).all()
    }

    func testAHandlerGetsForbiddenOnEveryAdminPageAndPost() async throws {
        let handler = try await staff("handler@example.com")
        let adminId = try await staffUser("admin@example.com").id!
        for path in ["/staff/staff-users", "/staff/staff-users/new", "/staff/staff-users/\(adminId)", "/staff/audit", "/staff/import"] {
            let status = try await handler.get(path).status
            XCTAssertEqual(status, .forbidden, path)
        }
        try await handler.get("/staff")
        let posts: [(String, [String: String])] = [
            ("/staff/staff-users/new", ["name": "X", "email": "x@example.com", "role": "admin", "password": "Abcdef1", "password_confirm": "Abcdef1"]),
            ("/staff/staff-users/\(adminId)", ["name": "X", "email": "admin@example.com", "role": "handler", "is_active": "1"]),
            ("/staff/import", ["kind": "contacts"]),
            ("/staff/import/run", ["kind": "contacts", "upload": "x"]),
        ]
        for (path, fields) in posts {
            let status = try await handler.post(path, fields).status
            XCTAssertEqual(status, .forbidden, path)
        }
        let count = try await StaffUserRecord.query(on: db).count()
        XCTAssertEqual(count, 2, "nothing was created")
        let admin = try await staffUser("admin@example.com")
        XCTAssertEqual(admin.role, .admin, "nothing was changed")
        // The handler's menu does not offer the admin pages; the admin's does.
        try await handler.get("/staff")
        XCTAssertFalse(handler.lastBody.contains("href=\"/staff/audit\""))
        let adminBrowser = try await staff("admin@example.com")
        try await adminBrowser.get("/staff")
        XCTAssertTrue(adminBrowser.lastBody.contains("href=\"/staff/audit\""))
        XCTAssertTrue(adminBrowser.lastBody.contains("href=\"/staff/staff-users\""))
    }

    func testEachRealmRefusesTheOthersSessionWithItsOwnLoginPage() async throws {
        let portal = harness.browser()
        try await portal.portalLogin("solglantan", "anna")
        for path in ["/staff", "/staff/cases", "/staff/customers", "/staff/contacts", "/staff/portal-users", "/staff/staff-users", "/staff/audit", "/staff/import"] {
            let response = try await portal.get(path)
            XCTAssertEqual(response.status, .seeOther, path)
            XCTAssertEqual(response.headers.first(name: .location), "/staff/login", path)
        }
        try await portal.get("/cases")
        let refusedPost = try await portal.post("/staff/customers/new", ["name": "X", "short_code": "x", "customer_number": "9"])
        XCTAssertEqual(refusedPost.headers.first(name: .location), "/staff/login")
        let stillOne = try await CustomerRecord.query(on: db).filter(\.$customerNumber == "9").count()
        XCTAssertEqual(stillOne, 0)

        let admin = try await staff("admin@example.com")
        for path in ["/cases", "/cases/new", "/files", "/users"] {
            let response = try await admin.get(path)
            XCTAssertEqual(response.status, .seeOther, path)
            XCTAssertEqual(response.headers.first(name: .location), "/login", path)
        }
    }

    func testAnAdminCreatesEditsDeactivatesAndReactivatesAStaffAccount() async throws {
        let admin = try await staff("admin@example.com")
        try await admin.get("/staff/staff-users/new")
        // Bad input: everything kept, errors beside the fields, nothing written.
        let bad = try await admin.post("/staff/staff-users/new", ["name": "Sara Ny", "email": "not-an-address", "role": "handler",
                                                                   "password": "short", "password_confirm": "short"])
        XCTAssertEqual(bad.status, .unprocessableEntity)
        XCTAssertTrue(admin.lastBody.contains("value=\"Sara Ny\""))
        XCTAssertTrue(admin.lastBody.contains("value=\"not-an-address\""))
        XCTAssertTrue(admin.lastBody.contains("id=\"email-error\""))
        XCTAssertTrue(admin.lastBody.contains("id=\"pw-error\""))
        let duplicate = try await admin.post("/staff/staff-users/new", ["name": "Sara", "email": "HANDLER@example.com", "role": "handler",
                                                                         "password": "Secret12", "password_confirm": "Secret12"])
        XCTAssertEqual(duplicate.status, .unprocessableEntity)

        let created = try await admin.post("/staff/staff-users/new", ["name": "Sara Ny", "email": "sara@example.com", "role": "handler",
                                                                       "password": "Secret12", "password_confirm": "Secret12"])
        XCTAssertEqual(created.status, .seeOther)
        let sara = try await staffUser("sara@example.com")
        XCTAssertEqual(sara.role, .handler)
        let saraBrowser = harness.browser()
        let login = try await saraBrowser.staffLogin("sara@example.com", password: "Secret12")
        XCTAssertEqual(login.headers.first(name: .location), "/staff")

        try await admin.get("/staff/staff-users/\(sara.id!)")
        let promoted = try await admin.post("/staff/staff-users/\(sara.id!)", ["name": "Sara Nyberg", "email": "sara@example.com",
                                                                                "role": "admin", "is_active": "1"])
        XCTAssertEqual(promoted.status, .seeOther)
        // Issue 12 point 7: deactivating asks first; the question changes nothing.
        let asked = try await admin.post("/staff/staff-users/\(sara.id!)", ["name": "Sara Nyberg", "email": "sara@example.com", "role": "admin"])
        XCTAssertEqual(asked.status, .unprocessableEntity)
        XCTAssertTrue(admin.lastBody.contains("name=\"confirm_deactivate\""))
        let notYet = try await staffUser("sara@example.com")
        XCTAssertTrue(notYet.isActive)
        let deactivated = try await admin.post("/staff/staff-users/\(sara.id!)", ["name": "Sara Nyberg", "email": "sara@example.com", "role": "admin",
                                                                                   "confirm_deactivate": "1"])
        XCTAssertEqual(deactivated.status, .seeOther)
        let reloaded = try await staffUser("sara@example.com")
        XCTAssertEqual(reloaded.name, "Sara Nyberg")
        XCTAssertFalse(reloaded.isActive)
        let kickedOut = try await saraBrowser.get("/staff")
        XCTAssertEqual(kickedOut.headers.first(name: .location), "/staff/login", "deactivation ends the session")
        try await admin.post("/staff/staff-users/\(sara.id!)", ["name": "Sara Nyberg", "email": "sara@example.com", "role": "admin", "is_active": "1"])
        let again = try await staffUser("sara@example.com")
        XCTAssertTrue(again.isActive)

        let roleLines = try await auditLines(.roleChanged)
        XCTAssertEqual(roleLines.map { $0.details ?? "" }, ["handler → admin"])
        XCTAssertEqual(roleLines.first?.actorName, "Maria Admin")
        let access = try await auditLines(.accessChanged).compactMap(\.details)
        XCTAssertEqual(access, ["created, role: handler", "deactivated", "reactivated"])
    }

    func testANewStaffMemberChoosesAPasswordThroughAOneTimeLink() async throws {
        let admin = try await staff("admin@example.com")
        try await admin.get("/staff/staff-users/new")
        let neither = try await admin.post("/staff/staff-users/new", ["name": "Lina Länk", "email": "lina@example.com", "role": "handler"])
        XCTAssertEqual(neither.status, .unprocessableEntity, "a password or a link")
        XCTAssertTrue(admin.lastBody.contains("id=\"pw-error\""))
        let created = try await admin.post("/staff/staff-users/new", ["name": "Lina Länk", "email": "lina@example.com", "role": "handler",
                                                                       "send_link": "1"])
        XCTAssertEqual(created.status, .seeOther)
        let mail = try await OutboxRecord.query(on: db).filter(\.$kind == "staff_login_details").filter(\.$recipient == "lina@example.com").first()
        let body = try XCTUnwrap(mail?.body)
        XCTAssertTrue(body.contains("/staff/password/set?token="))
        let token = String(try XCTUnwrap(body.components(separatedBy: "token=").last?.prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }))

        let lina = harness.browser()
        let noPassword = try await lina.staffLogin("lina@example.com", password: "")
        XCTAssertNotEqual(noPassword.headers.first(name: .location), "/staff")
        let bad = try await lina.get("/staff/password/set?token=nope")
        XCTAssertEqual(bad.status, .notFound)
        try await lina.get("/staff/password/set?token=\(token)")
        let weak = try await lina.post("/staff/password/set", ["token": token, "password": "weak", "password_confirm": "weak"])
        XCTAssertEqual(weak.status, .unprocessableEntity)
        let saved = try await lina.post("/staff/password/set", ["token": token, "password": "Secret12", "password_confirm": "Secret12"])
        XCTAssertEqual(saved.status, .ok)
        let reused = try await lina.post("/staff/password/set", ["token": token, "password": "Other123", "password_confirm": "Other123"])
        XCTAssertEqual(reused.status, .notFound, "the link works once")
        let login = try await lina.staffLogin("lina@example.com", password: "Secret12")
        XCTAssertEqual(login.headers.first(name: .location), "/staff")

        // An administrator can send a fresh link later (a reset).
        let user = try await staffUser("lina@example.com")
        try await admin.get("/staff/staff-users/\(user.id!)")
        try await admin.post("/staff/staff-users/\(user.id!)", ["name": user.name, "email": user.email, "role": "handler", "is_active": "1",
                                                               "send_link": "1"])
        let mails = try await OutboxRecord.query(on: db).filter(\.$kind == "staff_login_details").count()
        XCTAssertEqual(mails, 2)
    }

    func testTheLastAdminCannotBeDemotedOrDeactivatedAndNobodyDeactivatesThemself() async throws {
        let admin = try await staff("admin@example.com")
        let me = try await staffUser("admin@example.com")
        try await admin.get("/staff/staff-users/\(me.id!)")
        let demote = try await admin.post("/staff/staff-users/\(me.id!)", ["name": me.name, "email": me.email, "role": "handler", "is_active": "1"])
        XCTAssertEqual(demote.status, .unprocessableEntity)
        XCTAssertTrue(admin.lastBody.contains("id=\"role-error\""))
        let selfOff = try await admin.post("/staff/staff-users/\(me.id!)", ["name": me.name, "email": me.email, "role": "admin"])
        XCTAssertEqual(selfOff.status, .unprocessableEntity)
        XCTAssertTrue(admin.lastBody.contains("id=\"active-error\""))
        let still = try await staffUser("admin@example.com")
        XCTAssertEqual(still.role, .admin)
        XCTAssertTrue(still.isActive)

        // With a second admin, demoting oneself is allowed (and the page then answers 403).
        let handler = try await staffUser("handler@example.com")
        try await admin.post("/staff/staff-users/\(handler.id!)", ["name": handler.name, "email": handler.email, "role": "admin", "is_active": "1"])
        let ok = try await admin.post("/staff/staff-users/\(me.id!)", ["name": me.name, "email": me.email, "role": "handler", "is_active": "1"])
        XCTAssertEqual(ok.status, .seeOther)
        let forbidden = try await admin.get("/staff/staff-users").status
        XCTAssertEqual(forbidden, .forbidden)
    }

    func testTheRuleItself() {
        XCTAssertEqual(StaffAccountRule.problem(isSelf: true, willBeActive: false, wasActiveAdmin: true, staysActiveAdmin: false, otherActiveAdmins: 3), .selfDeactivation)
        XCTAssertEqual(StaffAccountRule.problem(isSelf: false, willBeActive: false, wasActiveAdmin: true, staysActiveAdmin: false, otherActiveAdmins: 0), .lastAdmin)
        XCTAssertNil(StaffAccountRule.problem(isSelf: false, willBeActive: false, wasActiveAdmin: true, staysActiveAdmin: false, otherActiveAdmins: 1))
        XCTAssertNil(StaffAccountRule.problem(isSelf: false, willBeActive: false, wasActiveAdmin: false, staysActiveAdmin: false, otherActiveAdmins: 0))
        XCTAssertNil(StaffAccountRule.problem(isSelf: true, willBeActive: true, wasActiveAdmin: true, staysActiveAdmin: true, otherActiveAdmins: 0))
    }

    func testLoginsAreAuditedForBothRealms() async throws {
        let portal = harness.browser()
        try await portal.portalLogin("solglantan", "anna")
        for _ in 0..<5 { try await harness.browser().portalLogin("solglantan", "nobody", password: "wrong") }
        try await harness.browser().portalLogin("solglantan", "nobody", password: "wrong")
        _ = try await staff("admin@example.com")
        try await harness.browser().staffLogin("handler@example.com", password: "wrong")

        let succeeded = try await auditLines(.loginSucceeded)
        XCTAssertEqual(succeeded.map(\.actorKind), ["portal", "staff"])
        XCTAssertTrue(succeeded[0].actorName.contains("anna"))
        let failed = try await auditLines(.loginFailed)
        XCTAssertEqual(failed.count, 7, "five wrong, one while locked, one staff")
        XCTAssertEqual(failed.last?.actorName, "handler@example.com")
        XCTAssertEqual(failed.filter { $0.details == "locked" }.count, 1)
        try await portal.get("/cases")
        try await portal.post("/logout", [:])
        let logouts = try await auditLines(.logout)
        XCTAssertEqual(logouts.map(\.actorKind), ["portal"])
        let locked = try await auditLines(.accountLocked)
        XCTAssertEqual(locked.count, 1)
        XCTAssertEqual(locked.first?.actorName, "solglantan / nobody")
    }

    func testACustomerAdministratorsAccessChangesAreAudited() async throws {
        let styrelsen = try await PortalUserRecord.query(on: db).filter(\.$usernameKey == "styrelsen").first()!
        let anna = harness.browser()
        try await anna.portalLogin("solglantan", "anna")
        try await anna.get("/users/\(styrelsen.id!)")
        try await anna.post("/users/\(styrelsen.id!)", ["first_name": "Styrelsen", "last_name": "Solgläntan", "username": "styrelsen",
                                                       "is_shared": "1", "is_admin": "1", "confirm_deactivate": "1"])
        try await anna.get("/users/new")
        try await anna.post("/users/new", ["first_name": "Ny", "last_name": "Boende", "username": "nyboende", "is_active": "1",
                                           "password": "Secret12", "password_confirm": "Secret12"])
        let lines = try await auditLines(.accessChanged)
        XCTAssertEqual(lines.compactMap(\.details), ["deactivated, made administrator", "created by the customer's administrator"])
        XCTAssertEqual(lines.first?.actorKind, "portal")
        XCTAssertEqual(lines.first?.subject, "portal user \(styrelsen.id!) 1001/styrelsen")
    }

    func testTheAuditPageFiltersAndPagesOlder() async throws {
        let log = AuditLog(database: db)
        let base = Date(timeIntervalSince1970: 1_700_000_000)
        for index in 0..<120 {
            try await log.record(index.isMultiple(of: 2) ? .masterDataChanged : .settingsChanged,
                                 by: .staff(id: 1, name: index.isMultiple(of: 3) ? "Olle Tre" : "Maria Admin"),
                                 subject: "thing \(index)", at: base.addingTimeInterval(Double(index) * 3_600))
        }
        let admin = try await staff("admin@example.com")
        try await admin.get("/staff/audit")
        var ids = Self.auditIds(admin.lastBody)
        XCTAssertEqual(ids.count, 50)
        XCTAssertEqual(ids, ids.sorted(by: >), "newest first")
        XCTAssertTrue(admin.lastBody.contains("Inloggning"), "the admin's own login is the newest line")
        // Older pages by keyset until the end.
        var seen = Set(ids)
        var body = admin.lastBody
        while let range = body.range(of: #"href="(/staff/audit\?[^"]*before=\d+)""#, options: .regularExpression) {
            let link = String(body[range]).dropFirst(6).dropLast().replacingOccurrences(of: "&amp;", with: "&")
            try await admin.get(String(link))
            body = admin.lastBody
            ids = Self.auditIds(body)
            XCTAssertTrue(seen.isDisjoint(with: ids))
            seen.formUnion(ids)
        }
        let total = try await AuditEventRecord.query(on: db).count()
        XCTAssertEqual(seen.count, total, "paging reaches every line exactly once")

        try await admin.get("/staff/audit?action=master_data_changed&q=olle")
        ids = Self.auditIds(admin.lastBody)
        XCTAssertEqual(ids.count, 20, "even and a multiple of three: 0, 6, … 114")
        try await admin.get("/staff/audit?q=thing%2011&from=2023-11-14&to=2023-11-20")
        let rows = Self.auditIds(admin.lastBody)
        XCTAssertFalse(rows.isEmpty)
        XCTAssertTrue(admin.lastBody.contains("thing 11"))
        try await admin.get("/staff/audit?from=14-11-2023")
        XCTAssertTrue(admin.lastBody.contains("id=\"date-error\""))
        XCTAssertTrue(admin.lastBody.contains("value=\"14-11-2023\""), "the typed value is kept")
    }

    static func auditIds(_ body: String) -> [Int] {
        var ids: [Int] = []
        var rest = Substring(body)
        while let range = rest.range(of: "data-audit-id=\"") {
            rest = rest[range.upperBound...]
            if let id = Int(rest.prefix { $0.isNumber }) { ids.append(id) }
        }
        return ids
    }
}
