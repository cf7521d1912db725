import FluentKit
import NIOCore
import SQLKit

/// The database a request gets on SQLite (issue 17, session 19): Fluent's, with its statements sent to the
/// server's own connections (`SQLiteDirectConnections`), run on the calling thread:
/// - reads (SQL and Fluent's model queries) on the writer when it is free, else on a reader; one they do not
///   take runs on Fluent's connection as before;
/// - every write and every transaction, one at a time through the process's `SQLiteWriteGate`, on the
///   writer (`SQLiteDirectTransaction`), or on Fluent's connection when a writer let through after its
///   patience finds the writer lent.
/// Schema changes (migrations) run on Fluent's connection, through the gate.
struct SQLiteRoutedDatabase: Database, SQLDatabase {
    let fluent: any Database & SQLDatabase
    let connections: SQLiteDirectConnections
    let gate: SQLiteWriteGate

    // Database

    var context: DatabaseContext { fluent.context }
    var inTransaction: Bool { fluent.inTransaction }

    func execute(query: DatabaseQuery, onOutput: @escaping @Sendable (any DatabaseOutput) -> Void) -> EventLoopFuture<Void> {
        let (text, binds) = serialize(SQLiteFluentQueries.sql(for: query))
        if SQLiteFluentQueries.isRead(query) {
            guard let rows = directRows(text, binds) else { return fluent.execute(query: query, onOutput: onOutput) }
            rows.forEach { onOutput(SQLRowOutput(row: $0)) }
            return eventLoop.makeSucceededVoidFuture()
        }
        return write(text, binds, onRow: { onOutput(SQLRowOutput(row: $0)) },
                     otherwise: { fluent.execute(query: query, onOutput: onOutput) })
    }

    func execute(schema: DatabaseSchema) -> EventLoopFuture<Void> {
        gate.run(on: eventLoop) { fluent.execute(schema: schema) }
    }

    func execute(enum: DatabaseEnum) -> EventLoopFuture<Void> {
        fluent.execute(enum: `enum`)
    }

    func transaction<T: Sendable>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        gate.run(on: eventLoop) {
            guard let writer = connections.borrowWriter() else { return fluent.transaction(closure) }
            let transaction = SQLiteDirectTransaction(writer: writer, connections: connections, context: context,
                                                      dialect: dialect, version: version, queryLogLevel: queryLogLevel)
            let done = eventLoop.makeFutureWithTask {
                try writer.execute("BEGIN IMMEDIATE")
                do {
                    let result = try await closure(transaction).get()
                    try writer.execute("COMMIT")
                    return result
                } catch {
                    if writer.inTransaction { try? writer.execute("ROLLBACK") }
                    throw error
                }
            }
            // Registered before the gate's own callback on `done`, so the writer is back before the next
            // writer is let in (it would otherwise find it lent and write on Fluent's connection), and a
            // checkpoint asked for now goes before that writer.
            done.whenComplete { _ in
                connections.giveBack(writer: writer)
                checkpointIfAsked(by: writer)
            }
            return done
        }
    }

    func withConnection<T: Sendable>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        fluent.withConnection { connection in
            guard let sql = connection as? any Database & SQLDatabase, !connection.inTransaction else {
                return closure(connection)
            }
            return closure(SQLiteRoutedDatabase(fluent: sql, connections: connections, gate: gate))
        }
    }

    // SQLDatabase

    var logger: Logger { fluent.logger }
    var eventLoop: any EventLoop { context.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { fluent.version }
    var dialect: any SQLDialect { fluent.dialect }
    var queryLogLevel: Logger.Level? { fluent.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        let (text, binds) = serialize(query)
        guard SQLiteDirectConnections.isQuery(text) else {
            return write(text, binds, onRow: onRow, otherwise: { fluent.execute(sql: query, onRow) })
        }
        guard let rows = directRows(text, binds) else { return fluent.execute(sql: query, onRow) }
        rows.forEach(onRow)
        return eventLoop.makeSucceededVoidFuture()
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try await (execute(sql: query, onRow) as EventLoopFuture<Void>).get()
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await fluent.withSession(closure)
    }

    // Routing

    private func directRows(_ text: String, _ binds: [any Encodable & Sendable]) -> [SQLiteDirectRow]? {
        guard let rows = connections.rows(of: text, binds: binds) else { return nil }
        if let level = queryLogLevel {
            logger.log(level: level, "Executing query", metadata: [
                "sql": .string(text), "binds": .array(binds.map { .string("\($0)") }), "direct": "reader",
            ])
        }
        return rows
    }

    /// A write outside a transaction (or a query a reader refused): through the gate, on the writer, or
    /// `otherwise` when the writer is lent.
    private func write(_ text: String, _ binds: [any Encodable & Sendable],
                       onRow: @escaping @Sendable (SQLiteDirectRow) -> Void,
                       otherwise: @escaping @Sendable () -> EventLoopFuture<Void>) -> EventLoopFuture<Void> {
        gate.run(on: eventLoop) {
            guard let writer = connections.borrowWriter() else { return otherwise() }
            defer {
                connections.giveBack(writer: writer)
                checkpointIfAsked(by: writer)
            }
            let statement = SQLiteDirectTransaction(writer: writer, connections: connections, context: context,
                                                    dialect: dialect, version: version, queryLogLevel: queryLogLevel)
            do {
                try statement.rows(text, binds).forEach(onRow)
                return eventLoop.makeSucceededVoidFuture()
            } catch {
                return eventLoop.makeFailedFuture(error)
            }
        }
    }
}

