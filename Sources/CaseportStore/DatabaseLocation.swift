import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation

/// Where the data lives: an SQLite file under the data directory (the default) or a PostgreSQL
/// server named by `DATABASE_URL`.
public enum DatabaseLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(url: String)

    public struct Problem: Error, CustomStringConvertible {
        public let description: String
    }

    /// From the values `AppConfig` read from the environment (`DATABASE_URL`, `CASEPORT_DATA_DIR`): the
    /// store never reads the environment itself. A malformed URL is a `Problem` that says what is wrong.
    public static func from(databaseURL: String?, dataDirectory: String) throws -> DatabaseLocation {
        if let url = databaseURL?.trimmingCharacters(in: .whitespaces), !url.isEmpty {
            try validatePostgresURL(url)
            return .postgres(url: url)
        }
        return .sqlite(path: URL(fileURLWithPath: dataDirectory).appendingPathComponent("caseport.sqlite").path)
    }

    static func validatePostgresURL(_ url: String) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme else {
            throw Problem(description: "DATABASE_URL is not a URL; expected postgres://user:password@host:port/database")
        }
        guard ["postgres", "postgresql"].contains(scheme.lowercased()) else {
            throw Problem(description: "DATABASE_URL has the scheme \"\(scheme)\"; only postgres:// is supported")
        }
        guard unixSocketDirectory(components) != nil || !(components.host ?? "").isEmpty else {
            throw Problem(description: "DATABASE_URL names no host; expected postgres://user:password@host:port/database")
        }
        if let port = components.queryItems?.first(where: { $0.name == "port" })?.value,
           !(Int(port).map { (1...65_535).contains($0) } ?? false) {
            throw Problem(description: "DATABASE_URL's port=\(port) is not a port (1–65535)")
        }
        guard components.path.count > 1 else {
            throw Problem(description: "DATABASE_URL names no database; expected postgres://user:password@host:port/database")
        }
    }

    /// Where the SQLite file's folder must exist before opening it.
    public var sqliteDirectory: String? {
        guard case .sqlite(let path) = self else { return nil }
        return URL(fileURLWithPath: path).deletingLastPathComponent().path
    }

    /// A short description for logs and error lines, without the password.
    public var summary: String {
        switch self {
        case .sqlite(let path): return "SQLite at \(path)"
        case .postgres(let url):
            let components = URLComponents(string: url)
            if let components, let directory = Self.unixSocketDirectory(components) {
                return "PostgreSQL at \(directory) (Unix socket)\(components.path)"
            }
            let host = components?.host ?? "?"
            let port = components?.port ?? 5432
            return "PostgreSQL at \(host):\(port)\(components?.path ?? "")"
        }
    }

    /// `sqliteDirectConnections`: SQLite's statements on the server's own connections, run on the calling
    /// thread (`SQLiteRoutedDatabase`); off sends them through Fluent's connections, as before session 19.
    public func factory(sqliteDirectConnections: Bool = true) throws -> DatabaseConfigurationFactory {
        switch self {
        case .sqlite(let path):
            let fluent = DatabaseConfigurationFactory.sqlite(.file(path), sqlLogLevel: .trace)
            guard sqliteDirectConnections else { return fluent }
            return DatabaseConfigurationFactory {
                SQLiteRoutedConfiguration(fluent: fluent.make(), connections: SQLiteDirectConnections(path: path))
            }
        case .postgres(let url):
            var configuration = try Self.postgresConfiguration(url: url)
            // No JIT compilation: it pays for long analytic queries, and a portal's statements take a
            // millisecond or two. The planner's row estimates for a prefix match in the scoped search
            // column (M049) are far too high (58 703 rows for 286), which put a search's cost over
            // `jit_above_cost` and compiled it: 22 ms against 1 (issue 17, session 22, EXPLAIN ANALYZE).
            configuration.coreConfiguration.options.additionalStartupParameters.append(("jit", "off"))
            let fluent = DatabaseConfigurationFactory.postgres(configuration: configuration, maxConnectionsPerEventLoop: 4,
                                                               connectionPoolTimeout: .seconds(10), sqlLogLevel: .trace)
            // Beside Fluent's connections, as many for the statements that ask for a generic plan.
            let postgres = configuration
            return DatabaseConfigurationFactory {
                PostgresWithGenericPlansConfiguration(fluent: fluent.make(), postgres: postgres,
                                                      maxConnectionsPerEventLoop: 4, requestTimeout: .seconds(10))
            }
        }
    }

    /// libpq's form for a server on the same machine: `postgres://user@/database?host=/run/postgresql`
    /// connects through the Unix socket `<host>/.s.PGSQL.<port>` (5432 unless the URL names a port, in the
    /// authority or as `port=`), as psql does with the same URL. Any other URL is PostgresKit's (TCP).
    /// The socket costs PostgreSQL less than loopback TCP: about 5 % of its CPU a request under the realistic
    /// mix (docs/PERFORMANCE.md, session 25).
    public static func postgresConfiguration(url: String) throws -> SQLPostgresConfiguration {
        guard let components = URLComponents(string: url), let directory = unixSocketDirectory(components) else {
            return try SQLPostgresConfiguration(url: url)
        }
        let database = String(components.path.dropFirst())
        let port = components.port ?? components.queryItems?.first(where: { $0.name == "port" })?.value.flatMap { Int($0) }
        let socket = "\(directory)/.s.PGSQL.\(port ?? 5432)"
        return SQLPostgresConfiguration(unixDomainSocketPath: socket, username: components.user ?? "postgres",
                                        password: components.password, database: database.isEmpty ? nil : database)
    }

    /// The `host` query item when it names a directory (libpq's way of asking for the Unix socket).
    static func unixSocketDirectory(_ components: URLComponents) -> String? {
        guard let host = components.queryItems?.first(where: { $0.name == "host" })?.value, host.hasPrefix("/") else {
            return nil
        }
        return host.hasSuffix("/") && host.count > 1 ? String(host.dropLast()) : host
    }

    public var databaseID: DatabaseID {
        switch self {
        case .sqlite: return .sqlite
        case .postgres: return .psql
        }
    }
}

