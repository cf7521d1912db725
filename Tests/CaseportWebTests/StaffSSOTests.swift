import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Foundation
import Vapor
import XCTVapor
import XCTest

/// Issue 16, point 4: staff single sign-on against a real OpenID Connect provider on loopback
/// (scripts/oidc-test-provider.py: discovery, JWKS, code + PKCE, RS256/ES256 ID tokens).
final class StaffSSOTests: XCTestCase {
    var harness: WebHarness!
    var provider: OIDCTestProvider!

    override func setUp() async throws {
        provider = try OIDCTestProvider()
        let issuer = provider.issuer
        harness = try await WebHarness { config in
            var oidc = OIDCConfig(issuer: issuer, clientId: OIDCTestProvider.clientId, clientSecret: OIDCTestProvider.clientSecret,
                                  displayName: "Company login", createAccounts: true,
                                  adminGroups: ["caseport-admins"], handlerGroups: ["caseport-handlers"])
            // Every unknown key id may fetch the keys again here; the rate limit has its own test.
            oidc.keyRefreshInterval = 0
            config.oidc = oidc
        }
    }

    override func tearDown() async throws {
        provider?.release()
        try await harness.shutdown()
    }

    /// Runs the whole flow in `browser`: Caseport → provider → callback. Returns the callback's answer.
    @discardableResult
    func signIn(_ browser: Browser, user: [String: Any]? = nil, mode: String = "ok") async throws -> XCTHTTPResponse {
        var change: [String: Any] = ["mode": mode]
        if let user { change["user"] = user }
        try await provider.control(change)
        let start = try await browser.get("/staff/login/sso")
        XCTAssertEqual(start.status, .seeOther)
        let location = try XCTUnwrap(start.headers.first(name: .location))
        let authorize = try XCTUnwrap(URLComponents(string: location))
        let query = Dictionary(uniqueKeysWithValues: (authorize.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        XCTAssertEqual(query["code_challenge_method"], "S256")
        XCTAssertEqual(query["code_challenge"]?.count, 43)
        XCTAssertNotNil(query["nonce"])
        XCTAssertNotNil(query["state"])
        let callback = try await provider.authorize(location)
        return try await browser.get(callback.path + "?" + (callback.query ?? ""))
    }

    func signedIn(_ browser: Browser) async throws -> Bool {
        try await browser.get("/staff").status == .ok
    }

    func testALoginWorksAndCreatesTheAccountOnceMatchedByIssuerAndSubject() async throws {
        let loginPage = try await harness.browser().get("/staff/login")
        XCTAssertTrue(loginPage.body.string.contains("Company login"))

        let browser = harness.browser()
        let answer = try await signIn(browser, user: ["sub": "u-42", "email": "kim@fastighet.example", "name": "Kim Sso",
                                                     "groups": ["caseport-handlers"]])
        XCTAssertEqual(answer.status, .seeOther, answer.body.string)
        XCTAssertEqual(answer.headers.first(name: .location), "/staff")
        let awaited1 = try await signedIn(browser)
        XCTAssertTrue(awaited1)
        let awaited2 = try await StaffUserRecord.query(on: harness.app.db).filter(\.$email == "kim@fastighet.example").first()
        let staff = try XCTUnwrap(awaited2)
        XCTAssertEqual(staff.role, .handler)
        let awaited3 = try await StaffIdentityRecord.query(on: harness.app.db).first()
        let link = try XCTUnwrap(awaited3)
        XCTAssertEqual(link.issuer, provider.issuer)
        XCTAssertEqual(link.subject, "u-42")
        XCTAssertEqual(link.staffId, staff.id)

        // The same subject with a new address and an admin group: the same account, now an admin.
        let again = harness.browser()
        try await signIn(again, user: ["sub": "u-42", "email": "kim.new@fastighet.example", "name": "Kim Sso",
                                       "groups": ["caseport-admins"]])
        let awaited4 = try await signedIn(again)
        XCTAssertTrue(awaited4)
        let awaited5 = try await StaffUserRecord.query(on: harness.app.db).count()
        XCTAssertEqual(awaited5, 3, "admin, handler and Kim")
        let awaited6 = try await StaffUserRecord.find(staff.id, on: harness.app.db)?.role
        XCTAssertEqual(awaited6, .admin)

        // ES256 tokens are accepted too.
        let ec = harness.browser()
        try await signIn(ec, user: ["sub": "u-42", "groups": ["caseport-handlers"]], mode: "es256")
        let awaited7 = try await signedIn(ec)
        XCTAssertTrue(awaited7)

        // Someone in none of the mapped groups is refused; nobody with an existing address is taken over.
        let outsider = harness.browser()
        let refused = try await signIn(outsider, user: ["sub": "u-7", "email": "x@fastighet.example", "groups": ["sales"]])
        XCTAssertTrue(refused.body.string.contains("ingen grupp"), refused.body.string)
        let awaited8 = try await signedIn(outsider)
        XCTAssertFalse(awaited8)
        let takeover = harness.browser()
        try await signIn(takeover, user: ["sub": "u-8", "email": "admin@example.com", "groups": ["caseport-admins"]])
        let awaited9 = try await signedIn(takeover)
        XCTAssertFalse(awaited9)
        let audit = try await AuditEventRecord.query(on: harness.app.db).filter(\.$action == "login_succeeded").all()
        XCTAssertTrue(audit.contains { $0.details == "single sign-on" })
    }

    func testBadTokensAreRefused() async throws {
        for mode in ["wrong_aud", "expired", "bad_signature", "alg_none", "wrong_nonce"] {
            let browser = harness.browser()
            let answer = try await signIn(browser, mode: mode)
            XCTAssertEqual(answer.status, .ok, mode)
            XCTAssertTrue(answer.body.string.contains("kunde inte godkännas"), "\(mode): \(answer.body.string.prefix(300))")
            let awaited10 = try await signedIn(browser)
            XCTAssertFalse(awaited10, mode)
        }
        let awaited11 = try await StaffIdentityRecord.query(on: harness.app.db).count()
        XCTAssertEqual(awaited11, 0)
        let failures = try await AuditEventRecord.query(on: harness.app.db).filter(\.$action == "login_failed").all()
        XCTAssertEqual(failures.filter { ($0.details ?? "").hasPrefix("single sign-on: ID token") }.count, 5)
    }

    func testAStateFromAnotherBrowserOrUsedTwiceIsRefused() async throws {
        try await provider.control(["mode": "ok"])
        let mine = harness.browser()
        let start = try await mine.get("/staff/login/sso")
        let callback = try await provider.authorize(try XCTUnwrap(start.headers.first(name: .location)))
        let path = callback.path + "?" + (callback.query ?? "")
        let stateCookie = try XCTUnwrap(mine.cookies[StaffSSOController.stateCookie])
        // Another browser (without this browser's state cookie) cannot finish the login.
        let other = harness.browser()
        _ = try await other.get(path)
        let otherSignedIn = try await signedIn(other)
        XCTAssertFalse(otherSignedIn, "the state cookie is this browser's")
        let finished = try await mine.get(path)
        XCTAssertEqual(finished.status, .seeOther)
        // Replayed with the same cookie, the state is used up.
        let replay = harness.browser()
        replay.cookies[StaffSSOController.stateCookie] = stateCookie
        let again = try await replay.get(path)
        XCTAssertEqual(again.status, .ok)
        let replaySignedIn = try await signedIn(replay)
        XCTAssertFalse(replaySignedIn, "the state was used up by the first login")
    }

    func testAKeyRotationIsPickedUpWithoutARestart() async throws {
        let first = harness.browser()
        try await signIn(first)
        let awaited14 = try await signedIn(first)
        XCTAssertTrue(awaited14)
        try await provider.control(["rotate": true])
        let second = harness.browser()
        try await signIn(second)
        let awaited15 = try await signedIn(second)
        XCTAssertTrue(awaited15)
    }

    func testThePasswordLoginWorksWhileTheProviderIsDown() async throws {
        provider.stop()
        let browser = harness.browser()
        let start = try await browser.get("/staff/login/sso")
        XCTAssertEqual(start.status, .ok)
        XCTAssertTrue(start.body.string.contains("svarar inte just nu"))
        let login = try await browser.staffLogin("admin@example.com")
        XCTAssertEqual(login.status, .seeOther)
        let awaited16 = try await signedIn(browser)
        XCTAssertTrue(awaited16)
    }

    func testUnknownKeyIdsFetchTheKeysAtMostOncePerInterval() async throws {
        let fetches = Counter()
        let jwks = #"{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","x":"\#(Base64URL.encode(Data(repeating: 1, count: 32)))","y":"x"}]}"#
        var config = OIDCConfig(issuer: "https://idp.example", clientId: "c", clientSecret: "s")
        config.keyRefreshInterval = 60
        let time = TestClock(Date())
        let oidc = OIDCProvider(config: config, fetch: { uri in
            if uri.path.hasSuffix("openid-configuration") {
                return (200, Data(#"{"issuer":"https://idp.example","authorization_endpoint":"https://idp.example/a","token_endpoint":"https://idp.example/t","jwks_uri":"https://idp.example/jwks"}"#.utf8))
            }
            fetches.increment()
            return (200, Data(jwks.utf8))
        }, clock: { time.now })
        _ = try await oidc.keys(for: "unknown-1")
        _ = try await oidc.keys(for: "unknown-2")
        _ = try await oidc.keys(for: "unknown-3")
        XCTAssertEqual(fetches.value, 1)
        time.advance(61)
        _ = try await oidc.keys(for: "unknown-4")
        XCTAssertEqual(fetches.value, 2)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
