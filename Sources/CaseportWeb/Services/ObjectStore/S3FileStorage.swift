import AsyncHTTPClient
import CaseportCore
import Crypto
import Foundation
import NIOCore
import NIOHTTP1

/// Where the object store is and how to sign in to it (CASEPORT_S3_*; README, "Configuration").
public struct S3Settings: Sendable, Equatable {
    /// `http(s)://host[:port]`, without a path: requests go to `<endpoint>/<bucket>/<key>` (path style,
    /// which every S3-compatible store serves).
    public var endpoint: URL
    public var bucket: String
    public var region: String
    public var accessKey: String
    public var secretKey: String

    public init(endpoint: URL, bucket: String, region: String = "us-east-1", accessKey: String, secretKey: String) {
        self.endpoint = endpoint
        self.bucket = bucket
        self.region = region
        self.accessKey = accessKey
        self.secretKey = secretKey
    }
}

/// What the object store answered when it was not what the request needed.
struct S3Error: Error, CustomStringConvertible {
    let operation: String
    let status: HTTPResponseStatus
    let detail: String

    var description: String {
        let hint = status == .forbidden ? " (check CASEPORT_S3_ACCESS_KEY and CASEPORT_S3_SECRET_KEY)" : ""
        return "object store: \(operation) answered \(status.code)\(hint)\(detail.isEmpty ? "" : ": \(detail)")"
    }
}

/// `FileStorage` in an S3-compatible object store, so that several `caseport serve` nodes share the
/// files (ARCHITECTURE, "Several servers"). One object per key in one bucket. Uploads are staged on local
/// disk first (checked, sniffed, then sent with their length), downloads stream as they arrive, ranges
/// are the store's own. Objects are never overwritten: every key is new.
final class S3FileStorage: FileStorage {
    let settings: S3Settings
    let client: HTTPClient
    let signer: SigV4
    /// Local folder for staged uploads (swept like the local store's).
    let incomingDirectory: URL
    let clock: @Sendable () -> Date
    /// How long a request may wait for the store's answer to begin.
    static let timeout: TimeAmount = .seconds(60)
    static let uploadChunk = 256 * 1_024

    init(settings: S3Settings, dataDirectory: String, client: HTTPClient = .shared, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.settings = settings
        self.client = client
        self.signer = SigV4(accessKey: settings.accessKey, secretKey: settings.secretKey, region: settings.region)
        self.incomingDirectory = URL(fileURLWithPath: dataDirectory).appendingPathComponent("files/incoming")
        self.clock = clock
    }

    func newKey() -> String { Self.randomKey() }

    func put(key: String, from source: StorageSource) async throws {
        let key = try Self.checked(key)
        switch source {
        case .bytes(let bytes):
            let payloadHash = SigV4.hex(SHA256.hash(data: bytes))
            let response = try await send("PUT", key: key, payloadHash: payloadHash, body: .bytes(ByteBuffer(bytes: bytes)),
                                          length: bytes.count)
            try await expect(response, [.ok], "storing \(key)")
        case .staged(let file):
            file.finish()
            defer { file.discard() }
            let response = try await send("PUT", key: key, payloadHash: SigV4.unsignedPayload,
                                          body: .stream(FileChunks(url: file.url), length: .known(Int64(file.byteSize))),
                                          length: file.byteSize)
            try await expect(response, [.ok], "storing \(key)")
        case .chunks(let chunks):
            // The length is unknown until the stream ends and a failed stream must store nothing: the
            // bytes are staged locally, then sent whole.
            let file = try stage()
            do {
                for try await chunk in chunks { try file.write(chunk) }
            } catch {
                file.discard()
                throw error
            }
            try await put(key: key, from: .staged(file))
        }
    }

    func open(key: String, range: Range<Int>?) async throws -> StoredObject {
        let key = try Self.checked(key)
        if let range, range.lowerBound >= range.upperBound || range.lowerBound < 0 {
            return try await emptyObject(key: key, at: range.lowerBound)
        }
        var headers: [(String, String)] = []
        if let range { headers.append(("range", "bytes=\(range.lowerBound)-\(range.upperBound - 1)")) }
        let response = try await send("GET", key: key, headers: headers)
        switch response.status {
        case .notFound:
            throw FileStorageError.notFound(key: key)
        case .rangeNotSatisfiable:
            return try await emptyObject(key: key, at: range?.lowerBound ?? 0)
        case .ok, .partialContent:
            let length = response.headers.first(name: "content-length").flatMap(Int.init) ?? 0
            var size = length, offset = 0
            if response.status == .partialContent, let contentRange = response.headers.first(name: "content-range"),
               let parsed = Self.parseContentRange(contentRange) {
                (offset, size) = (parsed.start, parsed.size)
            }
            let body = response.body
            let chunks = AsyncThrowingStream<[UInt8], any Error> { continuation in
                let task = Task {
                    do {
                        for try await buffer in body { continuation.yield(Array(buffer.readableBytesView)) }
                        continuation.finish()
                    } catch {
                        continuation.finish(throwing: error)
                    }
                }
                continuation.onTermination = { _ in task.cancel() }
            }
            return StoredObject(size: size, offset: offset, length: length, tag: Self.tag(response.headers),
                                lastModified: Self.lastModified(response.headers), chunks: chunks)
        default:
            try await expect(response, [], "reading \(key)")
            throw FileStorageError.notFound(key: key)
        }
    }

