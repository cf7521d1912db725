@testable import CaseportWeb
import CaseportCore
import CaseportStore
import Fluent
import Vapor
import XCTest

/// Issue 17 (session 33): the portal case page confirms a session this server has read before in its own
/// first statement (`TrustedPortalSession`). Each test checks what the user gets and, through the tally,
/// which way the page was answered: a test that passed only because the trust was never taken proves nothing.
final class TrustedPortalSessionTests: XCTestCase {
    var harness: WebHarness!
    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws { try await harness.shutdown() }

    var tally: (confirmed: Int, unconfirmed: Int) { harness.app.caseport.sessionOwners.trustTally }

    func user(_ username: String) async throws -> PortalUserRecord {
        let found = try await PortalUserRecord.query(on: harness.app.db).filter(\.$username == username).first()
        return try XCTUnwrap(found)
    }

    func visibility(_ username: String) async throws -> CaseVisibility {
        CaseVisibility(for: try await PortalViewers.viewer(for: try await user(username), on: harness.app.db))
    }

    /// A case the first user sees and the second does not.
    func caseOnlyFor(_ username: String, not other: String) async throws -> CaseRecord {
        let mine = try await visibility(username), theirs = try await visibility(other)
        for record in try await CaseRecord.query(on: harness.app.db).sort(\.$number).all() {
            let number = record.number
            if try await VisibleCases(database: harness.app.db).find(number: number, for: mine) != nil,
               try await VisibleCases(database: harness.app.db).find(number: number, for: theirs) == nil { return record }
        }
        throw XCTSkip("the demo has no case for \(username) alone")
    }

    /// Signs in and opens the list, so that the server knows whose session it is and keeps the user.
    func signedIn(_ organisation: String, _ username: String) async throws -> Browser {
        let browser = harness.browser()
        _ = try await browser.portalLogin(organisation, username)
        let list = try await browser.get("/cases")
        XCTAssertEqual(list.status, .ok)
        return browser
    }

    func session(of browser: Browser) async throws -> CaseportStore.SessionRecord {
        let storedId = Sessions.storedId(for: try XCTUnwrap(browser.cookies[CookieNames.portalSession]))
        let found = try await CaseportStore.SessionRecord.find(storedId, on: harness.app.db)
        return try XCTUnwrap(found)
    }

    func testACaseViewIsConfirmedByItsOwnStatementWithTheMenuCount() async throws {
        let anna = try await signedIn("solglantan", "anna")
        let annaId = try await user("anna").requireID()
        let record = try await caseOnlyFor("anna", not: "faktura")
        harness.app.caseport.counts.forget(user: annaId)  // so the menu's count is read with the session
        let before = tally

        let page = try await anna.get("/cases/\(record.number)")
        XCTAssertEqual(page.status, .ok)
        XCTAssertTrue(page.body.string.contains(record.subject.escapedHTML))
        XCTAssertEqual(tally.confirmed, before.confirmed + 1, "answered on trust")
        XCTAssertEqual(tally.unconfirmed, before.unconfirmed)
        let expected = try await VisibleCases(database: harness.app.db)
            .count(for: try await visibility("anna"), filter: PageFrame.needsActionFilter)
        XCTAssertEqual(anna.menuCount, expected, "the menu's count came with the page's statement")
        let stamp = try XCTUnwrap(harness.app.caseport.principals.latest(for: "\(annaId)")).stamp
        XCTAssertEqual(harness.app.caseport.counts.value(user: annaId, key: PageFrame.needsActionKey, stamp: stamp), expected)
    }

    /// Another server signed the user out (the row is gone): neither the case page nor the list is shown, the
    /// login page is. A fresh sign-in for each, as a refused trust forgets the server's hint.
    func testAnEndedSessionSeesNoCaseAndNoList() async throws {
        let record = try await caseOnlyFor("anna", not: "faktura")
        for path in ["/cases/\(record.number)", "/cases"] {
            let anna = try await signedIn("solglantan", "anna")
            try await session(of: anna).delete(on: harness.app.db)
            let before = tally

            let page = try await anna.get(path)
            XCTAssertEqual(page.status, .seeOther, path)
            XCTAssertEqual(page.headers.first(name: .location), PortalRoute.login.path(), path)
            XCTAssertFalse(page.body.string.contains(record.subject.escapedHTML), path)
            XCTAssertEqual(tally.unconfirmed, before.unconfirmed + 1, "\(path): taken on trust, not confirmed")
            XCTAssertEqual(tally.confirmed, before.confirmed, path)
        }
    }

