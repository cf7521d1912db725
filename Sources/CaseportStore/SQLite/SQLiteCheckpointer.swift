import Foundation
import Synchronization
import VaporCSQLite

/// Copies the write-ahead log into the database file on a thread of its own (issue 17, session 22).
///
/// SQLite checkpoints when a commit leaves the log at 1 000 pages (`wal_autocheckpoint`), on the committing
/// connection, and a checkpoint copies those pages into the database and syncs the file. The server's writer
/// commits on the event loop of the request that writes (`SQLiteDirectTransaction`), so every request on that
/// event loop waited for the sync: in the realistic mix about five checkpoints a second, a sync up to 75 ms
/// (strace). (In alternate runs of the mix the effect on its p99 was within the machine's noise:
/// docs/PERFORMANCE.md, session 22. What it removes is a wait on the request threads that grows with the disk.)
///
/// The writer's commits now only tell this thread how long the log is (`sqlite3_wal_hook`, which replaces the
/// automatic checkpoint), and it checkpoints on a connection of its own, `PASSIVE`: it copies what no reader
/// still needs and never waits for the writer or a reader, who go on meanwhile. It also checkpoints after a
/// few quiet seconds, so the log does not stay long.
final class SQLiteCheckpointer: Sendable {
    /// The log's length, in pages, at which a checkpoint is asked for: SQLite's own default.
    static let pages: Int32 = 1_000

    let path: String
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    /// A checkpoint is asked for and not begun: later commits need not ask again.
    private let asked = Atomic<Bool>(false)
    private let stopping = Atomic<Bool>(false)
    private let done = Atomic<Int>(0)

    init(path: String) {
        self.path = path
        let thread = Thread { [self] in run() }
        thread.name = "caseport-sqlite-checkpoint"
        thread.start()
    }

    /// Checkpoints run so far (tests).
    var checkpoints: Int { done.load(ordering: .acquiring) }

    /// From the writer's commit: the log now holds `pages` pages.
    func logHolds(pages: Int32) {
        guard pages >= Self.pages, asked.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return }
        wake.signal()
    }

    /// Ends the thread after the checkpoint under way, if any, and closes its connection.
    func stop() {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        wake.signal()
        finished.wait()
    }

    private func run() {
        var handle: OpaquePointer?
        defer {
            if let handle { sqlite_nio_sqlite3_close_v2(handle) }
            finished.signal()
        }
        while !stopping.load(ordering: .acquiring) {
            // Woken by a commit, or after a quiet spell (then a checkpoint with nothing to copy costs nothing).
            let woken = wake.wait(timeout: .now() + .seconds(5)) == .success
            if stopping.load(ordering: .acquiring) { return }
            asked.store(false, ordering: .releasing)
            if handle == nil {
                let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
                guard sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil) == SQLITE_OK else {
                    if let opened = handle { sqlite_nio_sqlite3_close_v2(opened) }
                    handle = nil
                    continue
                }
            }
            var logged: Int32 = 0, copied: Int32 = 0
            let code = sqlite_nio_sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, &logged, &copied)
            if code == SQLITE_OK, woken { done.add(1, ordering: .releasing) }
        }
    }
}
