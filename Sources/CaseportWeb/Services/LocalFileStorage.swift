import CaseportCore
import Foundation

/// `FileStorage` on local disk: `<data dir>/files/ab/cd/<key>`, two levels of folders named by the
/// key's first characters (the layout since the first upload, so existing files stay readable).
/// Keys are checked to be hex before they become a file name. Staged files are written in
/// `files/incoming/` on the same disk, so storing one is a rename; what a crash leaves there is swept.
struct LocalFileStorage: FileStorage {
    let root: URL
    /// Bytes per chunk when reading.
    static let chunkSize = 64 * 1_024

    init(dataDirectory: String) {
        root = URL(fileURLWithPath: dataDirectory).appendingPathComponent("files")
    }

    func newKey() -> String { Self.randomKey() }

    func put(key: String, from source: StorageSource) async throws {
        let target = try location(of: key)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        switch source {
        case .bytes(let bytes):
            // Written beside the target and renamed: a reader never sees half a file.
            try Data(bytes).write(to: target, options: .atomic)
        case .staged(let file):
            file.finish()
            try FileManager.default.moveItem(at: file.url, to: target)
        case .chunks(let chunks):
            let file = try stage()
            do {
                for try await chunk in chunks { try file.write(chunk) }
                file.finish()
                try FileManager.default.moveItem(at: file.url, to: target)
            } catch {
                file.discard()
                throw error
            }
        }
    }

    func open(key: String, range: Range<Int>?) async throws -> StoredObject {
        let url = try location(of: key)
        guard let info = attributes(url), let handle = FileHandle(forReadingAtPath: url.path) else {
            throw FileStorageError.notFound(key: key)
        }
        let (size, modified) = (info.size, info.modified)
        let lower = min(max(range?.lowerBound ?? 0, 0), size)
        let upper = min(max(range?.upperBound ?? size, lower), size)
        if lower > 0 { try handle.seek(toOffset: UInt64(lower)) }
        let reader = ChunkReader(handle: handle, remaining: upper - lower)
        return StoredObject(size: size, offset: lower, length: upper - lower,
                            tag: "\(Int(modified.timeIntervalSince1970))-\(size)", lastModified: modified,
                            chunks: AsyncThrowingStream(unfolding: { try reader.next() }))
    }

    func size(key: String) async throws -> Int? {
        attributes(try location(of: key))?.size
    }

    func delete(key: String) async throws {
        let url = try location(of: key)
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        try FileManager.default.removeItem(at: url)
    }

    func stage() throws -> StagedFile {
        IncomingSweeper.sweepIfDue(incomingDirectory)
        try FileManager.default.createDirectory(at: incomingDirectory, withIntermediateDirectories: true)
        return try StagedFile(url: incomingDirectory.appendingPathComponent(UUID().uuidString))
    }

    /// Where staged files are written; on the same disk as the files so storing one is a rename.
    var incomingDirectory: URL { root.appendingPathComponent("incoming") }

    /// The file for `key`. Only hex keys of at least four characters (what `newKey` makes) are accepted.
    func location(of key: String) throws -> URL {
        let key = try Self.checked(key)
        let prefix = key.prefix(2), second = key.dropFirst(2).prefix(2)
        return root.appendingPathComponent(String(prefix)).appendingPathComponent(String(second)).appendingPathComponent(key)
    }

    private func attributes(_ url: URL) -> (size: Int, modified: Date)? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
              attributes[.type] as? FileAttributeType == .typeRegular else { return nil }
        let size = (attributes[.size] as? UInt64).map { Int($0) } ?? (attributes[.size] as? NSNumber)?.intValue ?? 0
        return (size, attributes[.modificationDate] as? Date ?? Date(timeIntervalSince1970: 0))
    }
}

/// Reads a file chunk by chunk as the stream is consumed (one reader per stream, so no lock), and
/// closes it at the end or when the stream is dropped.
private final class ChunkReader: @unchecked Sendable {
    private var handle: FileHandle?
    private var remaining: Int

    init(handle: FileHandle, remaining: Int) {
        self.handle = handle
        self.remaining = remaining
    }

    func next() throws -> [UInt8]? {
        guard let handle, remaining > 0 else { close(); return nil }
        let data = try handle.read(upToCount: min(LocalFileStorage.chunkSize, remaining)) ?? Data()
        guard !data.isEmpty else { close(); return nil }
        remaining -= data.count
        return Array(data)
    }

    private func close() {
        try? handle?.close()
        handle = nil
    }

    deinit { try? handle?.close() }
}
