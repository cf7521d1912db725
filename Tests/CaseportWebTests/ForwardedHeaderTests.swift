import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import NIOCore
import Foundation
import Vapor
import XCTest

/// Issue 9, point 6: links in mail never take the host a requester sent, and X-Forwarded-* counts only
/// from configured proxies.
final class ForwardedHeaderTests: XCTestCase {
    var harness: WebHarness!

    override func setUp() async throws { harness = try await WebHarness() }
    override func tearDown() async throws { try await harness.shutdown() }

    func resetLink() async throws -> String {
        let mail = try await OutboxRecord.query(on: harness.app.db).filter(\.$kind == "password_reset").sort(\.$id, .descending).first()
        let body = try XCTUnwrap(mail?.body)
        let range = try XCTUnwrap(body.range(of: #"https?://[^\s]+"#, options: .regularExpression))
        return String(body[range])
    }

    func testALostPasswordMailNeverCarriesTheHostTheRequesterSent() async throws {
        let browser = harness.browser()
        try await browser.get("/password/forgot")
        try await browser.post("/password/forgot", ["organisation": "solglantan", "username": "anna"],
                               headers: ["Host": "evil.example", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"])
        let link = try await resetLink()
        XCTAssertFalse(link.contains("evil.example"), link)
        XCTAssertTrue(link.hasPrefix("http://127.0.0.1:"), link)
    }

    func testAConfiguredPublicAddressIsWhatLinksUse() async throws {
        try await harness.shutdown()
        harness = try await WebHarness { $0.publicURL = "https://portal.example.com" }
        let browser = harness.browser()
        try await browser.get("/password/forgot")
        try await browser.post("/password/forgot", ["organisation": "solglantan", "username": "anna"],
                               headers: ["Host": "evil.example"])
        let link = try await resetLink()
        XCTAssertTrue(link.hasPrefix("https://portal.example.com/password/set?token="), link)
    }

    func testALoopbackHostIsUsedForTheDemo() async throws {
        let browser = harness.browser()
        try await browser.get("/password/forgot")
        try await browser.post("/password/forgot", ["organisation": "solglantan", "username": "anna"],
                               headers: ["Host": "localhost:9090"])
        let link = try await resetLink()
        XCTAssertTrue(link.hasPrefix("http://localhost:9090/password/set?token="), link)
    }

    /// The in-memory test client has no trusted peer, exactly like a client on the internet.
    func testAClientCannotWriteItsOwnAddressIntoTheAuditLogOrClaimTLS() async throws {
        let browser = harness.browser()
        try await browser.get("/staff/login")
        let response = try await browser.post("/staff/login", ["email": "admin@example.com", "password": DemoData.password],
                                              headers: ["X-Forwarded-For": "6.6.6.6", "X-Forwarded-Proto": "https"])
        let line = try await AuditEventRecord.query(on: harness.app.db).sort(\.$id, .descending).first()
        XCTAssertNotEqual(line?.ip, "6.6.6.6")
        let cookie = try XCTUnwrap(response.headers[.setCookie].first { $0.hasPrefix("caseport_staff=") })
        XCTAssertFalse(cookie.contains("Secure"), "X-Forwarded-Proto from an untrusted peer does not make cookies Secure")
    }

    func request(from peer: String, headers: HTTPHeaders) throws -> Request {
        Request(application: harness.app, method: .GET, url: "/login", headers: headers,
                remoteAddress: try SocketAddress(ipAddress: peer, port: 40_000), on: harness.app.eventLoopGroup.next())
    }

    func testATrustedProxyIsBelievedAndNobodyElse() async throws {
        try await harness.shutdown()
        harness = try await WebHarness(loadDemo: false) { $0.trustedProxies = [IPAddressRange("10.0.0.0/8")!] }
        let forwarded: HTTPHeaders = ["X-Forwarded-For": "6.6.6.6, 198.51.100.7", "X-Forwarded-Proto": "https"]
        let viaProxy = try request(from: "10.0.0.2", headers: forwarded)
        XCTAssertEqual(viaProxy.clientAddress, "198.51.100.7", "the hop our proxy appended, not what the client wrote")
        XCTAssertTrue(viaProxy.cameOverTLS)
        XCTAssertTrue(viaProxy.cookie("x", maxAge: nil).isSecure)
        let direct = try request(from: "203.0.113.9", headers: forwarded)
        XCTAssertEqual(direct.clientAddress, "203.0.113.9")
        XCTAssertFalse(direct.cameOverTLS)
    }

    func testServingOnAPublicAddressNeedsThePublicURL() throws {
        var config = AppConfig(database: .sqlite(path: NSTemporaryDirectory() + "/unused.sqlite"), bcryptCost: 4, secureCookies: .auto,
                               dataDirectory: NSTemporaryDirectory())
        XCTAssertNil(config.problemServing(arguments: ["serve"]))
        XCTAssertNil(config.problemServing(arguments: ["serve", "--hostname", "127.0.0.1", "--port", "8080"]))
        XCTAssertNil(config.problemServing(arguments: ["serve", "--bind", "[::1]:8080"]))
        XCTAssertNotNil(config.problemServing(arguments: ["serve", "--hostname", "0.0.0.0"]))
        XCTAssertNotNil(config.problemServing(arguments: ["serve", "-b", "192.0.2.1:80"]))
        config.publicURL = "https://portal.example.com"
        XCTAssertNil(config.problemServing(arguments: ["serve", "--hostname", "0.0.0.0"]))
    }

    func testConfigurationReadsProxiesAndRefusesBadOnes() throws {
        let config = try AppConfig.from(environment: ["CASEPORT_TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1",
                                                      "CASEPORT_PUBLIC_URL": "https://portal.example.com/"])
        XCTAssertEqual(config.trustedProxies.count, 2)
        XCTAssertEqual(config.publicURL, "https://portal.example.com")
        XCTAssertEqual(config.delivery.publicURL, "https://portal.example.com", "one parse, shared with delivery")
        XCTAssertThrowsError(try AppConfig.from(environment: ["CASEPORT_TRUSTED_PROXIES": "10.0.0.0/8, proxy.example"]))
        XCTAssertThrowsError(try AppConfig.from(environment: ["CASEPORT_PUBLIC_URL": "https://user@evil.example"]))
    }
}
