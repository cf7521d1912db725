import NIOCore
import Synchronization

/// One writer at a time in this process, in the order they came (issue 17, session 19).
///
/// SQLite lets one connection write at a time; a second writer gets SQLITE_BUSY and its busy handler sleeps
/// 1, 2, 5, 10 … 100 ms on a thread of NIO's small pool before it tries again. A transaction holds the lock
/// across several hops between that pool and an event loop, so under the realistic mix writers met often:
/// 480 sleeps of 4.7 ms on average in 8 s, and the writes' p99 rose to 200–300 ms. Here a writer that finds
/// another one waits without holding a thread, and starts the moment the other finished.
///
/// A writer that waited `patience` is let through anyway (SQLite's own lock and busy handler still keep the
/// data right): a transaction that, by mistake, wrote through a connection outside itself would otherwise
/// wait for itself for good.
final class SQLiteWriteGate: Sendable {
    private struct Waiter {
        let id: Int
        let loop: any EventLoop
        let enter: @Sendable (Pass) -> Void
    }

    private struct State {
        var busy = false
        var waiting: [Waiter] = []
        var issued = 0
    }

    /// Whether the holder must open the gate for the next writer when it is done.
    struct Pass: Sendable {
        fileprivate let holdsGate: Bool
    }

    let patience: TimeAmount
    private let state = Mutex(State())

    init(patience: TimeAmount = .seconds(10)) {
        self.patience = patience
    }

    /// Runs `write` when no other writer of this process writes; `write` returns when its writing finished.
    /// `first`: before every writer waiting now (the writer's checkpoint, asked for by the holder).
    func run<T: Sendable>(on loop: any EventLoop, first: Bool = false,
                          _ write: @escaping @Sendable () -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        let admitted = loop.makePromise(of: Pass.self)
        enter(on: loop, first: first) { admitted.succeed($0) }
        return admitted.futureResult.flatMap { pass in
            let written = write()
            written.whenComplete { _ in self.leave(pass) }
            return written
        }
    }

    private func enter(on loop: any EventLoop, first: Bool, _ body: @escaping @Sendable (Pass) -> Void) {
        let queued: Int? = state.withLock { state in
            guard state.busy else {
                state.busy = true
                return nil
            }
            state.issued += 1
            state.waiting.insert(Waiter(id: state.issued, loop: loop, enter: body), at: first ? 0 : state.waiting.endIndex)
            return state.issued
        }
        guard let id = queued else { return body(Pass(holdsGate: true)) }
        loop.scheduleTask(in: patience) {
            let waiter: Waiter? = self.state.withLock { state in
                guard let index = state.waiting.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiting.remove(at: index)
            }
            waiter?.enter(Pass(holdsGate: false))
        }
    }

    private func leave(_ pass: Pass) {
        guard pass.holdsGate else { return }
        let next: Waiter? = state.withLock { state in
            guard !state.waiting.isEmpty else {
                state.busy = false
                return nil
            }
            return state.waiting.removeFirst()
        }
        // On the waiter's own loop, so that a chain of writers that finish at once does not nest calls.
        if let next { next.loop.execute { next.enter(Pass(holdsGate: true)) } }
    }

    /// Writers waiting now (tests).
    var waitingCount: Int { state.withLock { $0.waiting.count } }
}
