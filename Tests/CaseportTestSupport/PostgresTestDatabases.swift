import CaseportStore
import FluentKit
import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit

/// PostgreSQL: each test gets `CREATE DATABASE caseport_t_… TEMPLATE caseport_tpl_<key>`, a copy of a
/// database migrated once per set of migrations, and drops it when it ends.
///
/// - The template is built under a PostgreSQL advisory lock, so test processes started at once
///   (`swift test --parallel`, or CI's suites side by side) build it once; the others wait, then clone.
/// - It is built as `…_build` and renamed when complete; a killed build leaves only `…_build`, which
///   the next builder drops.
/// - Cloning fails while anyone is connected to the template, so nobody may: it is closed to
///   connections (`ALLOW_CONNECTIONS false`) once built, and the tests look it up in `pg_database`.
/// - Per-test databases carry their creation time in their name; any older than `leftoverAge`
///   (a killed run's) are dropped by the next process that starts.
actor PostgresTestDatabases {
    static let shared = PostgresTestDatabases()
    static let testPrefix = "caseport_t_"
    static let templatePrefix = "caseport_tpl_"
    static let leftoverAge: TimeInterval = 2 * 3_600

    private var admin: (databases: Databases, database: any Database)?
    private var template: Task<String, any Error>?

    /// Creates a database for one test and answers its URL.
    func create(serverURL: String) async throws -> String {
        let template = try await ensureTemplate(serverURL: serverURL)
        let name = Self.testPrefix + "\(Int(Date().timeIntervalSince1970))_" + UUID().uuidString.prefix(8).lowercased()
        try await sql(serverURL).raw("CREATE DATABASE \(ident: name) TEMPLATE \(ident: template)").run()
        return try Self.url(serverURL, database: name)
    }

    func drop(url: String, serverURL: String) async {
        guard let name = URLComponents(string: url)?.path.dropFirst(), name.hasPrefix(Self.testPrefix) else { return }
        // FORCE: a connection the test forgot to close must not keep its database alive.
        _ = try? await sql(serverURL).raw("DROP DATABASE IF EXISTS \(ident: String(name)) WITH (FORCE)").run()
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
        // A session-level advisory lock lives on one connection: hold one for the whole build.
        try await (admin as! any Database).withConnection { connection in
            let sql = connection as! any SQLDatabase
            try await sql.raw("SELECT pg_advisory_lock(hashtext('caseport_test_template'))").run()
            do {
                if try await !exists(name, sql) {
                    let building = name + "_build"
                    try await sql.raw("DROP DATABASE IF EXISTS \(ident: building) WITH (FORCE)").run()
                    try await sql.raw("CREATE DATABASE \(ident: building)").run()
                    // Migrates over its own connections, all closed when it returns.
                    try await TestDatabase.migrate(.postgres(url: try url(serverURL, database: building)))
                    try await sql.raw("ALTER DATABASE \(ident: building) RENAME TO \(ident: name)").run()
                    try await sql.raw("ALTER DATABASE \(ident: name) WITH IS_TEMPLATE true ALLOW_CONNECTIONS false").run()
                }
            } catch {
                _ = try? await sql.raw("SELECT pg_advisory_unlock(hashtext('caseport_test_template'))").run()
                throw error
            }
            try await sql.raw("SELECT pg_advisory_unlock(hashtext('caseport_test_template'))").run()
        }
        return name
    }

    private static func exists(_ name: String, _ sql: any SQLDatabase) async throws -> Bool {
        try await sql.raw("SELECT 1 AS found FROM pg_database WHERE datname = \(bind: name)").first() != nil
    }

    /// Drops per-test databases left by runs that were killed before their tests ended.
    private static func sweepLeftovers(_ sql: any SQLDatabase) async throws {
        let rows = try await sql.raw("SELECT datname FROM pg_database WHERE datname LIKE 'caseport\\_t\\_%'").all()
        let cutoff = Date().timeIntervalSince1970 - leftoverAge
        for row in rows {
            let name = try row.decode(column: "datname", as: String.self)
            guard let created = Double(name.dropFirst(testPrefix.count).prefix { $0.isNumber }), created < cutoff else { continue }
            _ = try? await sql.raw("DROP DATABASE IF EXISTS \(ident: name) WITH (FORCE)").run()
        }
    }

    /// `DATABASE_URL` with another database name.
    static func url(_ serverURL: String, database: String) throws -> String {
        guard var components = URLComponents(string: serverURL) else { throw URLError(.badURL) }
        components.path = "/" + database
        guard let url = components.string else { throw URLError(.badURL) }
        return url
    }
}
