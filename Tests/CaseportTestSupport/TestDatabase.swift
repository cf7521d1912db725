import CaseportCore
import CaseportStore
import FluentKit
import Foundation
import Logging
import NIOCore
import NIOPosix

/// Where tests keep their data: PostgreSQL when `DATABASE_URL` is set (CI runs the suite both ways),
/// otherwise SQLite. Either way each test gets a database of its own, already migrated: a clone of a
/// template that is migrated once per set of migrations (`TemplateKey`), so no test pays for the
/// migrations and tests can run in parallel (`swift test --parallel`) without sharing a database.
public enum TestDatabase {
    public static var isPostgres: Bool { serverURL != nil }

    /// `DATABASE_URL`: on PostgreSQL only the server and the database to connect to for
    /// `CREATE DATABASE`; the tests never write into that database.
    static var serverURL: String? {
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else { return nil }
        return url
    }

    /// A new migrated, empty database for one test. On SQLite it is the file at `sqlitePath` when
    /// given (a test that hands the path to a child process), else a new file in the temporary folder.
    /// Give it back with `drop(_:)` when the test ends.
    public static func fresh(sqlitePath: String? = nil) async throws -> DatabaseLocation {
        if let url = serverURL {
            return .postgres(url: try await PostgresTestDatabases.shared.create(serverURL: url))
        }
        let path = sqlitePath ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("caseport-test-\(UUID().uuidString).sqlite").path
        try await SQLiteTemplate.shared.copy(to: path)
        return .sqlite(path: path)
    }

    /// A new migrated database for one test with `seed`'s rows in it, and the files they name copied into
    /// `dataDirectory` (where the test's app keeps its local storage). Give it back with `drop(_:)`.
    public static func fresh(seed: TestSeed, dataDirectory: String) async throws -> DatabaseLocation {
        if let url = serverURL {
            let claimed = try await PostgresTestDatabases.shared.create(serverURL: url, seed: seed)
            try TestSeed.copyFiles(from: claimed.files, to: dataDirectory)
            return .postgres(url: claimed.url)
        }
        let folder = try await SeededSQLiteTemplates.shared.folder(for: seed)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("caseport-test-\(UUID().uuidString).sqlite").path
        try FileManager.default.copyItem(atPath: folder + "/db.sqlite", toPath: path)
        try TestSeed.copyFiles(from: folder + "/data", to: dataDirectory)
        return .sqlite(path: path)
    }

    /// Removes a database made by `fresh`: the SQLite file, or the PostgreSQL database (after the
    /// test's connections are closed). Leftovers of killed runs are swept by later runs.
    public static func drop(_ location: DatabaseLocation) async {
        switch location {
        case .sqlite(let path):
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        case .postgres(let url):
            guard let server = serverURL else { return }
            await PostgresTestDatabases.shared.drop(url: url, serverURL: server)
        }
    }

    /// Runs every migration on a database (used to build the templates).
    static func migrate(_ location: DatabaseLocation) async throws {
        try await withDatabase(at: location, label: "caseport.test.template") { databases, database, logger in
            let migrations = Migrations()
            migrations.add(CaseportMigrations.all)
            let migrator = Migrator(databases: databases, migrations: migrations, logger: logger,
                                    on: MultiThreadedEventLoopGroup.singleton.any())
            try await migrator.setupIfNeeded().get()
            try await migrator.prepareBatch().get()
        }
    }

    /// Runs `body` on the database at `location` over connections of its own, prepared as the app prepares
    /// its own (`DatabasePreparation`) and closed when it returns or throws.
    static func withDatabase(at location: DatabaseLocation, label: String,
                             _ body: (Databases, any Database, Logger) async throws -> Void) async throws {
        let databases = Databases(threadPool: NIOThreadPool.singleton, on: MultiThreadedEventLoopGroup.singleton)
        do {
            databases.use(try location.factory(), as: location.databaseID)
            var logger = Logger(label: label)
            logger.logLevel = .warning
            let database = databases.database(logger: logger, on: MultiThreadedEventLoopGroup.singleton.any())!
            try await DatabasePreparation.prepare(database)
            try await body(databases, database, logger)
        } catch {
            await databases.shutdownAsync()
            throw error
        }
        await databases.shutdownAsync()
    }
}

/// A migrated, empty database without the web layer, for store tests.
public final class StoreHarness: @unchecked Sendable {
    public let databases: Databases
    public let location: DatabaseLocation
    public let database: any Database

    public init() async throws {
        location = try await TestDatabase.fresh()
        databases = Databases(threadPool: NIOThreadPool.singleton, on: MultiThreadedEventLoopGroup.singleton)
        databases.use(try location.factory(), as: location.databaseID)
        var logger = Logger(label: "caseport.test")
        logger.logLevel = .warning
        database = databases.database(logger: logger, on: MultiThreadedEventLoopGroup.singleton.any())!
        try await DatabasePreparation.prepare(database)
    }

    public func shutdown() async {
        await databases.shutdownAsync()
        await TestDatabase.drop(location)
    }
}

/// A password hasher for store tests: not bcrypt, but it does not need to be; what is tested here is
/// which rows exist, not how passwords are checked (the web tests use real bcrypt).
public struct PlainTestHasher: PasswordHashing {
    public init() {}
    public func hash(_ password: String) async throws -> String { "plain:" + password }
    public func verify(_ password: String, against hash: String) async throws -> Bool { hash == "plain:" + password }
}
