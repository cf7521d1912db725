@testable import CaseportWeb
import Leaf
import LeafKit
import NIOCore
import NIOPosix
import NIOConcurrencyHelpers
import Vapor
import XCTest

/// Encodes `value`'s fields through its `Encodable` conformance only, so Leaf's encoder cannot take
/// the `LeafDataRepresentable` shortcut for it.
private struct EncodableOnly<T: Encodable>: Encodable {
    let value: T
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}

private struct EncodableOnlyHolder<T: Encodable>: Encodable {
    let plain: EncodableOnly<T>
}

/// Keeps the context of the render it is called in.
private final class CaptureTag: LeafTag, @unchecked Sendable {
    private let lock = NIOLock()
    private var captured: [String: LeafData]?
    var data: [String: LeafData]? { lock.withLock { captured } }
    func render(_ ctx: LeafContext) throws -> LeafData {
        lock.withLock { captured = ctx.data }
        return .string("")
    }
}

/// Issue 17: the hottest page values hand Leaf their `LeafData` themselves (`LeafDataRepresentable`)
/// instead of going through Leaf's `Encoder` field by field. What a template sees must not change:
/// each one's `leafData` is compared with what the encoder makes of the same value, with optionals
/// set and unset.
final class LeafRepresentationTests: XCTestCase {
    /// What Leaf's encoder makes of `value` when it does not take the shortcut (the value wrapped in a
    /// type that is only `Encodable`): a render through the `Encodable` entry point, whose context a tag
    /// captures.
    private func encoded<T: Encodable>(_ value: T) throws -> LeafData {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("encoded-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "#capture()".write(to: directory.appendingPathComponent("t.leaf"), atomically: true, encoding: .utf8)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        defer { try? pool.syncShutdownGracefully() }
        let capture = CaptureTag()
        let renderer = LeafRenderer(
            configuration: LeafConfiguration(rootDirectory: directory.path), tags: ["capture": capture],
            sources: .singleSource(NIOLeafFiles(fileio: NonBlockingFileIO(threadPool: pool), sandboxDirectory: directory.path,
                                                viewDirectory: directory.path)),
            eventLoop: group.next())
        _ = try renderer.render(path: "t", context: EncodableOnlyHolder(plain: EncodableOnly(value: value))).wait()
        return try XCTUnwrap(capture.data?["plain"])
    }

    private func assertSame<T: Encodable & LeafDataRepresentable>(_ value: T, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(value.leafData, try encoded(value), file: file, line: line)
    }

    /// The frame's `leafData` is the encoder's dictionary plus `headerHTML` (session 12), which only the
    /// `leafData` form has: Leaf's encoder takes `leafData` for every page (`LayoutHeaderHTMLTests` checks its bytes).
    private func assertSameLayout(_ layout: Layout, file: StaticString = #filePath, line: UInt = #line) throws {
        var fields = try XCTUnwrap(layout.leafData.dictionary, file: file, line: line)
        XCTAssertEqual(fields.removeValue(forKey: "headerHTML"), .string(layout.headerHTML), file: file, line: line)
        XCTAssertEqual(LeafData.dictionary(fields), try encoded(layout), file: file, line: line)
    }

    func testSelectOptionsAreTheSameWithAndWithoutADetail() throws {
        try assertSame(SelectOption(value: "7", name: "Fukt & <mögel>", selected: true))
        try assertSame(SelectOption(value: "", name: "", selected: false, detail: "kolumner: a, b"))
    }

    func testThePageFrameIsTheSameSignedInAndOut() async throws {
        let harness = try await WebHarness(loadDemo: false)
        do {
            let request = Request(application: harness.app, url: "/cases?page=2&q=l%C3%A4cka", on: harness.app.eventLoopGroup.next())
            request.language = .da
            request.csrfToken = "token"
            var layout = Layout(request, title: "Sager & <mere>", wide: true)
            try assertSameLayout(layout)
            // Every optional set (they are left out when nil, as the encoder leaves them out).
            layout.userName = "Anna"
            layout.brandingStylesheet = "/branding.css?v=2"
            layout.logoURL = "/branding/logo?v=2"
            layout.accountPath = "/users/3"
            layout.contactPhone = "+46 8 123"
            layout.contactPhoneLink = "tel:+468123"
            layout.contactEmail = "hej@example.com"
            layout.inboxCount = 3
            layout.needsActionCount = 2
            layout.chatState = "open"
            try assertSameLayout(layout)
            // The encoder gives the strings table through the same shortcut; the table itself is compared.
            XCTAssertEqual(layout.leafData.dictionary?["t"], try encoded(layout).dictionary?["t"])
        } catch {
            try await harness.shutdown()
            throw error
        }
        try await harness.shutdown()
    }
}
