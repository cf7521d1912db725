import CaseportCore
import CaseportStore
import FluentKit
import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit

/// Where tests keep their data: PostgreSQL when `DATABASE_URL` is set (CI runs the suite both ways),
/// otherwise a new SQLite file per test.
public enum TestDatabase {
    public static var isPostgres: Bool { ProcessInfo.processInfo.environment["DATABASE_URL"]?.isEmpty == false }

    public static func freshLocation() -> DatabaseLocation {
        if let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty {
            return .postgres(url: url)
        }
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("caseport-test-\(UUID().uuidString).sqlite").path
        return .sqlite(path: path)
    }

    /// Empties a PostgreSQL database shared by the tests, so each test starts from nothing.
    public static func wipe(_ database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
        try await sql.raw("DROP SCHEMA public CASCADE").run()
        try await sql.raw("CREATE SCHEMA public").run()
    }

    public static func removeFiles(of location: DatabaseLocation) {
        guard case .sqlite(let path) = location else { return }
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}

/// A migrated, empty database without the web layer, for store tests.
public final class StoreHarness: @unchecked Sendable {
    public let databases: Databases
    public let location: DatabaseLocation
    public let database: any Database

    public init() async throws {
        location = TestDatabase.freshLocation()
        databases = Databases(threadPool: NIOThreadPool.singleton, on: MultiThreadedEventLoopGroup.singleton)
        databases.use(try location.factory(), as: location.databaseID)
        var logger = Logger(label: "caseport.test")
        logger.logLevel = .warning
        database = databases.database(logger: logger, on: MultiThreadedEventLoopGroup.singleton.any())!
        try await TestDatabase.wipe(database)
        try await DatabasePreparation.prepare(database)
        let migrations = Migrations()
        migrations.add(CaseportMigrations.all)
        let migrator = Migrator(databases: databases, migrations: migrations, logger: logger,
                                on: MultiThreadedEventLoopGroup.singleton.any())
        try await migrator.setupIfNeeded().get()
        try await migrator.prepareBatch().get()
    }

    public func shutdown() async {
        await databases.shutdownAsync()
        TestDatabase.removeFiles(of: location)
    }
}

/// A password hasher for store tests: not bcrypt, but it does not need to be; what is tested here is
/// which rows exist, not how passwords are checked (the web tests use real bcrypt).
public struct PlainTestHasher: PasswordHashing {
    public init() {}
    public func hash(_ password: String) async throws -> String { "plain:" + password }
    public func verify(_ password: String, against hash: String) async throws -> Bool { hash == "plain:" + password }
}
