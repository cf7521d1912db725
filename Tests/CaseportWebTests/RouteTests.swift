@testable import CaseportWeb
import Foundation
import LeafKit
import Vapor
import XCTest

/// Typed routes (issue 10, item 3): the route types are the app's route list, every built path is
/// matched back to the same route and parameters, and no path is written anywhere else.
final class RouteTests: XCTestCase {
    var harness: WebHarness!
    override func setUp() async throws { harness = try await WebHarness(loadDemo: false) }
    override func tearDown() async throws { try await harness.shutdown() }

    static let sourceRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The JSON API's generated routes are the OpenAPI document's paths, not route-type cases:
    /// `APITests.testTheRegisteredAPIRoutesAreTheDocumentsPaths` holds them.
    func testTheRegisteredRoutesAreExactlyTheRouteTypesRoutes() {
        let registered = harness.app.routes.all
            .filter { ($0.userInfo[routeNameKey] as? String)?.hasPrefix(APIRoutes.generatedNamePrefix) != true }
            .map { "\($0.method.rawValue) /\($0.path.string)" }
        let typed = AppRoutes.all.map { "\($0.method.rawValue) \($0.pattern == "/" ? "/" : $0.pattern)" }
        XCTAssertEqual(registered.sorted(), typed.sorted())
        XCTAssertEqual(Set(typed).count, typed.count, "two route names for one method and path")
        let unnamed = harness.app.routes.all.filter { $0.userInfo[routeNameKey] == nil }.map { "\($0.method) /\($0.path.string)" }
        XCTAssertEqual(unnamed, [], "registered without its route type")
    }

    /// Every route's built path, with distinct parameter values, is matched by a router holding the
    /// app's registered routes — registered in reverse order, so order cannot matter — to the same
    /// route with the same parameters.
    func testEveryRouteRoundTripsThroughTheRouter() {
        let router = TrieRouter(String.self)
        for route in harness.app.routes.all.reversed() {
            router.register(route.userInfo[routeNameKey] as? String ?? "?", at: [.constant(route.method.rawValue)] + route.path)
        }
        for (index, route) in AppRoutes.all.enumerated() {
            let names = route.pattern.split(separator: "/").filter { $0.hasPrefix(":") }.map { String($0.dropFirst()) }
            // Values that look like what real links carry, including ones that resemble constant segments.
            let values = names.enumerated().map { offset, _ in offset == 0 && index % 2 == 0 ? "new" : String(100 + index * 3 + offset) }
            guard let path = AppRoutes.path(named: route.name, values) else {
                XCTFail("\(route.name): no path built"); continue
            }
            var parameters = Parameters()
            let segments = [route.method.rawValue] + path.split(separator: "/").map(String.init)
            let matched = router.route(path: segments, parameters: &parameters)
            if values.first == "new", matched != route.name {
                // "new" is also a constant segment (/cases/new); the router must prefer the constant.
                continue
            }
            XCTAssertEqual(matched, route.name, "\(route.method) \(path)")
            for (name, value) in zip(names, values) {
                XCTAssertEqual(parameters.get(name), value, "\(route.name): parameter \(name)")
            }
        }
    }

    func testAPathWithAQueryAndFragmentIsBuiltEscaped() {
        XCTAssertEqual(PortalRoute.case.path(42, query: ["notice": "saved", "n": nil], fragment: "files"), "/cases/42?notice=saved#files")
        XCTAssertEqual(StaffRoute.catalogueUpdate.path("categories", 7), "/staff/settings/catalogue/categories/7")
        XCTAssertEqual(PortalRoute.cases.path(query: ["q": "a&b c", "page": "2"]), "/cases?q=a%26b%20c&page=2")
        XCTAssertEqual(PortalRoute.inquiry.path("a/b"), "/inquiries/a%2Fb")
        XCTAssertNil(AppRoutes.path(named: "portal.nothing", []))
        XCTAssertNil(AppRoutes.path(named: "portal.case", []))
    }

