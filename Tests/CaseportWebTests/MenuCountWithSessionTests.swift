@testable import CaseportWeb
import CaseportCore
import CaseportStore
import Fluent
import Vapor
import XCTest

/// Issue 17 (session 30): the portal menu's "needs your action" is counted in the session's own statement when
/// this server knows whose session it is and does not keep the count; a count made for anyone but the
/// session's user is dropped.
final class MenuCountWithSessionTests: XCTestCase {
    var harness: WebHarness!
    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws { try await harness.shutdown() }

    func user(_ username: String) async throws -> PortalUserRecord {
        let found = try await PortalUserRecord.query(on: harness.app.db).filter(\.$username == username).first()
        return try XCTUnwrap(found)
    }

    /// The count as the rule gives it, read apart from the pages.
    func independentCount(_ username: String) async throws -> Int {
        let viewer = try await PortalViewers.viewer(for: try await user(username), on: harness.app.db)
        return try await VisibleCases(database: harness.app.db).count(for: CaseVisibility(for: viewer), filter: PageFrame.needsActionFilter)
    }

    func pageRequest(_ method: HTTPMethod = .GET, accept: String = "text/html") -> Request {
        Request(application: harness.app, method: method, headers: ["Accept": accept], on: harness.app.eventLoopGroup.next())
    }

    func testTheSessionsStatementCountsOnceTheServerKnowsWhoseSessionItIs() async throws {
        let services = harness.app.caseport
        let annaId = try await user("anna").requireID()
        let browser = harness.browser()
        _ = try await browser.portalLogin("solglantan", "anna")
        let storedId = Sessions.storedId(for: try XCTUnwrap(browser.cookies[CookieNames.portalSession]))
        _ = try await browser.get("/cases")
        XCTAssertEqual(services.sessionOwners.owner(of: storedId), annaId)
        XCTAssertNil(PortalSessionMiddleware.menuCountToAsk(pageRequest(), storedId: storedId), "kept: not asked again")

        services.counts.forget(user: annaId)
        let asked = try XCTUnwrap(PortalSessionMiddleware.menuCountToAsk(pageRequest(), storedId: storedId))
        XCTAssertEqual(asked.userId, annaId)
        XCTAssertEqual(asked.count.filter, PageFrame.needsActionFilter)
        XCTAssertNil(PortalSessionMiddleware.menuCountToAsk(pageRequest(.POST), storedId: storedId), "a write shows no menu")
        XCTAssertNil(PortalSessionMiddleware.menuCountToAsk(pageRequest(accept: "image/avif,image/webp,*/*"), storedId: storedId),
                     "a thumbnail shows no menu")
        XCTAssertNil(PortalSessionMiddleware.menuCountToAsk(pageRequest(), storedId: Sessions.storedId(for: "unknown")),
                     "a session this server has not read")

        _ = try await browser.get("/cases")
        let expected = try await independentCount("anna")
        XCTAssertEqual(browser.menuCount, expected)
        let stamp = try XCTUnwrap(services.principals.latest(for: "\(annaId)")).stamp
        XCTAssertEqual(services.counts.value(user: annaId, key: PageFrame.needsActionKey, stamp: stamp), expected, "kept again")
    }

    /// Should the server's hint name the wrong user (a session it has not seen end and another begin), the
    /// count made for that user's access is not shown or kept: the page counts for the session's own user.
    func testACountMadeForAnotherUserIsDropped() async throws {
        let services = harness.app.caseport
        let db = harness.app.db
        let annaId = try await user("anna").requireID(), fakturaId = try await user("faktura").requireID()
        // Make the two counts differ: every open case of Anna's customer waits for the customer.
        let annaUser = try await user("anna")
        let annaCustomer = annaUser.organisationId
        try await CaseRecord.query(on: db).filter(\.$customerId == annaCustomer).filter(\.$status == .open)
            .set(\.$status, to: .waitingForCustomer).update()
        let annaCount = try await independentCount("anna"), fakturaCount = try await independentCount("faktura")
        XCTAssertNotEqual(annaCount, fakturaCount)

        let anna = harness.browser(), faktura = harness.browser()
        _ = try await anna.portalLogin("solglantan", "anna")
        _ = try await faktura.portalLogin("1002", "faktura")
        _ = try await anna.get("/cases")
        _ = try await faktura.get("/cases")
        XCTAssertEqual(faktura.menuCount, fakturaCount)
        let annaSession = Sessions.storedId(for: try XCTUnwrap(anna.cookies[CookieNames.portalSession]))
        services.sessionOwners.remember(fakturaId, of: annaSession)
        services.counts.forget(user: annaId)
        services.counts.forget(user: fakturaId)
        XCTAssertEqual(PortalSessionMiddleware.menuCountToAsk(pageRequest(), storedId: annaSession)?.userId, fakturaId,
                       "the statement counts for the hinted user")

        _ = try await anna.get("/cases")
        XCTAssertEqual(anna.menuCount, annaCount, "Anna's own count")
        XCTAssertEqual(services.sessionOwners.owner(of: annaSession), annaId, "the hint is put right")
    }
}
