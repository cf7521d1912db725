import CaseportStore
import FluentKit
import FluentPostgresDriver
import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit

/// PostgreSQL: each test gets a migrated, empty database of its own, from a pool the server keeps between
/// runs; a database is cloned from a template only when every pooled one is in use.
///
/// - The template (`caseport_tpl_<key>`) is migrated once per set of migrations, under a PostgreSQL
///   advisory lock, so test processes started at once (`swift test --parallel`, or CI's suites side by
///   side) build it once; the others wait, then clone. It is built as `…_b` and renamed when complete;
///   a killed build leaves only `…_b`, which the next builder drops. Cloning fails while anyone is
///   connected to the template, so nobody may: it is closed to connections (`ALLOW_CONNECTIONS false`)
///   once built, and the tests look it up in `pg_database`. It carries `PostgresTestReset`'s schema.
/// - A seeded template (`TestSeed`: the web tests' demo) is a clone of that one with the seed's rows written
///   and the reset's copies taken again, once per test run: `caseport_tpl_<key>_<seed>_<hour>_<run>`, its
///   stored files in `filesFolder`.
/// - The pool: each template's clones, `caseport_p_<key>_p_…` and `caseport_p_<key>_<seed>_<hour>_<run>_p_…`
///   (`poolPrefix(of:)`). A test claims one with a session-level advisory lock
///   (`pg_try_advisory_lock`) on a connection its process holds, so a killed test's claim ends with its
///   process; `reset()` empties it, and when the test ends its leftover connections are closed and the
///   lock let go. A clone whose schema a test changed is dropped and another cloned.
/// - Why a pool: `CREATE DATABASE` copied the template's 11 MB through the write-ahead log and every
///   `DROP DATABASE` forced a checkpoint (all dirty buffers of the server written) — with four tests at
///   once, most of the suite's time on PostgreSQL (session 31).
/// - Without a superuser (`reset()` needs one) every test gets a clone that is dropped when it ends.
/// - Databases of other template keys (older migrations), seeded templates and their clones of runs over
///   `TestRun.sweepHours` old, and per-test clones older than `leftoverAge` (a killed run's), are dropped
///   by the next process that starts.
actor PostgresTestDatabases {
    static let shared = PostgresTestDatabases()
    static let testPrefix = "caseport_t_"
    static let poolPrefix = "caseport_p_"
    static let templatePrefix = "caseport_tpl_"
    static let leftoverAge: TimeInterval = 2 * 3_600

    private var admin: (databases: Databases, database: any Database)?
    private var template: Task<String, any Error>?
    private var seeded: [String: Task<String, any Error>] = [:]
    /// Holds this process's claims on pooled databases (its session-level advisory locks).
    private var claims: PostgresConnection?
    /// The pooled databases this process has claimed (a session's advisory locks are re-entrant, so
    /// the server would let it claim one twice).
    private var claimed: Set<String> = []
    private var canReset: Bool?
    private let logger: Logger = {
        var logger = Logger(label: "caseport.test.databases")
        logger.logLevel = .warning
        return logger
    }()

    /// Claims (or clones) a migrated, empty database for one test and answers its URL.
    func create(serverURL: String) async throws -> String {
        let template = try await ensureTemplate(serverURL: serverURL)
        return try await claim(from: template, serverURL: serverURL)
    }

    /// Claims (or clones) a database with `seed`'s rows for one test: its URL, and the folder holding the
    /// files those rows name (to be copied into the test's data directory).
    func create(serverURL: String, seed: TestSeed) async throws -> (url: String, files: String) {
        let template = try await ensureSeeded(seed, serverURL: serverURL)
        return (try await claim(from: template, serverURL: serverURL), Self.filesFolder(of: template))
    }

    /// A pooled clone of `template`, reset, or a new clone when every pooled one is in use.
    private func claim(from template: String, serverURL: String) async throws -> String {
        let admin = try sql(serverURL)
        if canReset == nil {
            canReset = try await admin.raw("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").first()?
                .decode(column: "rolsuper", as: Bool.self) ?? false
        }
        guard canReset == true else {
            let name = Self.testPrefix + "\(Int(Date().timeIntervalSince1970))_" + Self.suffix()
            try await admin.raw("CREATE DATABASE \(ident: name) TEMPLATE \(ident: template)").run()
            return try Self.url(serverURL, database: name)
        }
        let prefix = Self.poolPrefix(of: template)
        let pooled = try await admin.raw("SELECT datname FROM pg_database WHERE starts_with(datname, \(bind: prefix)) ORDER BY datname").all()
            .map { try $0.decode(column: "datname", as: String.self) }
        for name in pooled where !claimed.contains(name) {
            guard try await lock(name, serverURL: serverURL) else { continue }
            let url = try Self.url(serverURL, database: name)
            do {
                if try await reset(url) { return url }
            } catch {
                // Dropped since it was listed (another checkout's process swept it): on to the next.
                guard try await !Self.exists(name, admin) else { throw error }
                try await unlock(name)
                continue
            }
            // A test changed its schema: another clone takes its place.
            try await admin.raw("DROP DATABASE IF EXISTS \(ident: name) WITH (FORCE)").run()
            try await unlock(name)
        }
        let name = prefix + Self.suffix()
        guard try await lock(name, serverURL: serverURL) else { throw PoolProblem(description: "\(name) is claimed already") }
        try await admin.raw("CREATE DATABASE \(ident: name) TEMPLATE \(ident: template)").run()
        return try Self.url(serverURL, database: name)
    }

    /// The pool of a template's clones: `caseport_tpl_<rest>` → `caseport_p_<rest>_p_…`. No template's prefix
    /// begins another's (the migrated template's name is a prefix of the seeded ones').
    static func poolPrefix(of template: String) -> String {
        poolPrefix + template.dropFirst(templatePrefix.count) + "_p_"
    }

    /// Where a seeded template's files are kept, beside the server (tests and their server share a machine).
    static func filesFolder(of template: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("caseport-test-seed-pg-" + template).path
    }

    func drop(url: String, serverURL: String) async {
        guard let name = URLComponents(string: url)?.path.dropFirst().description else { return }
        if name.hasPrefix(Self.poolPrefix), claimed.contains(name) {
            // A connection the test forgot to close must not write into the next test's database.
            _ = try? await sql(serverURL).raw("""
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = \(bind: name) AND pid <> pg_backend_pid()
                """).run()
            _ = try? await unlock(name)
        } else if name.hasPrefix(Self.testPrefix) {
            // FORCE: a connection the test forgot to close must not keep its database alive.
            _ = try? await sql(serverURL).raw("DROP DATABASE IF EXISTS \(ident: name) WITH (FORCE)").run()
        }
    }

    struct PoolProblem: Error, CustomStringConvertible {
        let description: String
    }

    private static func suffix() -> String { UUID().uuidString.prefix(8).lowercased() }

    /// Empties a claimed database for its next test; false when its schema is no longer the template's.
    private func reset(_ url: String) async throws -> Bool {
        let logger = self.logger
        return try await Self.withConnection(to: url, logger: logger) { connection in
            try await Self.answer(to: "SELECT caseport_test_seed.reset()", on: connection, logger: logger)
        }
    }

    private func lock(_ name: String, serverURL: String) async throws -> Bool {
        let connection: PostgresConnection
        if let claims {
            connection = claims
        } else {
            connection = try await Self.connect(to: serverURL, logger: logger)
            claims = connection
        }
        let locked = try await Self.answer(to: "SELECT pg_try_advisory_lock(hashtext(\(name)))", on: connection, logger: logger)
        if locked { claimed.insert(name) }
        return locked
    }

    /// A PostgresNIO connection of its own (not from Fluent's pool: the claims' session locks must stay on one).
    private static func connect(to url: String, logger: Logger) async throws -> PostgresConnection {
        try await PostgresConnection.connect(configuration: try SQLPostgresConfiguration(url: url).coreConfiguration, id: 1, logger: logger)
    }

    /// Runs `body` on a connection of its own to `url`'s database, closed afterwards.
    private static func withConnection<Result: Sendable>(to url: String, logger: Logger,
                                                         _ body: @Sendable (PostgresConnection) async throws -> Result) async throws -> Result {
        let connection = try await connect(to: url, logger: logger)
        do {
            let result = try await body(connection)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// The one boolean a statement answers.
    private static func answer(to query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        var answer = false
        for try await value in try await connection.query(query, logger: logger).decode(Bool.self) { answer = value }
        return answer
    }

    private func unlock(_ name: String) async throws {
        claimed.remove(name)
        guard let claims else { return }
        _ = try await claims.query("SELECT pg_advisory_unlock(hashtext(\(name)))", logger: logger).collect()
    }

    /// The connection to `DATABASE_URL`'s database, used only to create and drop databases.
    private func sql(_ serverURL: String) throws -> any SQLDatabase {
        if let admin { return admin.database as! any SQLDatabase }
        let databases = Databases(threadPool: NIOThreadPool.singleton, on: MultiThreadedEventLoopGroup.singleton)
        databases.use(try DatabaseLocation.postgres(url: serverURL).factory(), as: .psql)
        var logger = Logger(label: "caseport.test.databases")
        logger.logLevel = .warning
        let database = databases.database(logger: logger, on: MultiThreadedEventLoopGroup.singleton.any())!
        admin = (databases, database)
        return database as! any SQLDatabase
    }

    /// The template's name, after building it if this process is the first to need it.
    private func ensureTemplate(serverURL: String) async throws -> String {
        if template == nil {
            let admin = try sql(serverURL)
            template = Task { try await Self.buildTemplateIfMissing(admin: admin, serverURL: serverURL) }
        }
        do {
            return try await template!.value
        } catch {
            template = nil
            throw error
        }
    }

    private static func buildTemplateIfMissing(admin: any SQLDatabase, serverURL: String) async throws -> String {
        let name = templatePrefix + TemplateKey.current
        try await sweepLeftovers(admin)
        if try await exists(name, admin) { return name }
        try await building(name, admin: admin) { sql, building in
            try await sql.raw("CREATE DATABASE \(ident: building)").run()
            // Migrates over its own connections, all closed when it returns.
            try await TestDatabase.migrate(.postgres(url: try url(serverURL, database: building)))
            try await installReset(url: try url(serverURL, database: building))
        }
        return name
    }

    /// The name of this run's template with `seed`'s rows, after building it if this process is the first to need it.
    private func ensureSeeded(_ seed: TestSeed, serverURL: String) async throws -> String {
        let migrated = try await ensureTemplate(serverURL: serverURL)
        if seeded[seed.name] == nil {
            let admin = try sql(serverURL)
            seeded[seed.name] = Task { try await Self.buildSeededIfMissing(seed, from: migrated, admin: admin, serverURL: serverURL) }
        }
        do {
            return try await seeded[seed.name]!.value
        } catch {
            seeded[seed.name] = nil
            throw error
        }
    }

    /// A clone of the migrated template with the seed written into it (its files in `filesFolder`) and the
    /// reset's copies taken again, so that a reset puts the seed's rows back.
    private static func buildSeededIfMissing(_ seed: TestSeed, from migrated: String, admin: any SQLDatabase,
                                             serverURL: String) async throws -> String {
        let name = templatePrefix + TemplateKey.current + "_\(seed.name)_\(TestRun.hour)_\(TestRun.id)"
        if try await exists(name, admin) { return name }
        try await building(name, admin: admin) { sql, building in
            try await sql.raw("CREATE DATABASE \(ident: building) TEMPLATE \(ident: migrated)").run()
            let files = filesFolder(of: name)
            try? FileManager.default.removeItem(atPath: files)
            try FileManager.default.createDirectory(atPath: files, withIntermediateDirectories: true)
            try await seed.write(into: .postgres(url: try url(serverURL, database: building)), dataDirectory: files)
            try await installReset(url: try url(serverURL, database: building), again: true)
        }
        return name
    }

    /// Builds the template `name` once among all test processes: under an advisory lock (a session-level lock
    /// lives on one connection, held for the whole build), as `<name>_b`, renamed when complete and closed to
    /// connections. A killed build leaves only `…_b`, which the next builder drops.
    private static func building(_ name: String, admin: any SQLDatabase,
                                 _ build: @escaping @Sendable (any SQLDatabase, String) async throws -> Void) async throws {
        try await (admin as! any Database).withConnection { connection in
            let sql = connection as! any SQLDatabase
            try await sql.raw("SELECT pg_advisory_lock(hashtext(\(bind: "build " + name)))").run()
            do {
                if try await !exists(name, sql) {
                    let building = name + "_b"
                    try await sql.raw("DROP DATABASE IF EXISTS \(ident: building) WITH (FORCE)").run()
                    try await build(sql, building)
                    try await sql.raw("ALTER DATABASE \(ident: building) RENAME TO \(ident: name)").run()
                    try await sql.raw("ALTER DATABASE \(ident: name) WITH IS_TEMPLATE true ALLOW_CONNECTIONS false").run()
                }
            } catch {
                _ = try? await sql.raw("SELECT pg_advisory_unlock(hashtext(\(bind: "build " + name)))").run()
                throw error
            }
            try await sql.raw("SELECT pg_advisory_unlock(hashtext(\(bind: "build " + name)))").run()
        }
    }

    /// `PostgresTestReset`'s schema, in a template: `again` replaces the one it was cloned with (whose copies
    /// hold only the migrations' rows).
    private static func installReset(url: String, again: Bool = false) async throws {
        let logger = { var logger = Logger(label: "caseport.test.template"); logger.logLevel = .warning; return logger }()
        let uninstall = again ? PostgresTestReset.uninstall : []
        try await withConnection(to: url, logger: logger) { connection in
            for statement in uninstall + PostgresTestReset.install {
                _ = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger).collect()
            }
        }
    }

    private static func exists(_ name: String, _ sql: any SQLDatabase) async throws -> Bool {
        try await sql.raw("SELECT 1 AS found FROM pg_database WHERE datname = \(bind: name)").first() != nil
    }

    /// Drops per-test databases left by runs that were killed before their tests ended, and pooled
    /// databases of other template keys that nobody claims.
    private static func sweepLeftovers(_ sql: any SQLDatabase) async throws {
        let pooled = try await sql.raw("SELECT datname FROM pg_database WHERE starts_with(datname, \(bind: poolPrefix))").all()
        for row in pooled {
            let name = try row.decode(column: "datname", as: String.self)
            guard !name.hasPrefix(poolPrefix + TemplateKey.current + "_") || isOfAFinishedRun(name) else { continue }
            // Not while another process (of an older checkout, still running) holds it.
            let free = try await sql.raw("SELECT NOT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = hashtext(\(bind: name))::oid) AS free")
                .first()?.decode(column: "free", as: Bool.self) ?? false
            if free { _ = try? await sql.raw("DROP DATABASE IF EXISTS \(ident: name) WITH (FORCE)").run() }
        }
        // Seeded templates of runs that ended hours ago (a template must be unmarked before it can be dropped).
        let templates = try await sql.raw("SELECT datname FROM pg_database WHERE starts_with(datname, \(bind: templatePrefix))").all()
        for row in templates {
            let name = try row.decode(column: "datname", as: String.self)
            guard isOfAFinishedRun(name) else { continue }
            _ = try? await sql.raw("ALTER DATABASE \(ident: name) WITH IS_TEMPLATE false").run()
            _ = try? await sql.raw("DROP DATABASE IF EXISTS \(ident: name) WITH (FORCE)").run()
            try? FileManager.default.removeItem(atPath: filesFolder(of: name))
        }
        let rows = try await sql.raw("SELECT datname FROM pg_database WHERE datname LIKE 'caseport\\_t\\_%'").all()
        let cutoff = Date().timeIntervalSince1970 - leftoverAge
        for row in rows {
            let name = try row.decode(column: "datname", as: String.self)
            guard let created = Double(name.dropFirst(testPrefix.count).prefix { $0.isNumber }), created < cutoff else { continue }
            _ = try? await sql.raw("DROP DATABASE IF EXISTS \(ident: name) WITH (FORCE)").run()
        }
    }

    /// A seeded template, or a clone of one, made more than `TestRun.sweepHours` ago (its run is over).
    static func isOfAFinishedRun(_ name: String) -> Bool {
        guard let hour = TestRun.hour(inName: name, separator: "_") else { return false }
        return hour < TestRun.hour - TestRun.sweepHours
    }

    /// `DATABASE_URL` with another database name.
    static func url(_ serverURL: String, database: String) throws -> String {
        guard var components = URLComponents(string: serverURL) else { throw URLError(.badURL) }
        components.path = "/" + database
        guard let url = components.string else { throw URLError(.badURL) }
        return url
    }
}