extension SQLiteRoutedDatabase {
    /// Called by the holder of the write gate after its commit: when the log has grown to
    /// `SQLiteDirectConnection.checkpointPages`, the writer copies it into the database holding the gate
    /// (`SQLiteDirectConnections.checkpointWriter`), before any writer waiting now. The request that wrote does
    /// not wait for it, nor does any reader; writers wait in the gate without holding a thread (SQLite's
    /// automatic checkpoint copied and synced inside the commit, holding every request on that event loop: up
    /// to 75 ms a sync).
    fileprivate func checkpointIfAsked(by writer: SQLiteDirectConnection) {
        guard writer.asksForCheckpoint() else { return }
        let loop = eventLoop
        _ = gate.run(on: loop, first: true) { [connections] in
            let copied = loop.makePromise(of: Void.self)
            connections.checkpointWriter(asked: writer) { copied.succeed() }
            return copied.futureResult
        }
    }
}

/// Fluent's SQLite configuration with the server's direct connections and write gate: every database it
/// makes is a `SQLiteRoutedDatabase`, and the direct connections close with Fluent's.
struct SQLiteRoutedConfiguration: DatabaseConfiguration {
    var fluent: any DatabaseConfiguration
    let connections: SQLiteDirectConnections
    let gate = SQLiteWriteGate()

    var middleware: [any AnyModelMiddleware] {
        get { fluent.middleware }
        set { fluent.middleware = newValue }
    }

    func makeDriver(for databases: Databases) -> any DatabaseDriver {
        Driver(fluent: fluent.makeDriver(for: databases), connections: connections, gate: gate)
    }

    private struct Driver: DatabaseDriver {
        let fluent: any DatabaseDriver
        let connections: SQLiteDirectConnections
        let gate: SQLiteWriteGate

        func makeDatabase(with context: DatabaseContext) -> any Database {
            let database = fluent.makeDatabase(with: context)
            guard let sql = database as? any Database & SQLDatabase else { return database }
            return SQLiteRoutedDatabase(fluent: sql, connections: connections, gate: gate)
        }

        func shutdown() {
            connections.close()
            fluent.shutdown()
        }

        func shutdownAsync() async {
            connections.close()
            await fluent.shutdownAsync()
        }
    }
}