    /// Should the server's hint name another user, the page read with that user's access is thrown away: the
    /// session's own user gets 404 for the other user's case, and their own cases as before.
    func testAHintNamingAnotherUserShowsNothingOfTheirs() async throws {
        let anna = try await signedIn("solglantan", "anna")
        _ = try await signedIn("1002", "faktura")
        let fakturasCase = try await caseOnlyFor("faktura", not: "anna")
        let annasCase = try await caseOnlyFor("anna", not: "faktura")
        let storedId = try await session(of: anna).requireID()
        harness.app.caseport.sessionOwners.remember(try await user("faktura").requireID(), of: storedId)
        let before = tally

        let page = try await anna.get("/cases/\(fakturasCase.number)")
        XCTAssertEqual(page.status, .notFound)
        XCTAssertFalse(page.body.string.contains(fakturasCase.subject.escapedHTML))
        XCTAssertEqual(tally.unconfirmed, before.unconfirmed + 1)
        XCTAssertEqual(tally.confirmed, before.confirmed)
        let annaId = try await user("anna").requireID()
        XCTAssertEqual(harness.app.caseport.sessionOwners.owner(of: storedId), annaId, "the hint is put right")

        let own = try await anna.get("/cases/\(annasCase.number)")
        XCTAssertEqual(own.status, .ok)
        XCTAssertEqual(tally.confirmed, before.confirmed + 1, "and her next view is answered on trust")
    }

    /// A user deactivated since the server kept them (the change stamp moved): signed out, no case shown.
    func testAChangedUserIsReadAgain() async throws {
        let anna = try await signedIn("solglantan", "anna")
        let record = try await caseOnlyFor("anna", not: "faktura")
        let annaUser = try await user("anna")
        annaUser.isActive = false
        try await annaUser.save(on: harness.app.db)
        let before = tally

        let page = try await anna.get("/cases/\(record.number)")
        XCTAssertEqual(page.status, .seeOther)
        XCTAssertFalse(page.body.string.contains(record.subject.escapedHTML))
        XCTAssertEqual(tally.unconfirmed, before.unconfirmed + 1)
    }

    /// A session whose expiry is due to move forward is read the usual way, which moves it.
    func testASessionDueForItsTouchIsReadTheUsualWay() async throws {
        let anna = try await signedIn("solglantan", "anna")
        let record = try await caseOnlyFor("anna", not: "faktura")
        let row = try await session(of: anna)
        let limits = harness.app.caseport.config.sessions
        row.expiresAt = Date().timeIntervalSince1970 + limits.idle - 2 * limits.touchInterval
        try await row.save(on: harness.app.db)
        let before = tally

        let page = try await anna.get("/cases/\(record.number)")
        XCTAssertEqual(page.status, .ok)
        XCTAssertEqual(tally.unconfirmed, before.unconfirmed + 1)
        let moved = try await session(of: anna).expiresAt
        XCTAssertGreaterThan(moved, Date().timeIntervalSince1970 + limits.idle - limits.touchInterval, "moved forward")

        _ = try await anna.get("/cases/\(record.number)")
        XCTAssertEqual(tally.confirmed, before.confirmed + 1, "then on trust again")
    }

    func testACaseNumberNotFoundOnTrustIsANotFoundPage() async throws {
        let anna = try await signedIn("solglantan", "anna")
        let page = try await anna.get("/cases/987654")
        XCTAssertEqual(page.status, .notFound)
        XCTAssertTrue(anna.lastBody.contains("needs-action-link"), "the usual page, signed in")
    }

    /// The list and a search confirm the session with their rows, the menu's count with them.
    func testTheListAndASearchAreConfirmedWithTheirRows() async throws {
        let anna = try await signedIn("solglantan", "anna")
        let annaId = try await user("anna").requireID()
        let record = try await caseOnlyFor("anna", not: "faktura")
        let expected = try await VisibleCases(database: harness.app.db)
            .count(for: try await visibility("anna"), filter: PageFrame.needsActionFilter)
        let word = try XCTUnwrap(record.subject.split(separator: " ").first { $0.count >= 4 }.map(String.init))
        for path in ["/cases", "/cases?page=2", "/cases?q=\(Browser.formEncode(word))"] {
            harness.app.caseport.counts.forget(user: annaId)
            let before = tally
            let page = try await anna.get(path)
            XCTAssertEqual(page.status, .ok, path)
            XCTAssertEqual(tally.confirmed, before.confirmed + 1, "\(path) answered on trust")
            XCTAssertEqual(anna.menuCount, expected, path)
        }
        XCTAssertTrue(anna.lastBody.contains(record.subject.escapedHTML), "the search found the case")
    }

    /// A search without hits has no row to read the session from: it is read apart, the search not asked again.
    func testASearchWithoutHitsReadsTheSessionApart() async throws {
        let anna = try await signedIn("solglantan", "anna")
        let before = tally
        let page = try await anna.get("/cases?q=zzqqxxnothing")
        XCTAssertEqual(page.status, .ok)
        XCTAssertEqual(tally.confirmed, before.confirmed + 1)
        XCTAssertEqual(tally.unconfirmed, before.unconfirmed)
        XCTAssertNotNil(anna.menuCount, "signed in, with the menu")

        try await session(of: anna).delete(on: harness.app.db)
        let ended = try await anna.get("/cases?q=zzqqxxnothing")
        XCTAssertEqual(ended.status, .seeOther, "an ended session is not confirmed apart either")
        XCTAssertEqual(tally.unconfirmed, before.unconfirmed + 1)
    }
}
