@testable import CaseportWeb
import CaseportCore
import LeafKit
import Vapor
import XCTest

/// Issue 17 (session 17): pages whose body is written in Swift get their frame from `Layout.pageHTML`
/// instead of `shared/layout.leaf`. Leaf renders the real layout (with the real `shared/chat-corner`) the
/// way every page template hands it a body, for many frames — each area, wide or not, branding or not,
/// each chat state, strings of every language, strings full of characters to escape and none, bodies
/// empty and on several lines — and the Swift page must be the same bytes.
final class PageHTMLTests: XCTestCase {
    /// How every page template hands the layout its body (as `portal/cases.leaf` does).
    static let page = """
#extend("shared/layout"):
#export("body"):
#unsafeHTML(body)
#endexport
#endextend

"""

    func testThePageIsTheBytesTheLayoutWrote() async throws {
        let harness = try await WebHarness(loadDemo: false)
        do {
            let odd = #"<b> & "q" 'a' Ärende ●"#
            let request = Request(application: harness.app, url: "/cases?page=2", on: harness.app.eventLoopGroup.next())
            request.language = .sv
            request.csrfToken = "token"
            let base = Layout(request, title: "Ärenden", wide: true)
            var tables = Language.allCases.map { harness.app.caseport.pageStrings[$0]?.table ?? [:] }
            XCTAssertFalse(tables[0].isEmpty)
            tables.append(tables[0].mapValues { "\($0) \(odd)" })
            tables.append([:])
            let bodies = ["", "<p>Hej</p>", "\n<div class=\"x\">\n  <p>två</p>\n</div>\n", "  indented \(odd)\n\n"]
            var layouts: [Layout] = []
            var contexts: [[String: LeafData]] = []
            var bodyOf: [String] = []
            var index = 0
            for area in ["portal", "staff", "claim"] {
                for wide in [false, true] {
                    for chatState in ["", "open", "closed", odd] {
                        for body in bodies {
                            var layout = base
                            layout.area = area
                            layout.wide = wide
                            layout.chatState = chatState
                            layout.t = PageStrings(tables[index % tables.count])
                            layout.title = index % 3 == 0 ? "Titel \(odd)" : "Ärenden"
                            layout.lang = index % 5 == 0 ? odd : "sv"
                            layout.brandingStylesheet = index % 2 == 0 ? nil : "/branding.css?v=\(index)&a=<b>"
                            layout.userName = index % 3 == 1 ? nil : "Anna"
                            layouts.append(layout)
                            bodyOf.append(body)
                            contexts.append(["layout": layout.leafData, "body": .string(body)])
                            index += 1
                        }
                    }
                }
            }
            let leaf = try LeafLoopRendering.renderEach(Self.page, tags: LeafKit.defaultTags.merging(["route": RouteTag()]) { $1 },
                                                        partials: ["shared/layout", "shared/chat-corner"], contexts: contexts)
            XCTAssertEqual(leaf.count, layouts.count)
            for ((layout, body), expected) in zip(zip(layouts, bodyOf), leaf) {
                let swift = layout.pageHTML(body: body)
                if swift != expected {
                    XCTFail("area \(layout.area) wide \(layout.wide) chat \(layout.chatState) body \(body.debugDescription) \(LeafLoopRendering.difference(swift, expected))")
                    break
                }
            }
            // What the comparison covered, and nothing is left unescaped.
            let all = zip(layouts, bodyOf).map { $0.pageHTML(body: $1) }
            XCTAssertTrue(all.contains { $0.contains("chat-corner chat-is-open") })
            XCTAssertTrue(all.contains { $0.contains("page-footer") })
            XCTAssertTrue(all.contains { !$0.contains("chat-corner") && $0.contains("brand-area") })
            XCTAssertTrue(all.contains { $0.contains("page page-wide") })
            XCTAssertTrue(all.contains { $0.contains("/branding.css?v=1&amp;a=&lt;b&gt;") })
            XCTAssertFalse(all.contains { $0.replacingOccurrences(of: bodies[3], with: "").contains("<b>") }, "every value is escaped")
            // Every string the frame reads outside the header is in every language (a missing one would be empty).
            let frameTemplates = try ["shared/layout", "shared/chat-corner"].map {
                try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                    .deletingLastPathComponent().appendingPathComponent("Resources/Views/\($0).leaf"), encoding: .utf8)
            }.joined()
            let keys = Set(frameTemplates.components(separatedBy: "layout.t.").dropFirst().map { String($0.prefix { $0 == "_" || $0.isLetter || $0.isNumber }) })
            XCTAssertGreaterThan(keys.count, 25)
            for language in Language.allCases {
                let table = harness.app.caseport.pageStrings[language]?.table ?? [:]
                XCTAssertEqual(keys.filter { (table[$0] ?? "").isEmpty }.sorted(), [], "\(language)")
            }
        } catch {
            try await harness.shutdown()
            throw error
        }
        try await harness.shutdown()
    }
}