public enum DatabasePreparation {
    /// Settings that SQLite keeps per database file: WAL lets readers work while one writer writes.
    public static func prepare(_ database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
        _ = try await sql.raw("PRAGMA journal_mode = WAL").all()
    }

    /// Per-connection SQLite settings: a 16 MB page cache, and no memory-mapped reads. SQLite forgets
    /// them when a connection closes, so they are applied to each connection the pools hold. (Without the
    /// mapping the cache is the server's own memory. It is emptied whenever another connection wrote, so the
    /// realistic mix costs the same with 8, 16 or 32 MB; a filtered list alone, which reads every visible
    /// case's row, cost 4.0–4.6 ms with 32 MB, 4.7–5.3 with 16 and 6.5–7.5 with 8. With 16 MB the server's
    /// own memory stayed at 46–56 MB under the mix, 48–99 with 32.)
    ///
    /// Memory-mapped reads (they were 1 GB) cost more than they saved once people write (issue 17): in WAL
    /// mode a connection whose next read finds the database changed drops its page cache and unmaps the
    /// whole mapping, and every page it then touches faults back in. In the realistic mix something is
    /// written all the time (a case view records the visit), so munmap and page faults were 8 % of a case
    /// view's CPU in perf; without the mapping the whole mix cost 4.6 ms a request against 5.9–6.6 (SQLite,
    /// 1 000 000 cases, pairs run back to back). A read-only run (one list page alone) is about the same
    /// either way.
    public static func tune(_ connection: any Database) async throws {
        // On the server's routed database these are Fluent's own connections' settings (its direct
        // connections set theirs when they open).
        let fluent = (connection as? SQLiteRoutedDatabase)?.fluent ?? connection
        guard let sql = fluent as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
        _ = try await sql.raw("PRAGMA mmap_size = 0").all()
        _ = try await sql.raw("PRAGMA cache_size = -16384").all()
        _ = try await sql.raw("PRAGMA synchronous = NORMAL").all()
        // Wait for another connection's write instead of answering "database is locked" at once.
        _ = try await sql.raw("PRAGMA busy_timeout = 5000").all()
    }

    /// Answers whether the database can be reached right now (health check).
    public static func ping(_ database: any Database) async -> Bool {
        guard let sql = database as? any SQLDatabase else { return false }
        do {
            _ = try await sql.raw("SELECT 1 AS ok").first()
            return true
        } catch {
            return false
        }
    }
}
