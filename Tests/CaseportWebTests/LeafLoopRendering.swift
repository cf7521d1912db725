@testable import CaseportWeb
import Foundation
import LeafKit
import NIOCore
import NIOPosix

/// Renders a template with a real Leaf renderer in a scratch directory: a row loop with the real
/// `shared/status-badge` partial, for the tests that check rows now written in Swift (`rowsHTML`) are the
/// bytes the loop wrote (issue 17), or a template with chosen tags and partials (`FormTagTests`, and
/// `LayoutHeaderHTMLTests` with the real `shared/csrf`).
enum LeafLoopRendering {
    /// `kept`: partials no page includes any more, by name, as the tests keep their former text.
    static func render<Context: Encodable>(_ loop: String, _ context: Context, partials: [String] = ["shared/status-badge"],
                                           kept: [String: String] = [:]) throws -> String {
        // Leaf's own tags (`count`, …) as the app has them, and the app's `route` and form tags.
        let tags: [String: any LeafTag] = ["route": RouteTag(), "options": SelectOptionsTag(), "invalid": InvalidFieldTag(),
                                           "fieldError": FieldErrorTag()]
        return try render(loop, tags: LeafKit.defaultTags.merging(tags) { $1 }, partials: partials, kept: kept) {
            $0.render(path: "t", context: context)
        }
    }

    /// `template` rendered with only `tags` (and the real partials named in `partials`, such as "shared/csrf")
    /// from a context of Leaf values.
    static func render(_ template: String, tags: [String: any LeafTag], partials: [String] = [], context: [String: LeafData]) throws -> String {
        try render(template, tags: tags, partials: partials) { $0.render(path: "t", context: context) }
    }

    /// `template` rendered once for each context by one renderer (many frames without a renderer each).
    static func renderEach(_ template: String, tags: [String: any LeafTag], partials: [String] = [],
                           contexts: [[String: LeafData]]) throws -> [String] {
        try withRenderer(template, tags: tags, partials: partials) { renderer in
            try contexts.map { String(buffer: try renderer.render(path: "t", context: $0).wait()) }
        }
    }

    private static func render(_ template: String, tags: [String: any LeafTag], partials: [String], kept: [String: String] = [:],
                               _ rendering: (LeafRenderer) -> EventLoopFuture<ByteBuffer>) throws -> String {
        try withRenderer(template, tags: tags, partials: partials, kept: kept) { String(buffer: try rendering($0).wait()) }
    }

    private static func withRenderer<Result>(_ template: String, tags: [String: any LeafTag], partials: [String], kept: [String: String] = [:],
                                             _ use: (LeafRenderer) throws -> Result) throws -> Result {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("leaf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("shared"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var texts = kept
        for partial in partials {
            texts[partial] = try String(contentsOf: root.appendingPathComponent("Resources/Views/\(partial).leaf"), encoding: .utf8)
        }
        for (partial, text) in texts {
            let file = directory.appendingPathComponent("\(partial).leaf")
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: file, atomically: true, encoding: .utf8)
        }
        try template.write(to: directory.appendingPathComponent("t.leaf"), atomically: true, encoding: .utf8)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        defer { try? pool.syncShutdownGracefully() }
        let renderer = LeafRenderer(
            configuration: LeafConfiguration(rootDirectory: directory.path),
            tags: tags,
            sources: .singleSource(NIOLeafFiles(fileio: NonBlockingFileIO(threadPool: pool), sandboxDirectory: directory.path,
                                                viewDirectory: directory.path)),
            eventLoop: group.next())
        return try use(renderer)
    }

    /// Where two renderings part, with some text around it on both sides, for a failure message.
    static func difference(_ swift: String, _ leaf: String) -> String {
        let a = Array(swift.utf8), b = Array(leaf.utf8)
        var index = 0
        while index < min(a.count, b.count), a[index] == b[index] { index += 1 }
        func around(_ bytes: [UInt8]) -> String {
            String(decoding: bytes[max(0, index - 120)..<min(bytes.count, index + 120)], as: UTF8.self).debugDescription
        }
        return "at byte \(index) of \(a.count) / \(b.count):\nswift: \(around(a))\nleaf:  \(around(b))"
    }

    /// The strings a loop reads as `layout.t.<key>`.
    struct Strings: Encodable { var t: [String: String] }
}