    func size(key: String) async throws -> Int? {
        let key = try Self.checked(key)
        let response = try await send("HEAD", key: key)
        if response.status == .notFound { return nil }
        try await expect(response, [.ok], "looking up \(key)")
        return response.headers.first(name: "content-length").flatMap(Int.init)
    }

    func delete(key: String) async throws {
        let key = try Self.checked(key)
        let response = try await send("DELETE", key: key)
        try await expect(response, [.noContent, .ok, .notFound], "removing \(key)")
    }

    func stage() throws -> StagedFile {
        IncomingSweeper.sweepIfDue(incomingDirectory)
        try FileManager.default.createDirectory(at: incomingDirectory, withIntermediateDirectories: true)
        return try StagedFile(url: incomingDirectory.appendingPathComponent(UUID().uuidString))
    }

    /// Whether the bucket is there and the keys are accepted: start-up asks once, so a wrong setting is
    /// one clear line instead of a failed upload later.
    func problemReaching() async -> String? {
        do {
            let response = try await send("HEAD", key: nil)
            if response.status == .ok { return nil }
            if response.status == .notFound { return "the object store has no bucket \"\(settings.bucket)\" (create it first)" }
            return S3Error(operation: "checking the bucket", status: response.status, detail: "").description
        } catch {
            return "cannot reach the object store at \(settings.endpoint.absoluteString): \(error)"
        }
    }

    // MARK: - Requests

    private func send(_ method: String, key: String?, headers extra: [(String, String)] = [],
                      payloadHash: String = SigV4.emptyPayloadHash,
                      body: HTTPClientRequest.Body? = nil, length: Int? = nil) async throws -> HTTPClientResponse {
        let path = "/\(settings.bucket)" + (key.map { "/\($0)" } ?? "")
        var host = settings.endpoint.host ?? "localhost"
        if let port = settings.endpoint.port { host += ":\(port)" }
        var headers = [("host", host)] + extra
        if let length { headers.append(("content-length", String(length))) }
        let signed = signer.sign(method: method, path: path, headers: headers, payloadHash: payloadHash, date: clock())
        let base = settings.endpoint.absoluteString.hasSuffix("/") ? String(settings.endpoint.absoluteString.dropLast())
            : settings.endpoint.absoluteString
        var request = HTTPClientRequest(url: base + SigV4.encodePath(path))
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in signed { request.headers.replaceOrAdd(name: name, value: value) }
        if let body { request.body = body }
        return try await client.execute(request, timeout: Self.timeout)
    }

    private func expect(_ response: HTTPClientResponse, _ statuses: [HTTPResponseStatus], _ operation: String) async throws {
        guard !statuses.contains(response.status) else { return }
        let detail = (try? await response.body.collect(upTo: 4_096)).map { Self.errorCode(String(buffer: $0)) } ?? ""
        throw S3Error(operation: operation, status: response.status, detail: detail)
    }

    private func emptyObject(key: String, at offset: Int) async throws -> StoredObject {
        let response = try await send("HEAD", key: key)
        if response.status == .notFound { throw FileStorageError.notFound(key: key) }
        try await expect(response, [.ok], "looking up \(key)")
        let size = response.headers.first(name: "content-length").flatMap(Int.init) ?? 0
        return StoredObject(size: size, offset: min(max(offset, 0), size), length: 0, tag: Self.tag(response.headers),
                            lastModified: Self.lastModified(response.headers), chunks: AsyncThrowingStream { $0.finish() })
    }

    // MARK: - Reading the store's headers

    /// `bytes 100-199/5000` → start 100, size 5000.
    static func parseContentRange(_ value: String) -> (start: Int, size: Int)? {
        guard value.hasPrefix("bytes "), let slash = value.firstIndex(of: "/"), let dash = value.firstIndex(of: "-"),
              let start = Int(value[value.index(value.startIndex, offsetBy: 6)..<dash]),
              let size = Int(value[value.index(after: slash)...]) else { return nil }
        return (start, size)
    }

    static func tag(_ headers: HTTPHeaders) -> String {
        (headers.first(name: "etag") ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }

    static func lastModified(_ headers: HTTPHeaders) -> Date? {
        guard let value = headers.first(name: "last-modified") else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: value)
    }

    /// The `<Code>` of an S3 error document, which names the problem without echoing secrets.
    static func errorCode(_ xml: String) -> String {
        guard let open = xml.range(of: "<Code>"), let close = xml.range(of: "</Code>", range: open.upperBound..<xml.endIndex) else { return "" }
        return String(xml[open.upperBound..<close.lowerBound])
    }
}

/// A staged file as an upload body, read in chunks as the store takes them.
private struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let url: URL

    struct AsyncIterator: AsyncIteratorProtocol {
        let handle: FileHandle?
        mutating func next() async throws -> ByteBuffer? {
            guard let handle, let data = try handle.read(upToCount: S3FileStorage.uploadChunk), !data.isEmpty else {
                try? handle?.close()
                return nil
            }
            return ByteBuffer(bytes: data)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(handle: FileHandle(forReadingAtPath: url.path)) }
}
