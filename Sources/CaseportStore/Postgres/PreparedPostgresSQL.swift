import FluentKit
import Foundation
import NIOCore
import PostgresKit
import PostgresNIO
import SQLKit
import Synchronization

/// The store's SQL on PostgreSQL as named prepared statements: each statement text is parsed, and once
/// PostgreSQL settles on a generic plan also planned, once per connection instead of on every call.
/// PostgresNIO sends a plain query unnamed, so PostgreSQL parsed and planned it afresh each time: about
/// 37 % of its CPU in the realistic mix (docs/PERFORMANCE.md, session 15).
///
/// PostgresNIO prepares and caches statements per connection itself, but only for types whose `name` and
/// `sql` are static; the store builds its SQL at run time. `DynamicStatement` therefore reads them from a
/// task-local value that `execute` sets around the one call that reads them.
///
/// A statement whose preparation fails leaves its name failed on that connection for good (PostgresNIO
/// remembers the error; in a transaction a preparation fails whenever an earlier statement did), so a text
/// that fails gets a new name, and after three failures goes the plain way (`PreparedStatementNames.failed`).
struct PreparedPostgresSQL: SQLDatabase {
    let sql: any SQLDatabase
    let postgres: any PostgresDatabase
    /// The database's configuration, where statements marked `genericPlan()` find the connections they run on
    /// (`PostgresWithGenericPlansConfiguration`); nil: they run on `postgres` like the rest (in a transaction).
    /// Looked into only for a marked statement: `requireSQL` makes one of these for every statement.
    var configuration: (any DatabaseConfiguration)? = nil
    let names: PreparedStatementNames

    var logger: Logger { sql.logger }
    var eventLoop: any EventLoop { sql.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { sql.version }
    var dialect: any SQLDialect { sql.dialect }
    var queryLogLevel: Logger.Level? { sql.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        eventLoop.makeFutureWithTask { try await self.execute(sql: query, onRow) }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        let (text, binds) = serialize(query)
        guard PreparedStatementNames.isPlainStatement(text),
              let bound = try BoundValues(binds),
              let name = names.name(for: .init(sql: text, types: bound.types))
        else {
            return try await sql.execute(sql: query, onRow)
        }
        let statement = DynamicStatement.Text(name: name, sql: text, types: bound.types)
        let bindings = bound.bindings
        let logger = self.logger
        var connections = postgres
        if GenericPlanConnections.isMarked(text),
           let generic = (configuration as? PostgresWithGenericPlansConfiguration)?.genericPlans {
            connections = generic.database(on: eventLoop, logger: logger)
        }
        do {
            try await connections.withConnection { connection in
                connection.eventLoop.makeFutureWithTask {
                    try await DynamicStatement.$current.withValue(statement) {
                        let rows = try await connection.execute(DynamicStatement(bindings: bindings), logger: logger)
                        var columns: PostgresColumnPositions?
                        for try await row in rows {
                            let positions = columns ?? PostgresColumnPositions(row)
                            columns = positions
                            onRow(PostgresStoreRow(row, columns: positions))
                        }
                    }
                }
            }.get()
        } catch let error as PSQLError {
            names.failed(.init(sql: text, types: bound.types), error: error)
            throw error
        }
    }
}

/// A prepared statement whose name, text and parameter types are the ones `PreparedPostgresSQL.execute`
/// set for the current task.
private struct DynamicStatement: PostgresPreparedStatement {
    struct Text: Sendable {
        let name: String
        let sql: String
        let types: [PostgresDataType]
    }

    @TaskLocal static var current: Text?

    static var name: String { current!.name }
    static var sql: String { current!.sql }
    // The same parameter types a plain query would send, so that PostgreSQL reads the binary values
    // as what they are (it would otherwise infer int4 where an Int is sent as int8).
    static var bindingDataTypes: [PostgresDataType] { current!.types }

    let bindings: PostgresBindings

