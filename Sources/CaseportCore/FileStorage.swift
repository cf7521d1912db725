import Foundation

/// Where stored files' bytes live (uploads, mail attachments, kept mail, the logo). Features write and
/// read streams by a generated key and never see a path, so an object store (S3-compatible: PUT object,
/// ranged GET object, DELETE object, HEAD for the size) can replace the local disk without a feature
/// changing. The local-disk store is `LocalFileStorage` in the web layer.
public protocol FileStorage: Sendable {
    /// A fresh key: random hex, so nothing a user typed ever names stored bytes.
    func newKey() -> String

    /// Stores `source` under `key` (a new key: stored objects are never overwritten). All or nothing:
    /// when it throws, nothing is stored under `key`. A `.staged` file is consumed.
    func put(key: String, from source: StorageSource) async throws

    /// The bytes under `key`, all of them or `range` (offsets into the object, clamped to its size),
    /// as a stream read while it is consumed: a large file never sits in memory.
    /// Throws `FileStorageError.notFound` when nothing is stored under `key`.
    func open(key: String, range: Range<Int>?) async throws -> StoredObject

    /// The size in bytes, or nil when nothing is stored under `key`.
    func size(key: String) async throws -> Int?

    /// Removes what is stored under `key`; a missing key is not an error.
    func delete(key: String) async throws

    /// A local temporary file for bytes that arrive over time (an upload, a large mail) and are checked
    /// before they are kept; `put(key:from: .staged(file))` then stores it. The local store makes it
    /// beside its files so storing is a rename; an object store would upload it.
    func stage() throws -> StagedFile
}

extension FileStorage {
    public func open(key: String) async throws -> StoredObject { try await open(key: key, range: nil) }

    /// 32 random hex characters: what every store's `newKey()` returns.
    public static func randomKey() -> String {
        (0..<16).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max)) }.joined()
    }

    /// The one rule for a key every store applies before the key names anything (a file, an object):
    /// hex of 4 to 128 characters, what `newKey()` makes.
    public static func checked(_ key: String) throws -> String {
        guard key.count >= 4, key.count <= 128, key.allSatisfy({ $0.isASCII && $0.isHexDigit }) else {
            throw FileStorageError.invalidKey(key)
        }
        return key
    }
    public func put(key: String, bytes: [UInt8]) async throws { try await put(key: key, from: .bytes(bytes)) }
}

/// What `FileStorage.put` stores.
public enum StorageSource: Sendable {
    /// Bytes already in memory (a logo, a mail attachment).
    case bytes([UInt8])
    /// Bytes as they come, of unknown length; an object store would send them as a multipart upload.
    case chunks(AsyncThrowingStream<[UInt8], any Error>)
    /// A staged local file (see `FileStorage.stage()`), complete and closed.
    case staged(StagedFile)
}

/// Bytes read from a `FileStorage`: `length` bytes starting at `offset` of an object of `size` bytes.
public struct StoredObject: Sendable {
    /// The whole object's size.
    public let size: Int
    /// Where the bytes in `chunks` start, and how many there are.
    public let offset: Int
    public let length: Int
    /// Changes whenever the stored bytes do (an object store's ETag; locally, time and size), for
    /// `ETag` / `If-None-Match`.
    public let tag: String
    /// When the bytes were stored, if the store knows (`Last-Modified`).
    public let lastModified: Date?
    public let chunks: AsyncThrowingStream<[UInt8], any Error>

    public init(size: Int, offset: Int, length: Int, tag: String, lastModified: Date? = nil,
                chunks: AsyncThrowingStream<[UInt8], any Error>) {
        self.size = size
        self.offset = offset
        self.length = length
        self.tag = tag
        self.lastModified = lastModified
        self.chunks = chunks
    }

    /// Every byte, collected (for small objects only: tests, a logo for mail).
    public func collect() async throws -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(length)
        for try await chunk in chunks { bytes += chunk }
        return bytes
    }
}

public enum FileStorageError: Error, Equatable, CustomStringConvertible {
    case notFound(key: String)
    /// Keys are generated hex (`newKey()`); anything else is refused before it reaches a file name.
    case invalidKey(String)

    public var description: String {
        switch self {
        case .notFound(let key): return "nothing is stored under \(key)"
        case .invalidKey(let key): return "\"\(key.prefix(80))\" is not a storage key"
        }
    }
}

/// A local file being written as bytes arrive, before they are kept (see `FileStorage.stage()`).
/// It remembers its first bytes (for content sniffing) and its size. `discard()` removes it unless a
/// store took it; it is safe to call more than once, and after `put`.
public final class StagedFile: @unchecked Sendable {
    /// For the store that made it (a rename or an upload); features use `write`, `head`, `byteSize`.
    public let url: URL
    public private(set) var byteSize = 0
    /// The first bytes written (up to `headLength`): what content sniffing looks at.
    public private(set) var head: [UInt8] = []
    public static let headLength = 64 * 1_024
    private var handle: FileHandle?
    private let lock = NSLock()

    /// Creates the empty file at `url` (its folder must exist).
    public init(url: URL) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: nil),
              let handle = FileHandle(forWritingAtPath: url.path) else { throw CocoaError(.fileWriteUnknown) }
        self.url = url
        self.handle = handle
    }

    public func write<Bytes: DataProtocol>(_ bytes: Bytes) throws {
        lock.lock()
        defer { lock.unlock() }
        guard let handle else { throw CocoaError(.fileWriteUnknown) }
        try handle.write(contentsOf: bytes)
        byteSize += bytes.count
        if head.count < Self.headLength { head += bytes.prefix(Self.headLength - head.count) }
    }

    /// Closes the file: nothing more is written.
    public func finish() {
        lock.lock()
        defer { lock.unlock() }
        try? handle?.close()
        handle = nil
    }

    /// Closes and removes the file (a refused or failed upload). Does nothing once a store moved it.
    public func discard() {
        finish()
        try? FileManager.default.removeItem(at: url)
    }

    deinit { try? handle?.close() }
}
