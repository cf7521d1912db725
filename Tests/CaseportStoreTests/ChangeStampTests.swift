import CaseportStore
import FluentKit
import SQLKit
import XCTest

/// The change stamp (M014, narrowed by M039) rises with every change to the master data and settings
/// that portal values are kept from, and only then: a case, a message, a read marker or a sign-in
/// leaves it (and so every server's kept values) alone.
final class ChangeStampTests: StoreTestCase {
    func testCasesMessagesAndReadsLeaveTheStampAlone() async throws {
        let customer = try await make.customer("5001")
        let berit = try await make.authors().staff  // makes a portal user and a handler: master data
        let before = try await ChangeStamp.current(on: db)
        let record = try await make.case("Fall", customer: customer)
        try await CaseConversation(database: db).add(caseId: record.id!, author: berit, body: "Hej")
        let sql = try XCTUnwrap(db as? any SQLDatabase)
        try await sql.raw("UPDATE cases SET subject = 'Ändrad' WHERE id = \(bind: record.id!)").run()
        _ = try await CaseRecord.query(on: db).all()
        _ = try await StaffCases(database: db).page(.init(), offset: 0, limit: 10)
        let after = try await ChangeStamp.current(on: db)
        XCTAssertEqual(after, before, "case writes no longer empty every kept value on every server")
    }

    func testMasterDataAndSettingsRaiseTheStamp() async throws {
        let customer = try await make.customer("5002")
        let start = try await ChangeStamp.current(on: db)
        let sql = try XCTUnwrap(db as? any SQLDatabase)
        try await sql.raw("UPDATE customers SET name = 'Nytt namn' WHERE id = \(bind: customer.id!)").run()
        let afterCustomer = try await ChangeStamp.current(on: db)
        XCTAssertGreaterThan(afterCustomer, start)
        let user = try await make.portalUser("stampa", of: customer)
        let afterUser = try await ChangeStamp.current(on: db)
        XCTAssertGreaterThan(afterUser, afterCustomer, "a new portal user")
        try await sql.raw("UPDATE portal_users SET language = 'en' WHERE id = \(bind: user.id!)").run()
        let afterLanguage = try await ChangeStamp.current(on: db)
        XCTAssertGreaterThan(afterLanguage, afterUser, "the user's own record is kept with the user")
    }

    func testASignInTimeAloneLeavesTheStampAlone() async throws {
        let customer = try await make.customer("5003")
        let user = try await make.portalUser("stampb", of: customer)
        user.lastLoginAt = Date()
        let signIn = try await movesTheStamp { try await user.save(on: self.db) }
        XCTAssertFalse(signIn, "last_login_at is written at every sign-in and kept nowhere")
        user.firstName = "Stina"
        let rename = try await movesTheStamp { try await user.save(on: self.db) }
        XCTAssertTrue(rename)
    }

    /// The handlers offered on back-office pages are kept at the stamp (M053): a new account, a new name and an
    /// account made inactive raise it; a sign-in or a new password does not.
    func testStaffNamesAndActivityRaiseTheStampASignInDoesNot() async throws {
        var handler: StaffUserRecord?
        let added = try await movesTheStamp { handler = try await self.make.staff("Stig Stämpel") }
        XCTAssertTrue(added, "a new staff account")
        let account = try XCTUnwrap(handler)
        account.lastLoginAt = Date()
        account.passwordHash = "ny-hash"
        let signIn = try await movesTheStamp { try await account.save(on: self.db) }
        XCTAssertFalse(signIn, "a sign-in and a password are kept nowhere")
        account.name = "Stig Stämpelsson"
        let renamed = try await movesTheStamp { try await account.save(on: self.db) }
        XCTAssertTrue(renamed, "the name is offered as a handler")
        account.isActive = false
        let deactivated = try await movesTheStamp { try await account.save(on: self.db) }
        XCTAssertTrue(deactivated, "an inactive account is no longer offered")
    }

    /// Whether `write` moves the change stamp.
    private func movesTheStamp(_ write: () async throws -> Void) async throws -> Bool {
        let before = try await ChangeStamp.current(on: db)
        try await write()
        return try await ChangeStamp.current(on: db) > before
    }
}
