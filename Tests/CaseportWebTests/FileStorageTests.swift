import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Fluent
import Foundation
import Vapor
import XCTest

/// Issue 10, point 8: what every `FileStorage` must do (`checkConformance`), run against the local
/// store; an object store added later runs the same checks. Then the local store's own promises (the
/// on-disk layout existing data is in, nothing left behind) and downloads streamed from storage.
final class FileStorageTests: XCTestCase {
    var directory: URL!

    override func setUp() {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("caseport-storage-\(UUID().uuidString)")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Bytes whose every position differs from its neighbours, so a shifted or repeated chunk shows.
    static func pattern(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 / 251) } }

    static func chunks(_ bytes: [UInt8], size: Int, failAfter: Int? = nil) -> AsyncThrowingStream<[UInt8], any Error> {
        AsyncThrowingStream { continuation in
            var sent = 0
            for start in stride(from: 0, to: bytes.count, by: size) {
                if let failAfter, sent >= failAfter {
                    continuation.finish(throwing: CancellationError())
                    return
                }
                continuation.yield(Array(bytes[start..<min(start + size, bytes.count)]))
                sent += 1
            }
            continuation.finish()
        }
    }

    /// The contract, for any store.
    static func checkConformance(_ storage: any FileStorage) async throws {
        // Keys are fresh each time.
        let keys = (0..<50).map { _ in storage.newKey() }
        XCTAssertEqual(Set(keys).count, 50)

        // Bytes in, the same bytes out; size and tag known.
        let small = Array("Protokoll från stämman".utf8)
        let smallKey = storage.newKey()
        try await storage.put(key: smallKey, bytes: small)
        let opened = try await storage.open(key: smallKey)
        XCTAssertEqual(opened.size, small.count)
        XCTAssertEqual(opened.length, small.count)
        XCTAssertFalse(opened.tag.isEmpty)
        let smallBack = try await opened.collect()
        XCTAssertEqual(smallBack, small)
        let smallSize = try await storage.size(key: smallKey)
        XCTAssertEqual(smallSize, small.count)

        // A large stream in odd-sized chunks comes back whole, and in more than one piece.
        let large = Self.pattern(5 * 1_048_576 + 17)
        let largeKey = storage.newKey()
        try await storage.put(key: largeKey, from: .chunks(Self.chunks(large, size: 100_003)))
        let largeObject = try await storage.open(key: largeKey)
        XCTAssertEqual(largeObject.size, large.count)
        var pieces = 0
        var largeBack: [UInt8] = []
        for try await chunk in largeObject.chunks {
            pieces += 1
            XCTAssertLessThanOrEqual(chunk.count, 4 * 1_048_576, "read in pieces, not whole")
            largeBack += chunk
        }
        XCTAssertGreaterThan(pieces, 1)
        XCTAssertEqual(largeBack.count, large.count)
        XCTAssertTrue(largeBack == large)

        // A range reads just those bytes; one past the end is cut to the end.
        let middle = try await storage.open(key: largeKey, range: 1_000_000..<1_000_010)
        XCTAssertEqual(middle.offset, 1_000_000)
        XCTAssertEqual(middle.length, 10)
        XCTAssertEqual(middle.size, large.count)
        let middleBytes = try await middle.collect()
        XCTAssertEqual(middleBytes, Array(large[1_000_000..<1_000_010]))
        let tail = try await storage.open(key: largeKey, range: large.count - 5..<large.count + 100)
        let tailBytes = try await tail.collect()
        XCTAssertEqual(tailBytes, Array(large.suffix(5)))

        // A staged file is stored whole and consumed.
        let staged = try storage.stage()
        try staged.write(Array(large.prefix(70_000)))
        try staged.write(Array(large.dropFirst(70_000).prefix(30_000)))
        XCTAssertEqual(staged.byteSize, 100_000)
        XCTAssertEqual(staged.head, Array(large.prefix(StagedFile.headLength)))
        let stagedKey = storage.newKey()
        try await storage.put(key: stagedKey, from: .staged(staged))
        staged.discard() // after put: does nothing to what was stored
        let stagedBack = try await storage.open(key: stagedKey).collect()
        XCTAssertEqual(stagedBack, Array(large.prefix(100_000)))

        // A stream that fails stores nothing.
        let failedKey = storage.newKey()
        do {
            try await storage.put(key: failedKey, from: .chunks(Self.chunks(large, size: 65_536, failAfter: 3)))
            XCTFail("a failed stream must not be stored")
        } catch {}
        let failedSize = try await storage.size(key: failedKey)
        XCTAssertNil(failedSize)

        // Missing keys: open says notFound, size nil, delete is no error.
        let missing = storage.newKey()
        do {
            _ = try await storage.open(key: missing)
            XCTFail("opened a missing key")
        } catch let error as FileStorageError {
            XCTAssertEqual(error, .notFound(key: missing))
        }
        let missingSize = try await storage.size(key: missing)
        XCTAssertNil(missingSize)
        try await storage.delete(key: missing)

        // Deleted is gone.
        try await storage.delete(key: smallKey)
        let deletedSize = try await storage.size(key: smallKey)
        XCTAssertNil(deletedSize)
        do {
            _ = try await storage.open(key: smallKey)
            XCTFail("opened a deleted key")
        } catch FileStorageError.notFound {}

        // A key that is not one (a path someone typed) is refused, never used as a name.
        for bad in ["../../etc/passwd", "ab/cd", "", "zz"] {
            do {
                _ = try await storage.open(key: bad)
                XCTFail("opened \(bad)")
            } catch let error as FileStorageError {
                XCTAssertEqual(error, .invalidKey(bad))
            }
        }
    }

    func testLocalStorageConforms() async throws {
        try await Self.checkConformance(LocalFileStorage(dataDirectory: directory.path))
    }

    /// Files written before issue 10 (at files/ab/cd/<key>) are read as they are, and new ones go
    /// there too; staging leaves nothing behind.
    func testLocalStorageKeepsTheOnDiskLayout() async throws {
        let storage = LocalFileStorage(dataDirectory: directory.path)
        let key = "abcdef0123456789abcdef0123456789"
        let old = directory.appendingPathComponent("files/ab/cd/\(key)")
        try FileManager.default.createDirectory(at: old.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("stored in 2025".utf8).write(to: old)
        let bytes = try await storage.open(key: key).collect()
        XCTAssertEqual(bytes, Array("stored in 2025".utf8))

        let newKey = storage.newKey()
        try await storage.put(key: newKey, from: .chunks(Self.chunks(Self.pattern(300_000), size: 4_096)))
        let path = directory.appendingPathComponent("files/\(newKey.prefix(2))/\(newKey.dropFirst(2).prefix(2))/\(newKey)").path
        XCTAssertEqual(FileManager.default.contents(atPath: path).map { [UInt8]($0) }, Self.pattern(300_000))
        let staged = try storage.stage()
        try staged.write([1, 2, 3])
        staged.discard()
        let failed = storage.newKey()
        try? await storage.put(key: failed, from: .chunks(Self.chunks(Self.pattern(300_000), size: 4_096, failAfter: 2)))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: storage.incomingDirectory.path), [])
    }

    /// Downloads stream from storage with their safe headers, answer one byte range, and revalidate.
    func testDownloadsStreamFromStorageWithRangesAndHeaders() async throws {
        let harness = try await WebHarness()
        do {
            let customer = try await Demo.customer("1001", on: harness.app.db)
            let target = try await CaseRecord.query(on: harness.app.db).filter(\.$customerId == customer.id!)
                .filter(\.$status != .closed).sort(\.$number, .descending).first()!
            let browser = harness.browser()
            try await browser.portalLogin("solglantan", "anna")
            try await browser.get("/cases/\(target.number)")
            let large = Self.pattern(3 * 1_048_576)
            let uploaded = try await browser.upload("/cases/\(target.number)/files", files: [("stor.bin", "application/octet-stream", large)])
            XCTAssertEqual(uploaded.status, .seeOther)
            let file = try await StoredFileRecord.query(on: harness.app.db).filter(\.$caseId == target.id!).first()!
            let stored = try await harness.stored(file.storageKey)
            XCTAssertTrue(stored == large, "stored byte for byte")

            let path = "/cases/\(target.number)/files/\(file.id!)"
            let whole = try await browser.get(path)
            XCTAssertEqual(whole.status, .ok)
            XCTAssertTrue(Array(whole.body.readableBytesView) == large)
            XCTAssertEqual(whole.headers.first(name: .contentType), "application/octet-stream")
            XCTAssertEqual(whole.headers.first(name: .contentDisposition), FileResponses.disposition("stor.bin", inline: false))
            XCTAssertEqual(whole.headers.first(name: "Content-Security-Policy"),
                           "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox")
            XCTAssertEqual(whole.headers.first(name: .cacheControl), "private, no-store")
            XCTAssertEqual(whole.headers.first(name: .acceptRanges), "bytes")

            let part = try await browser.get(path, headers: ["Range": "bytes=1048576-1048585"])
            XCTAssertEqual(part.status, .partialContent)
            XCTAssertEqual(Array(part.body.readableBytesView), Array(large[1_048_576...1_048_585]))
            XCTAssertEqual(part.headers.first(name: .contentRange), "bytes 1048576-1048585/\(large.count)")
            XCTAssertEqual(part.headers.first(name: .contentDisposition), FileResponses.disposition("stor.bin", inline: false))
            let last = try await browser.get(path, headers: ["Range": "bytes=-4"])
            XCTAssertEqual(Array(last.body.readableBytesView), Array(large.suffix(4)))
            let beyond = try await browser.get(path, headers: ["Range": "bytes=\(large.count + 10)-"])
            XCTAssertEqual(beyond.status, .badRequest)

            let eTag = try XCTUnwrap(whole.headers.first(name: .eTag))
            let again = try await browser.get(path, headers: ["If-None-Match": eTag])
            XCTAssertEqual(again.status, .notModified)
            XCTAssertEqual(again.body.readableBytes, 0)

            // Bytes gone from storage: a plain 404, not an error page about files.
            try await harness.app.caseport.storage.delete(key: file.storageKey)
            let gone = try await browser.get(path)
            XCTAssertEqual(gone.status, .notFound)
        } catch {
            try await harness.shutdown()
            throw error
        }
        try await harness.shutdown()
    }
}
