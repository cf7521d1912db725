import Dispatch
import Foundation
import SQLiteKit
import SQLiteNIO
import Synchronization

/// The server's own SQLite connections beside Fluent's (issue 17, session 19): readers, lent to one thread at
/// a time, and one writer, lent to the holder of the write gate — and to one read at a time while no one
/// writes, since its page cache, unlike a reader's, is not emptied by every write.
///
/// Through fluent-sqlite-driver every statement went from the event loop to NIO's thread pool and back, and
/// every row came back to the event loop as a task of its own, on one connection per event loop. Under the
/// realistic mix both cores were idle about 18 % of the time while those hand-overs waited, and SQLite prepared
/// each statement afresh (7 % of the mix's CPU). A statement here is a few hundred microseconds of SQLite's own
/// work; it runs where the request runs, to its end, with its prepared statement kept.
///
/// In WAL mode each read sees every transaction committed before it started, on any connection, so a request
/// reads its own writes.
final class SQLiteDirectConnections: Sendable {
    private struct State {
        var idleReaders: [SQLiteDirectConnection] = []
        var openReaders = 0
        var writer: SQLiteDirectConnection?
        var writerLent = false
        /// The writer answers a read (it does when no one writes: its page cache is never emptied by another
        /// connection's write, the readers' is by every one).
        var writerReading = false
        var closed = false
    }

    let path: String
    /// Readers at most; a thread that finds them all lent runs its read on Fluent's connection.
    let readerLimit: Int
    private let state = Mutex(State())
    private let encoder = SQLiteDataEncoder()

    init(path: String, readerLimit: Int = ProcessInfo.processInfo.activeProcessorCount + 2) {
        self.path = path
        self.readerLimit = readerLimit
    }

    /// The values of a statement as SQLiteKit binds them.
    func values(_ binds: [any Encodable & Sendable]) throws -> [SQLiteData] {
        try binds.map { try encoder.encode($0) }
    }

    /// The rows of a read, or nil: run it on Fluent's connection (it writes, the readers are all lent, the
    /// file cannot be opened yet, or it failed here — the ordinary way reports the failure as before).
    func rows(of sql: String, binds: [any Encodable & Sendable]) -> [SQLiteDirectRow]? {
        guard Self.isQuery(sql), let values = try? values(binds) else { return nil }
        if let writer = borrowWriterToRead() {
            defer { doneReading(on: writer) }
            return writer.rows(of: sql, binds: values)
        }
        guard let reader = borrowReader() else { return nil }
        defer { giveBack(reader: reader) }
        return reader.rows(of: sql, binds: values)
    }

    /// The writer, when it is open and no one writes or reads on it now.
    private func borrowWriterToRead() -> SQLiteDirectConnection? {
        state.withLock { state in
            guard !state.closed, !state.writerLent, !state.writerReading, let writer = state.writer else { return nil }
            state.writerReading = true
            return writer
        }
    }

    private func doneReading(on writer: SQLiteDirectConnection) {
        let closed = state.withLock { state in
            state.writerReading = false
            if state.closed { state.writer = nil }
            return state.closed
        }
        if closed { writer.close() }
    }

    /// Closes the connections; one lent now is closed when it comes back.
    func close() {
        let idle = state.withLock { state in
            state.closed = true
            defer {
                state.idleReaders = []
                if !state.writerLent && !state.writerReading { state.writer = nil }
            }
            state.openReaders -= state.idleReaders.count
            let writerIdle = !state.writerLent && !state.writerReading
            return state.idleReaders + (writerIdle ? state.writer.map { [$0] } ?? [] : [])
        }
        idle.forEach { $0.close() }
        // A checkpoint under way has the writer (`checkpointWriter`): it closes the writer when it gives it
        // back; wait for that, so the file is whole once the databases have shut down.
        Self.checkpoints.sync {}
    }

    /// The queue the writer's checkpoints run on: off the event loops, one at a time.
    private static let checkpoints = DispatchQueue(label: "caseport.sqlite-checkpoint")

    /// Copies the writer's log into the database on `checkpoints`, then calls `done`; `asked` is the writer
    /// whose commit asked for it. The caller holds the write gate. The writer is borrowed on the queue, so
    /// that `close`, which waits for the queue, finds it back or keeps the checkpoint from borrowing it.
    func checkpointWriter(asked writer: SQLiteDirectConnection, then done: @escaping @Sendable () -> Void) {
        Self.checkpoints.async {
            defer { done() }
            // Closed, or lent to a writer let through after its patience: the next commit asks again.
            guard let lent = self.borrowWriter() else { return writer.checkpointNotRun() }
            // `lent` is `writer`: the writer is only replaced after the connections closed.
            lent.checkpoint()
            self.giveBack(writer: lent)
        }
    }

    /// How many connections are open (tests).
    var openConnections: Int { state.withLock { $0.openReaders + ($0.writer == nil ? 0 : 1) } }

    private func borrowReader() -> SQLiteDirectConnection? {
        enum Lent { case idle(SQLiteDirectConnection), openNew, none }
        let lent: Lent = state.withLock { state in
            guard !state.closed else { return .none }
            if let reader = state.idleReaders.popLast() { return .idle(reader) }
            guard state.openReaders < readerLimit else { return .none }
            state.openReaders += 1
            return .openNew
        }
        switch lent {
        case .idle(let reader): return reader
        case .none: return nil
        case .openNew:
            do {
                return try SQLiteDirectConnection(path: path, role: .reader)
            } catch {
                state.withLock { $0.openReaders -= 1 }
                return nil
            }
        }
    }

    private func giveBack(reader: SQLiteDirectConnection) {
        let keep = state.withLock { state in
            guard !state.closed else {
                state.openReaders -= 1
                return false
            }
            state.idleReaders.append(reader)
            return true
        }
        if !keep { reader.close() }
    }

    /// The writer, or nil when it is lent (to a writer let through the gate after its patience) or cannot be
    /// opened: then Fluent's connection writes. Only the holder of the write gate borrows it.
    func borrowWriter() -> SQLiteDirectConnection? {
        enum Lent { case open(SQLiteDirectConnection), openNew, reading, none }
        while true {
            let lent: Lent = state.withLock { state in
                guard !state.closed, !state.writerLent else { return .none }
                guard !state.writerReading else { return .reading }
                state.writerLent = true
                return state.writer.map { .open($0) } ?? .openNew
            }
            switch lent {
            case .open(let writer): return writer
            case .none: return nil
            case .reading:
                // A read runs on the writer on another thread, to its end without waiting for anything:
                // a statement's time at most.
                sched_yield()
            case .openNew:
                guard let writer = try? SQLiteDirectConnection(path: path, role: .writer) else {
                    state.withLock { $0.writerLent = false }
                    return nil
                }
                state.withLock { $0.writer = writer }
                return writer
            }
        }
    }

    func giveBack(writer: SQLiteDirectConnection) {
        let closed = state.withLock { state in
            state.writerLent = false
            if state.closed { state.writer = nil }
            return state.closed
        }
        if closed { writer.close() }
    }

    /// A statement that begins as a query; SQLite's own read-only check decides the rest.
    static func isQuery(_ sql: String) -> Bool {
        ["SELECT", "WITH"].contains(sql.sqlLeadingKeyword)
    }
}
