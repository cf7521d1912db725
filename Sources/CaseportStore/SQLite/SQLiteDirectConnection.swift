import FluentKit
import NIOCore
import SQLiteNIO
import Synchronization
import VaporCSQLite

/// One SQLite connection run directly on the calling thread, with its prepared statements kept (issue 17,
/// session 19). `SQLiteDirectReads` lends it to one thread at a time, which runs a statement on it to the end.
///
/// A reader is opened with `query_only` and runs only statements SQLite calls read-only; the one writer runs
/// anything, inside the write gate. Both are opened read-write (a read-only handle on a WAL file has cases of
/// its own).
final class SQLiteDirectConnection: @unchecked Sendable {
    enum Role: Sendable {
        case reader
        case writer
    }

    /// A prepared statement and its columns, kept for the next run of the same text.
    private final class Prepared {
        let handle: OpaquePointer
        var columns: SQLiteColumnIndex
        var preparedCount: Int32

        init(handle: OpaquePointer) {
            self.handle = handle
            self.columns = SQLiteColumnIndex(statement: handle)
            self.preparedCount = sqlite_nio_sqlite3_stmt_status(handle, SQLITE_STMTSTATUS_REPREPARE, 0)
        }

        /// SQLite prepares a statement again when the schema changed; its columns may have changed with it.
        func currentColumns() -> SQLiteColumnIndex {
            let count = sqlite_nio_sqlite3_stmt_status(handle, SQLITE_STMTSTATUS_REPREPARE, 0)
            if count != preparedCount {
                columns = SQLiteColumnIndex(statement: handle)
                preparedCount = count
            }
            return columns
        }
    }

    private enum Entry {
        case prepared(Prepared)
        /// A text a reader must not run (it writes, or it does not prepare here, e.g. another connection's
        /// temporary table): the caller's own connection runs it.
        case elsewhere
    }

    /// Texts that differ only in the number of values (`IN (…)` lists) are different statements; the cache
    /// is emptied when it holds this many.
    static let statementLimit = 256

    let role: Role
    private var handle: OpaquePointer?
    private var statements: [String: Entry] = [:]
    /// The writer's log after its last commit, in pages (set by `sqlite3_wal_hook`).
    private let pagesLogged = Atomic<Int32>(0)
    /// A checkpoint is asked for and has not run yet.
    private let checkpointAsked = Atomic<Bool>(false)
    private let checkpointsRun = Atomic<Int>(0)

    /// The log's length, in pages, from which the writer's log is copied into the database: SQLite's own
    /// automatic checkpoint's (`wal_autocheckpoint`).
    static let checkpointPages: Int32 = 1_000

    init(path: String, role: Role) throws {
        self.role = role
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI | SQLITE_OPEN_EXRESCODE
        let opened = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
        guard opened == SQLITE_OK, let handle else {
            if let handle { sqlite_nio_sqlite3_close(handle) }
            throw SQLiteDirectError(code: opened, message: "cannot open \(path)")
        }
        self.handle = handle
        // The settings of Fluent's connections (DatabasePreparation.tune, SQLiteKit's foreign keys). A reader
        // waits briefly for a checkpoint's lock and otherwise goes the ordinary way; the writer waits as
        // Fluent's connections do, for another process's write.
        let pragmas: [String] = switch role {
        case .reader: ["PRAGMA query_only = 1", "PRAGMA busy_timeout = 200"]
        case .writer: ["PRAGMA foreign_keys = ON", "PRAGMA synchronous = NORMAL", "PRAGMA busy_timeout = 5000"]
        }
        for pragma in pragmas + ["PRAGMA mmap_size = 0", "PRAGMA cache_size = -16384"] {
            let code = sqlite_nio_sqlite3_exec(handle, pragma, nil, nil, nil)
            guard code == SQLITE_OK else {
                close()
                throw SQLiteDirectError(code: code, message: pragma)
            }
        }
        if role == .writer {
            // Replaces SQLite's automatic checkpoint, which copied the log and synced the file inside the
            // commit, on the event loop of the request that wrote: the hook only notes the log's length, and
            // `SQLiteRoutedDatabase` checkpoints holding the write gate, on a queue of its own.
            sqlite_nio_sqlite3_wal_hook(handle, { context, _, _, pages in
                if let context {
                    Unmanaged<SQLiteDirectConnection>.fromOpaque(context).takeUnretainedValue()
                        .pagesLogged.store(pages, ordering: .relaxed)
                }
                return SQLITE_OK
            }, Unmanaged.passUnretained(self).toOpaque())
        }
    }

    deinit { close() }

    func close() {
        guard let handle else { return }
        for case .prepared(let statement) in statements.values {
            sqlite_nio_sqlite3_finalize(statement.handle)
        }
        statements = [:]
        sqlite_nio_sqlite3_close_v2(handle)
        self.handle = nil
    }

