import CaseportStore
import FluentKit
import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit
import XCTest

/// DATABASE_URL's libpq form `?host=<directory>` connects through PostgreSQL's Unix socket
/// (`<directory>/.s.PGSQL.<port>`), not TCP. Runs on the test server when `scripts/start-test-postgres.sh`
/// named its socket directory (CASEPORT_TEST_PG_SOCKET_DIR).
final class PostgresSocketTests: XCTestCase {
    func testASocketDirectoryInTheURLConnectsThroughTheSocket() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let serverURL = environment["DATABASE_URL"], !serverURL.isEmpty,
              let directory = environment["CASEPORT_TEST_PG_SOCKET_DIR"], !directory.isEmpty,
              let tcp = URLComponents(string: serverURL), let port = tcp.port
        else { throw XCTSkip("PostgreSQL only, with CASEPORT_TEST_PG_SOCKET_DIR (scripts/start-test-postgres.sh)") }
        let user = tcp.user ?? "caseport"
        let socketURL = "postgres://\(user)@\(tcp.path)?host=\(directory)&port=\(port)"
        let location = try DatabaseLocation.from(databaseURL: socketURL, dataDirectory: "/nonexistent")

        // inet_server_addr() is NULL exactly when the connection came through a Unix socket.
        let row = try await Self.withDatabase(location) {
            try await $0.raw("SELECT current_database() AS name, inet_server_addr() IS NULL AS by_socket").first()
        }
        XCTAssertEqual(try row?.decode(column: "name", as: String.self), String(tcp.path.dropFirst()))
        XCTAssertEqual(try row?.decode(column: "by_socket", as: Bool.self), true)

        // A directory without the server's socket fails to connect (the path is really used).
        let elsewhere = try DatabaseLocation.from(databaseURL: "postgres://\(user)@\(tcp.path)?host=/nonexistent&port=\(port)",
                                                  dataDirectory: "/nonexistent")
        do {
            _ = try await Self.withDatabase(elsewhere) { try await $0.raw("SELECT 1 AS one").first() }
            XCTFail("connected through a socket directory that has none")
        } catch {}
    }

    private static func withDatabase<T: Sendable>(_ location: DatabaseLocation,
                                                  _ body: (any SQLDatabase) async throws -> T) async throws -> T {
        let databases = Databases(threadPool: NIOThreadPool.singleton, on: MultiThreadedEventLoopGroup.singleton)
        databases.use(try location.factory(), as: .psql)
        let database = databases.database(logger: Logger(label: "test.socket"), on: MultiThreadedEventLoopGroup.singleton.any())
        do {
            let result = try await body(database as! any SQLDatabase)
            await databases.shutdownAsync()
            return result
        } catch {
            await databases.shutdownAsync()
            throw error
        }
    }
}