    /// The tag in a real Leaf render: a link for a known route, a failed render for an unknown name,
    /// a wrong parameter count or an empty parameter (never an empty href).
    func testTheRouteTagBuildsLinksAndFailsOnUnknownRoutes() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("route-tag-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let templates = ["good": ##"<a href="#route("staff.case", n)">"##, "unknown": ##"#route("staff.nothing")"##,
                         "count": ##"#route("staff.case")"##, "empty": ##"#route("staff.case", missing)"##]
        for (name, text) in templates {
            try text.write(to: directory.appendingPathComponent(name + ".leaf"), atomically: true, encoding: .utf8)
        }
        let renderer = LeafRenderer(
            configuration: LeafConfiguration(rootDirectory: directory.path), tags: ["route": RouteTag()],
            sources: .singleSource(NIOLeafFiles(fileio: harness.app.fileio, sandboxDirectory: directory.path, viewDirectory: directory.path)),
            eventLoop: harness.app.eventLoopGroup.next())
        let good = try renderer.render(path: "good", context: ["n": .int(12)]).wait()
        XCTAssertEqual(String(buffer: good), ##"<a href="/staff/cases/12">"##)
        for name in ["unknown", "count", "empty"] {
            XCTAssertThrowsError(try renderer.render(path: name, context: [:]).wait(), name)
        }
    }

    /// scripts/fuzz-http.py keeps its own copy of the route list (it must equal `caseport routes`).
    func testTheFuzzersRouteListIsTheAppsRouteList() throws {
        let script = try String(contentsOf: Self.sourceRoot.appendingPathComponent("scripts/fuzz-http.py"), encoding: .utf8)
        let block = script.components(separatedBy: "ROUTES = [")[1].components(separatedBy: "\n]")[0]
        let regex = try NSRegularExpression(pattern: #"\("([A-Z]+)", "([^"]+)"\)"#)
        let listed = regex.matches(in: block, range: NSRange(block.startIndex..., in: block)).map { match in
            "\((block as NSString).substring(with: match.range(at: 1))) \((block as NSString).substring(with: match.range(at: 2)))"
        }
        XCTAssertEqual(listed.sorted(), AppRoutes.all.map { "\($0.method.rawValue) \($0.pattern)" }.sorted())
    }

    /// No path written by hand: templates link through `#route`, handlers redirect through the route types.
    func testNoPathLiteralIsLeftInTemplatesOrRedirects() throws {
        var found: [String] = []
        let views = Self.sourceRoot.appendingPathComponent("Resources/Views")
        let literal = try NSRegularExpression(pattern: #"(href|action|formaction|src)="/(?!css/|js/)[^"]*""#)
        let tag = try NSRegularExpression(pattern: #"#route\("([^"]+)"((?:, [^)]+)?)\)"#)
        for name in try PageRenderingTests.pageTemplates(in: views) {
            let text = try String(contentsOf: views.appendingPathComponent(name + ".leaf"), encoding: .utf8)
            let ns = text as NSString
            for match in literal.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
                found.append("\(name): \(ns.substring(with: match.range))")
            }
            for match in tag.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
                let routeName = ns.substring(with: match.range(at: 1))
                let count = ns.substring(with: match.range(at: 2)).split(separator: ",").count
                if AppRoutes.path(named: routeName, Array(repeating: "1", count: count)) == nil {
                    found.append("\(name): #route(\"\(routeName)\") with \(count) parameter(s) is no route")
                }
            }
        }
        let sources = Self.sourceRoot.appendingPathComponent("Sources/CaseportWeb")
        let enumerator = FileManager.default.enumerator(atPath: sources.path)
        while let file = enumerator?.nextObject() as? String {
            guard file.hasSuffix(".swift") else { continue }
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where line.contains("redirect(to: \"") || line.contains("redirect: \"/") {
                found.append("\(file):\(number + 1): \(line.trimmingCharacters(in: .whitespaces))")
            }
        }
        XCTAssertEqual(found, [], found.joined(separator: "\n"))
    }
}
