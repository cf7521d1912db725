@testable import CaseportWeb
import Foundation
import LeafKit
import NIOCore
import NIOPosix

/// Renders a template's old row loop with Leaf (and the real `shared/status-badge` partial), for the
/// tests that check rows now written in Swift (`rowsHTML`) are the bytes the loop wrote (issue 17).
enum LeafLoopRendering {
    static func render<Context: Encodable>(_ loop: String, _ context: Context) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let badge = try String(contentsOf: root.appendingPathComponent("Resources/Views/shared/status-badge.leaf"), encoding: .utf8)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rows-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("shared"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try badge.write(to: directory.appendingPathComponent("shared/status-badge.leaf"), atomically: true, encoding: .utf8)
        try loop.write(to: directory.appendingPathComponent("t.leaf"), atomically: true, encoding: .utf8)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        defer { try? pool.syncShutdownGracefully() }
        let renderer = LeafRenderer(
            configuration: LeafConfiguration(rootDirectory: directory.path),
            tags: ["route": RouteTag()],
            sources: .singleSource(NIOLeafFiles(fileio: NonBlockingFileIO(threadPool: pool), sandboxDirectory: directory.path,
                                                viewDirectory: directory.path)),
            eventLoop: group.next())
        return String(buffer: try renderer.render(path: "t", context: context).wait())
    }

    /// The strings a loop reads as `layout.t.<key>`.
    struct Strings: Encodable { var t: [String: String] }
}
