import CaseportBenchData
import CaseportCore
import CaseportStore
import CaseportTestSupport
@testable import CaseportWeb
import Foundation
import NIOCore
import Vapor
import XCTest

/// A measurement, not a test: what a page costs to serve (the whole request) and, where it is still a
/// template, to render (Leaf alone): the portal list (a user who sees 60 cases, 25 on a page) and the
/// staff list (50 rows on a page) and the back office's case page, all written in Swift (no Leaf render left to time). Skipped unless CASEPORT_MEASURE_RENDER=1:
///
///     CASEPORT_MEASURE_RENDER=1 swift test --skip-build --filter RenderCostMeasurement
///
/// It prints medians and p90s in milliseconds; docs/PERFORMANCE.md keeps the figures. The Leaf time is
/// taken by a view renderer wrapped around the app's own, so it holds whatever the page contexts and
/// templates look like; the portal list's kept-HTML cache is bypassed with a throw-away query item.
final class RenderCostMeasurement: XCTestCase {
    func testCaseListRenderCost() async throws {
        guard ProcessInfo.processInfo.environment["CASEPORT_MEASURE_RENDER"] == "1" else {
            throw XCTSkip("a measurement; set CASEPORT_MEASURE_RENDER=1 to run it")
        }
        let runs = Int(ProcessInfo.processInfo.environment["CASEPORT_MEASURE_RUNS"] ?? "") ?? 200
        let harness = try await WebHarness(loadDemo: false)
        let timings = RenderTimings()
        let inner = harness.app.view
        harness.app.views.use { _ in TimingRenderer(inner: inner, timings: timings) }
        do {
            // Two customers' worth of benchmark data: customer 1 (the bench user's) gets 60 of the 120 cases.
            try await BenchmarkData.seed(.init(customers: 2, cases: 120),
                                         passwordHash: try await harness.app.caseport.passwords.hash("Bench1234"),
                                         on: harness.app.db) { _ in }
            let portal = harness.browser()
            try await portal.portalLogin("bench1", "bench", password: "Bench1234")
            let staff = harness.browser()
            try await staff.staffLogin("handler1@bench.example", password: "Bench1234")

            var report: [String] = ["runs: \(runs) each, debug build"]
            // Both lists are written in Swift since issue 17 (session 17), the back office's case page since
            // session 21: no Leaf render to time (nil).
            let list = try await staff.get("/staff/cases").body.string
            let caseNumber = try XCTUnwrap(list.firstMatch(of: /href="\/staff\/cases\/(\d+)"/)?.1)
            for (name, browser, path, template) in [
                ("portal /cases (25 of 60 rows)", portal, "/cases?page=1&measure=", nil),
                ("staff /staff/cases (50 rows)", staff, "/staff/cases?page=1&measure=", nil),
                ("staff /staff/cases/\(caseNumber)", staff, "/staff/cases/\(caseNumber)?measure=", nil),
            ] as [(String, Browser, String, String?)] {
                var leaf: [Double] = [], leafCPU: [Double] = [], whole: [Double] = [], wholeCPU: [Double] = []
                for run in 0..<(runs + 10) {
                    timings.reset()
                    let cpu0 = Self.processCPU(), wall0 = DispatchTime.now().uptimeNanoseconds
                    let response = try await browser.get(path + String(run))
                    let wall = Double(DispatchTime.now().uptimeNanoseconds - wall0) / 1e6, cpu = Self.processCPU() - cpu0
                    XCTAssertEqual(response.status, .ok)
                    guard run >= 10 else { continue }  // warm-up
                    let rendered = template.flatMap { timings.take($0) }
                    XCTAssertEqual(rendered == nil, template == nil, "\(template ?? "no template") rendered or not as expected")
                    leaf.append(rendered?.wall ?? 0)
                    leafCPU.append(rendered?.cpu ?? 0)
                    whole.append(wall)
                    wholeCPU.append(cpu)
                }
                report.append(String(format: "%@: Leaf render %.2f ms median (p90 %.2f), CPU %.2f ms; whole request %.2f ms median (p90 %.2f), CPU %.2f ms",
                                     name, Self.median(leaf), Self.p90(leaf), Self.median(leafCPU),
                                     Self.median(whole), Self.p90(whole), Self.median(wholeCPU)))
            }
            print("RENDER COST\n" + report.joined(separator: "\n"))
        } catch {
            try await harness.shutdown()
            throw error
        }
        try await harness.shutdown()
    }

    static func processCPU() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) * 1000 + Double(time.tv_nsec) / 1e6
    }

    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
    static func p90(_ values: [Double]) -> Double { values.sorted()[values.count * 9 / 10] }
}

/// Wall and process-CPU milliseconds of each template rendered during one request.
final class RenderTimings: @unchecked Sendable {
    private let lock = NSLock()
    private var byTemplate: [String: (wall: Double, cpu: Double)] = [:]

    func reset() { lock.withLock { byTemplate = [:] } }
    func add(_ name: String, wall: Double, cpu: Double) {
        lock.withLock {
            let before = byTemplate[name] ?? (0, 0)
            byTemplate[name] = (before.wall + wall, before.cpu + cpu)
        }
    }
    func take(_ name: String) -> (wall: Double, cpu: Double)? { lock.withLock { byTemplate[name] } }
}

/// The app's renderer with a stopwatch around each render (context encoding + Leaf serialisation).
struct TimingRenderer: ViewRenderer {
    let inner: any ViewRenderer
    let timings: RenderTimings

    func `for`(_ request: Request) -> any ViewRenderer {
        TimingRenderer(inner: inner.for(request), timings: timings)
    }

    func render<E: Encodable>(_ name: String, _ context: E) -> EventLoopFuture<View> {
        let cpu0 = RenderCostMeasurement.processCPU(), wall0 = DispatchTime.now().uptimeNanoseconds
        return inner.render(name, context).map { view in
            timings.add(name, wall: Double(DispatchTime.now().uptimeNanoseconds - wall0) / 1e6,
                        cpu: RenderCostMeasurement.processCPU() - cpu0)
            return view
        }
    }
}
