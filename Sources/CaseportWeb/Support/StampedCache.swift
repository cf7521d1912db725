import NIOConcurrencyHelpers

/// Values read from the database for a page view, kept with the change stamp they were read at
/// (`ChangeStamp`, M014). A value is only handed out while the request's stamp is the same, so
/// every server sharing the database sees a change on its next request. Bounded: when full it is
/// emptied and refills with what is asked for next.
final class StampedCache<Value: Sendable>: @unchecked Sendable {
    private struct Entry {
        let stamp: Int64
        let value: Value
    }

    private let lock = NIOLock()
    private var entries: [String: Entry] = [:]
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    func value(for key: String, at stamp: Int64) -> Value? {
        lock.withLock {
            guard let entry = entries[key], entry.stamp == stamp else { return nil }
            return entry.value
        }
    }

    func store(_ value: Value, for key: String, at stamp: Int64) {
        lock.withLock {
            if entries.count >= capacity, entries[key] == nil { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(stamp: stamp, value: value)
        }
    }

    /// The value kept for `key` and the stamp it was read at, whatever the stamp is now.
    func latest(for key: String) -> (stamp: Int64, value: Value)? {
        lock.withLock { entries[key].map { ($0.stamp, $0.value) } }
    }

    var count: Int { lock.withLock { entries.count } }
}