    func makeBindings() throws -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}

/// A statement's values encoded as PostgresKit encodes them, or nil when one of them takes its slow path
/// (through `Encodable`), which is left to the plain path.
private struct BoundValues {
    var bindings: PostgresBindings
    var types: [PostgresDataType] = []

    init?(_ values: [any Encodable & Sendable]) throws {
        bindings = PostgresBindings(capacity: values.count)
        for value in values {
            guard try append(value) else { return nil }
        }
    }

    private mutating func append<Value: Encodable>(_ value: Value) throws -> Bool {
        if let optional = value as? any OptionalValue, optional.isNone {
            bindings.appendNull()
            types.append(.null)
        } else if let encodable = value as? any PostgresThrowingDynamicTypeEncodable {
            try bindings.append(encodable, context: .default)
            types.append(encodable.psqlType)
        } else {
            return false
        }
        return true
    }
}

private protocol OptionalValue { var isNone: Bool { get } }
extension Optional: OptionalValue {
    var isNone: Bool { self == nil }
}

/// The names given to statement texts, shared by all connections of the process.
public final class PreparedStatementNames: Sendable {
    struct Key: Hashable, Sendable {
        let sql: String
        let types: [PostgresDataType]
    }

    private enum Entry {
        case named(String, failures: Int)
        case plain
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var issued = 0
    }

    /// Every connection keeps every statement it prepared until it closes; texts that differ only in
    /// their number of values (`IN (…)` lists) make new ones, so the number of names is bounded.
    let limit: Int
    static let failuresBeforePlain = 3
    private let state = Mutex(State())

    init(limit: Int) {
        self.limit = limit
    }

    /// The process's names. `configure` sets `isEnabled` from CASEPORT_PG_PREPARED (off: to compare).
    public static let shared = PreparedStatementNames(limit: 1000)

    private let enabled = Atomic<Bool>(true)
    public var isEnabled: Bool {
        get { enabled.load(ordering: .relaxed) }
        set { enabled.store(newValue, ordering: .relaxed) }
    }

    /// The text's name, or nil: send it the plain way (beyond the limit, or after failing too often).
    func name(for key: Key) -> String? {
        state.withLock { state in
            switch state.entries[key] {
            case .named(let name, _): return name
            case .plain: return nil
            case nil:
                guard let name = Self.issue(&state, limit: limit) else { return nil }
                state.entries[key] = .named(name, failures: 0)
                return name
            }
        }
    }

    /// A statement failed. Unless it failed as a statement can on any run with the values it was given (a
    /// data exception such as a division by zero or a value out of range, class 22; a constraint, class 23;
    /// a serialization failure or deadlock, class 40), its preparation may have failed and its name with it on
    /// that connection: the text gets a new one, and after `failuresBeforePlain` failures is sent the plain
    /// way. (Values a visitor typed can cause the first three classes, so they must not demote a statement.)
    func failed(_ key: Key, error: PSQLError) {
        let code = error.serverInfo?[.sqlState] ?? ""
        guard !["22", "23", "40"].contains(where: code.hasPrefix) else { return }
        state.withLock { state in
            guard case .named(_, let failures)? = state.entries[key] else { return }
            if failures + 1 < Self.failuresBeforePlain, let name = Self.issue(&state, limit: limit) {
                state.entries[key] = .named(name, failures: failures + 1)
            } else {
                state.entries[key] = .plain
            }
        }
    }

    private static func issue(_ state: inout State, limit: Int) -> String? {
        guard state.issued < limit else { return nil }
        state.issued += 1
        return "caseport_\(state.issued)"
    }

    /// How many names were given.
    var issued: Int { state.withLock { $0.issued } }

    /// Only statements that read or write rows are prepared; schema changes and session commands
    /// (migrations, `SET`, `LISTEN`) are not worth a name and may change what a name means.
    static func isPlainStatement(_ sql: String) -> Bool {
        ["SELECT", "WITH", "INSERT", "UPDATE", "DELETE"].contains(sql.sqlLeadingKeyword)
    }
}
