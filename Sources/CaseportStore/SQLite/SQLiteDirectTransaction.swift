import FluentKit
import NIOConcurrencyHelpers
import NIOCore
import SQLKit

/// A transaction on the server's SQLite writer (issue 17, session 19): every statement, Fluent's model
/// queries included, runs on the calling thread, so the write lock is held for the statements' own time
/// and not across hops to NIO's thread pool and back. Made by `SQLiteRoutedDatabase` while it holds the write
/// gate: for a transaction, and to run one write outside a transaction (its `rows`) in autocommit.
struct SQLiteDirectTransaction: Database, SQLDatabase {
    let writer: SQLiteDirectConnection
    let connections: SQLiteDirectConnections
    let context: DatabaseContext
    let dialect: any SQLDialect
    let version: (any SQLDatabaseReportedVersion)?
    let queryLogLevel: Logger.Level?
    /// Statements of one transaction started by concurrent tasks take turns on the connection.
    private let turn = NIOLock()

    init(writer: SQLiteDirectConnection, connections: SQLiteDirectConnections, context: DatabaseContext,
         dialect: any SQLDialect, version: (any SQLDatabaseReportedVersion)?, queryLogLevel: Logger.Level?) {
        self.writer = writer
        self.connections = connections
        self.context = context
        self.dialect = dialect
        self.version = version
        self.queryLogLevel = queryLogLevel
    }

    var inTransaction: Bool { true }
    var logger: Logger { context.logger }
    var eventLoop: any EventLoop { context.eventLoop }

    /// Runs a statement and answers its rows.
    func rows(_ query: any SQLExpression) throws -> [SQLiteDirectRow] {
        let (text, binds) = serialize(query)
        return try rows(text, binds)
    }

    func rows(_ text: String, _ binds: [any Encodable & Sendable]) throws -> [SQLiteDirectRow] {
        if let level = queryLogLevel {
            logger.log(level: level, "Executing query", metadata: [
                "sql": .string(text), "binds": .array(binds.map { .string("\($0)") }), "direct": "writer",
            ])
        }
        let values = try connections.values(binds)
        return try turn.withLock { try writer.run(text, binds: values) }
    }

    // Database

    func execute(query: DatabaseQuery, onOutput: @escaping @Sendable (any DatabaseOutput) -> Void) -> EventLoopFuture<Void> {
        do {
            for row in try rows(SQLiteFluentQueries.sql(for: query)) { onOutput(SQLRowOutput(row: row)) }
            return eventLoop.makeSucceededVoidFuture()
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
    }

    func execute(schema: DatabaseSchema) -> EventLoopFuture<Void> {
        eventLoop.makeFailedFuture(SQLiteDirectError(code: -1, message: "no schema changes in a transaction on SQLite's writer"))
    }

    func execute(enum: DatabaseEnum) -> EventLoopFuture<Void> {
        eventLoop.makeSucceededVoidFuture()
    }

    func transaction<T: Sendable>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        closure(self)
    }

    func withConnection<T: Sendable>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        closure(self)
    }

    // SQLDatabase

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        do {
            try rows(query).forEach(onRow)
            return eventLoop.makeSucceededVoidFuture()
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try rows(query).forEach(onRow)
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await closure(self)
    }
}
