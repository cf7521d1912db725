import CaseportStore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// SQLite: a migrated database file in the temporary folder, copied for each test. It is built under
/// a temporary name and renamed into place, so a process that finds the file finds it complete;
/// two processes that build it at once each rename a complete copy.
actor SQLiteTemplate {
    static let shared = SQLiteTemplate()

    static var path: String {
        FileManager.default.temporaryDirectory.appendingPathComponent("caseport-test-template-\(TemplateKey.current).sqlite").path
    }

    private var ready: Task<Void, any Error>?

    func copy(to destination: String) async throws {
        try await ensure()
        try FileManager.default.copyItem(atPath: Self.path, toPath: destination)
    }

    /// Builds the template at most once per process; later calls wait for the same build.
    private func ensure() async throws {
        if ready == nil {
            ready = Task {
                let path = Self.path
                if FileManager.default.fileExists(atPath: path) { return }
                let building = path + ".\(UUID().uuidString).building"
                try await TestDatabase.migrate(.sqlite(path: building))
                // Closing the last connection folds the write-ahead log into the file (which keeps WAL mode).
                for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: building + suffix) }
                guard rename(building, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
            }
        }
        do {
            try await ready!.value
        } catch {
            ready = nil
            throw error
        }
    }
}
