import CaseportCore
import Foundation

/// Files on local disk under `<data dir>/files/`, in two levels of folders named by the key's first
/// characters. Keys are random hex, so nothing a user typed ever becomes a path.
struct LocalFileStorage: FileStorage {
    let root: URL

    init(dataDirectory: String) {
        root = URL(fileURLWithPath: dataDirectory).appendingPathComponent("files")
    }

    func newKey() -> String {
        (0..<16).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max)) }.joined()
    }

    func path(for key: String) -> String {
        precondition(key.allSatisfy(\.isHexDigit) && key.count >= 4, "storage keys are generated hex")
        let prefix = key.prefix(2), second = key.dropFirst(2).prefix(2)
        return root.appendingPathComponent(String(prefix)).appendingPathComponent(String(second))
            .appendingPathComponent(key).path
    }

    private func prepareFolder(for key: String) throws -> String {
        let target = path(for: key)
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        return target
    }

    func adopt(temporaryPath: String, key: String) async throws {
        let target = try prepareFolder(for: key)
        try FileManager.default.moveItem(atPath: temporaryPath, toPath: target)
    }

    func write(_ bytes: [UInt8], key: String) async throws {
        let target = try prepareFolder(for: key)
        try Data(bytes).write(to: URL(fileURLWithPath: target), options: .atomic)
    }

    func delete(key: String) async throws {
        try? FileManager.default.removeItem(atPath: path(for: key))
    }

    /// Where uploads are written while they arrive; on the same disk so adopting them is a rename.
    var incomingDirectory: URL { root.appendingPathComponent("incoming") }
}
