@testable import CaseportWeb
import Foundation
import NIOConcurrencyHelpers
import Vapor
import XCTVapor
import XCTest

/// Issue 17, graceful stop: once a stop begins, a new request is answered 503 at once (before it can
/// touch a database about to close), and the stop waits for the requests already running.
final class GracefulStopTests: XCTestCase {
    var harness: WebHarness!

    override func setUp() async throws {
        harness = try await WebHarness(loadDemo: false)
    }

    override func tearDown() async throws {
        try await harness.shutdown()
    }

    func testAStoppingServerRefusesNewRequestsAndWaitsForTheRunningOnes() async throws {
        // A route that answers only when the test lets it: a request in flight during the stop.
        let release = NIOLockedValueBox(false)
        harness.app.get("held") { _ async -> String in
            while !release.withLockedValue({ $0 }) { try? await Task.sleep(nanoseconds: 5_000_000) }
            return "finished"
        }
        let requests = harness.app.inFlightRequests
        let browser = harness.browser()
        let held = Task { try await browser.get("/held") }
        let deadline = Date().addingTimeInterval(10)
        while requests.running < 1, Date() < deadline { try await Task.sleep(nanoseconds: 5_000_000) }
        XCTAssertEqual(requests.running, 1, "the held request is counted")

        requests.beginStopping()
        let refused = try await harness.browser().get("/login")
        XCTAssertEqual(refused.status, .serviceUnavailable)
        XCTAssertEqual(refused.headers.first(name: .connection), "close")
        XCTAssertEqual(refused.headers.first(name: .retryAfter), "1")
        XCTAssertEqual(requests.running, 1, "a refused request is not counted")

        let notYet = await requests.drained(within: 0.2)
        XCTAssertFalse(notYet, "the held request is still running")
        release.withLockedValue { $0 = true }
        let drained = await requests.drained(within: 10)
        XCTAssertTrue(drained)
        let answer = try await held.value
        XCTAssertEqual(answer.status, .ok)
        XCTAssertEqual(answer.body.string, "finished", "the request in flight was answered in full")
    }

    func testARunningServerCountsEveryRequestOut() async throws {
        let browser = harness.browser()
        for path in ["/login", "/healthz", "/no-such-page"] { try await browser.get(path) }
        XCTAssertEqual(harness.app.inFlightRequests.running, 0, "answered requests, errors included, leave the count")
    }
}