    /// Whether the writer's log has grown to `checkpointPages` and no checkpoint is asked for yet; a true answer
    /// asks for one (the caller then runs `checkpoint()`).
    func asksForCheckpoint() -> Bool {
        pagesLogged.load(ordering: .relaxed) >= Self.checkpointPages
            && checkpointAsked.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    }

    /// Copies the log into the database file, as far as no reader still reads an older state (`PASSIVE`: it
    /// waits for no one). Run by the holder of the write gate, so no commit appends meanwhile: the copy
    /// reaches the log's end unless a reader holds it back, and the next write starts the log from its
    /// beginning. (A checkpoint beside a writer that keeps appending never reaches the end, and the log
    /// then grows without bound: session 22 measured 473 MB in a 25 s run.)
    func checkpoint() {
        defer { checkpointAsked.store(false, ordering: .releasing) }
        guard let handle else { return }
        var logged: Int32 = 0, copied: Int32 = 0
        if sqlite_nio_sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, &logged, &copied) == SQLITE_OK {
            checkpointsRun.add(1, ordering: .relaxed)
        }
    }

    /// The checkpoint asked for could not run (the connection was closed or lent): the next commit asks again.
    func checkpointNotRun() {
        checkpointAsked.store(false, ordering: .releasing)
    }

    /// Checkpoints run by `checkpoint()` so far (tests).
    var checkpoints: Int { checkpointsRun.load(ordering: .relaxed) }

    /// How many statements are kept prepared (tests).
    var keptStatements: Int {
        statements.values.count { if case .prepared = $0 { true } else { false } }
    }

    /// How often SQLite prepared a kept statement afresh since it was first prepared (tests).
    func timesPreparedAgain(_ sql: String) -> Int32? {
        guard case .prepared(let statement) = statements[sql] else { return nil }
        return sqlite_nio_sqlite3_stmt_status(statement.handle, SQLITE_STMTSTATUS_REPREPARE, 0)
    }

    /// The rows of a read, or nil when the statement writes or failed here: the caller then runs it on
    /// Fluent's connection, where a failure is reported as it always was. (The writer answers reads too when
    /// no one writes; a statement that would write is not run.)
    func rows(of sql: String, binds: [SQLiteData]) -> [SQLiteDirectRow]? {
        try? run(sql, binds: binds, onlyReads: true)
    }

    /// Runs a statement to its end and answers its rows. No row is handed out before the statement ended.
    func run(_ sql: String, binds: [SQLiteData], onlyReads: Bool = false) throws(SQLiteDirectError) -> [SQLiteDirectRow] {
        let statement = try prepared(sql)
        let handle = statement.handle
        if onlyReads, role == .writer, sqlite_nio_sqlite3_stmt_readonly(handle) == 0 { throw SQLiteDirectError.refused }
        let holdsLargeValue = try bind(binds, to: handle)
        defer {
            // Ends a reader's read transaction, so that its next read sees later writes.
            sqlite_nio_sqlite3_reset(handle)
            // The next run binds every value again, so the values are left in place: clearing them marks
            // every statement whose plan looked at a value (`x = ?` weighs whether ? is 0 or 1) for preparing
            // afresh, 2.5 times a request in the mix (session 20). A large text or blob is let go at once.
            if holdsLargeValue { sqlite_nio_sqlite3_clear_bindings(handle) }
        }
        var rows: [SQLiteDirectRow] = []
        var columns: SQLiteColumnIndex?
        while true {
            switch sqlite_nio_sqlite3_step(handle) {
            case SQLITE_ROW:
                let index = columns ?? statement.currentColumns()
                columns = index
                var values: [SQLiteData] = []
                values.reserveCapacity(index.names.count)
                for column in 0..<Int32(index.names.count) {
                    values.append(value(of: handle, at: column))
                }
                rows.append(SQLiteDirectRow(columns: index, values: values))
            case SQLITE_DONE:
                return rows
            case let code:
                throw failure(code)
            }
        }
    }

    /// Runs statements without values or rows (`BEGIN`, `COMMIT`, `ROLLBACK`).
    func execute(_ sql: String) throws(SQLiteDirectError) {
        guard let handle else { throw SQLiteDirectError(code: SQLITE_MISUSE, message: "connection closed") }
        let code = sqlite_nio_sqlite3_exec(handle, sql, nil, nil, nil)
        guard code == SQLITE_OK else { throw failure(code) }
    }

    /// Whether the connection is inside a transaction (it is not in autocommit mode).
    var inTransaction: Bool {
        guard let handle else { return false }
        return sqlite_nio_sqlite3_get_autocommit(handle) == 0
    }

    private func failure(_ code: Int32) -> SQLiteDirectError {
        let message = handle.flatMap { sqlite_nio_sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "unknown"
        return SQLiteDirectError(code: code, message: message)
    }

    private func prepared(_ sql: String) throws(SQLiteDirectError) -> Prepared {
        switch statements[sql] {
        case .prepared(let statement): return statement
        case .elsewhere: throw SQLiteDirectError.refused
        case nil: break
        }
        guard let connection = handle else { throw SQLiteDirectError(code: SQLITE_MISUSE, message: "connection closed") }
        if statements.count >= Self.statementLimit {
            for case .prepared(let statement) in statements.values {
                sqlite_nio_sqlite3_finalize(statement.handle)
            }
            statements = [:]
        }
        var statement: OpaquePointer?
        let code = sqlite_nio_sqlite3_prepare_v3(connection, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else {
            let error = failure(code)
            if let statement { sqlite_nio_sqlite3_finalize(statement) }
            if role == .reader { statements[sql] = .elsewhere }
            throw error
        }
        if role == .reader, sqlite_nio_sqlite3_stmt_readonly(statement) == 0 {
            sqlite_nio_sqlite3_finalize(statement)
            statements[sql] = .elsewhere
            throw SQLiteDirectError.refused
        }
        let entry = Prepared(handle: statement)
        statements[sql] = .prepared(entry)
        return entry
    }

    /// Values from this size on are not kept bound between runs.
    static let largeValueBytes = 64 * 1024

    /// Binds the values; answers whether one of them is large (`largeValueBytes`).
    private func bind(_ binds: [SQLiteData], to statement: OpaquePointer) throws(SQLiteDirectError) -> Bool {
        var large = false
        for (offset, value) in binds.enumerated() {
            let position = Int32(offset + 1)
            let code: Int32
            switch value {
            case .integer(let integer):
                code = sqlite_nio_sqlite3_bind_int64(statement, position, Int64(integer))
            case .float(let double):
                code = sqlite_nio_sqlite3_bind_double(statement, position, double)
            case .text(let text):
                large = large || text.utf8.count >= Self.largeValueBytes
                code = sqlite_nio_sqlite3_bind_text64(statement, position, text, UInt64(text.utf8.count),
                                                      transientValue, UInt8(SQLITE_UTF8))
            case .blob(let buffer):
                large = large || buffer.readableBytes >= Self.largeValueBytes
                code = buffer.withUnsafeReadableBytes {
                    sqlite_nio_sqlite3_bind_blob64(statement, position, $0.baseAddress, UInt64($0.count), transientValue)
                }
            case .null:
                code = sqlite_nio_sqlite3_bind_null(statement, position)
            }
            guard code == SQLITE_OK else { throw failure(code) }
        }
        // A parameter not given a value is NULL, as it was when values were cleared after each run.
        let parameters = sqlite_nio_sqlite3_bind_parameter_count(statement)
        if binds.count < parameters {
            for position in Int32(binds.count + 1)...parameters { sqlite_nio_sqlite3_bind_null(statement, position) }
        }
        return large
    }

    /// The value as SQLiteNIO reads it, so that rows decode the same either way.
    private func value(of statement: OpaquePointer, at column: Int32) -> SQLiteData {
        switch sqlite_nio_sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER:
            return .integer(SQLiteInt64(sqlite_nio_sqlite3_column_int64(statement, column)))
        case SQLITE_FLOAT:
            return .float(sqlite_nio_sqlite3_column_double(statement, column))
        case SQLITE_TEXT:
            guard let text = sqlite_nio_sqlite3_column_text(statement, column) else { return .null }
            let length = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: length), as: UTF8.self))
        case SQLITE_BLOB:
            let length = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
            var buffer = ByteBufferAllocator().buffer(capacity: length)
            if let bytes = sqlite_nio_sqlite3_column_blob(statement, column) {
                buffer.writeBytes(UnsafeRawBufferPointer(start: bytes, count: length))
            }
            return .blob(buffer)
        default:
            return .null
        }
    }
}

/// SQLite copies a value bound with this destructor before `bind` returns.
private let transientValue = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A failure of a direct connection: SQLite's (extended) result code and message. It is a Fluent
/// `DatabaseError`, so that a unique key's violation reads as one, as SQLiteNIO's errors do.
struct SQLiteDirectError: Error, CustomStringConvertible, DatabaseError {
    let code: Int32
    let message: String

    /// A reader does not run this statement (it writes, or does not prepare there).
    static let refused = SQLiteDirectError(code: -1, message: "not a read")

    var description: String { "SQLite error \(code): \(message)" }

    private var primaryCode: Int32 { code & 0xFF }
    var isSyntaxError: Bool { primaryCode == SQLITE_ERROR || primaryCode == SQLITE_SCHEMA }
    var isConnectionClosed: Bool { primaryCode == SQLITE_MISUSE || primaryCode == SQLITE_CANTOPEN }
    var isConstraintFailure: Bool { primaryCode == SQLITE_CONSTRAINT }
}
