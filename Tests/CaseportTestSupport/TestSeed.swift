import CaseportStore
import FluentKit
import Foundation
import Logging
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// Rows, and the files they name, written once per test run on top of the migrated template, so that every
/// test wanting them gets a copy instead of writing them again: the web tests' demo data took 0.35–0.8 s a
/// test on SQLite and 1.5–2.1 s on PostgreSQL (session 32), most of a web test.
///
/// Built once per run, not kept across runs as the migrated template is: the demo's dates are relative to
/// the moment it is loaded. A run is `swift test`'s process (the parent of every worker of a parallel run)
/// within one hour (`TestRun`), so a test binary started by hand again and again gets a fresh copy hourly.
public struct TestSeed: Sendable {
    /// Part of file and database names: lower-case letters only.
    public let name: String
    /// Writes the rows into `database`, storing files under `dataDirectory` as the app's local storage would.
    public let load: @Sendable (_ database: any Database, _ dataDirectory: String) async throws -> Void

    public init(name: String, load: @escaping @Sendable (_ database: any Database, _ dataDirectory: String) async throws -> Void) {
        precondition(!name.isEmpty && name.allSatisfy { $0.isLowercase && $0.isASCII }, "a seed's name is lower-case letters")
        self.name = name
        self.load = load
    }

    /// Runs `load` on the database at `location` over connections of its own, closed when it returns.
    func write(into location: DatabaseLocation, dataDirectory: String) async throws {
        try await TestDatabase.withDatabase(at: location, label: "caseport.test.seed") { _, database, _ in
            try await load(database, dataDirectory)
        }
    }

    /// Copies a seeded template's stored files into a test's data directory.
    static func copyFiles(from templateData: String, to dataDirectory: String) throws {
        let files = FileManager.default
        guard files.fileExists(atPath: templateData) else { return }
        try files.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        for item in try files.contentsOfDirectory(atPath: templateData) {
            try files.copyItem(atPath: templateData + "/" + item, toPath: dataDirectory + "/" + item)
        }
    }
}

/// Which test run this process belongs to, for the seeded templates' names.
enum TestRun {
    /// Hours since 1970 when this process started: seeded templates older than `sweepHours` are a finished run's.
    static let hour = Int(Date().timeIntervalSince1970 / 3_600)
    static let sweepHours = 3

    /// Eight hex digits of the parent process (its id and start time, so a reused id is another run) and the hour.
    static let id: String = {
        var hash = TemplateKey.FNV1a()
        let parent = getppid()
        hash.add("\(parent)")
        hash.add(startTime(of: parent) ?? "")
        hash.add("\(hour)")
        return String(String(hash.value, radix: 16).suffix(8))
    }()

    /// Field 22 of `/proc/<pid>/stat`, the process's start time (after the command name, which may hold spaces).
    static func startTime(of pid: pid_t) -> String? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? String(fields[19]) : nil
    }

    /// The hour a seeded template's name carries (`…_<seed>_<hour>_<run>`), if it is one.
    static func hour(inName name: String, separator: Character) -> Int? {
        let parts = name.split(separator: separator)
        guard let index = parts.firstIndex(where: { $0.count == 6 && $0.allSatisfy(\.isNumber) }) else { return nil }
        return Int(parts[index])
    }
}

/// SQLite: a seeded template is a folder in the temporary directory holding `db.sqlite` and `data/` (its
/// stored files, named by the rows). It is built under a temporary name and renamed into place whole, so a
/// process that finds it finds the database and its files together; of two processes that build it at
/// once, the first rename wins and the other uses that one.
actor SeededSQLiteTemplates {
    static let shared = SeededSQLiteTemplates()
    static let prefix = "caseport-test-seed-"

    private var ready: [String: Task<String, any Error>] = [:]

    /// The template's folder for `seed`, built if this run has none yet.
    func folder(for seed: TestSeed) async throws -> String {
        if ready[seed.name] == nil {
            ready[seed.name] = Task { try await Self.build(seed) }
        }
        do {
            return try await ready[seed.name]!.value
        } catch {
            ready[seed.name] = nil
            throw error
        }
    }

    private static func build(_ seed: TestSeed) async throws -> String {
        let temporary = FileManager.default.temporaryDirectory.path
        let folder = temporary + "/" + prefix + "\(TemplateKey.current)-\(seed.name)-\(TestRun.hour)-\(TestRun.id)"
        if FileManager.default.fileExists(atPath: folder + "/db.sqlite") { return folder }
        sweep(temporary)
        let building = folder + ".\(UUID().uuidString.prefix(8)).building"
        try FileManager.default.createDirectory(atPath: building + "/data", withIntermediateDirectories: true)
        do {
            try await SQLiteTemplate.shared.copy(to: building + "/db.sqlite")
            try await seed.write(into: .sqlite(path: building + "/db.sqlite"), dataDirectory: building + "/data")
            // Closing the last connection folded the write-ahead log into the file.
            for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: building + "/db.sqlite" + suffix) }
        } catch {
            try? FileManager.default.removeItem(atPath: building)
            throw error
        }
        if rename(building, folder) != 0 {
            // Another process of this run renamed its copy first: use that one.
            try? FileManager.default.removeItem(atPath: building)
            guard FileManager.default.fileExists(atPath: folder + "/db.sqlite") else { throw CocoaError(.fileWriteUnknown) }
        }
        return folder
    }

    /// Removes seeded templates of runs that ended hours ago, and builds that were killed.
    private static func sweep(_ temporary: String) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? []
        for name in names where name.hasPrefix(prefix) {
            guard let hour = TestRun.hour(inName: name, separator: "-"), hour < TestRun.hour - TestRun.sweepHours else { continue }
            try? FileManager.default.removeItem(atPath: temporary + "/" + name)
        }
    }
}
