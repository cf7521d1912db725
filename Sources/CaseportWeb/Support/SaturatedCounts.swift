import Foundation
import NIOConcurrencyHelpers

/// Issue 17, session 18: the back office's case list counts the cases its filter matches up to its cap
/// (10 000) on every view, to number its pages and say "more than 10 000". With a million cases most
/// filters pass the cap, and counting 10 001 index entries was 0.3–0.5 ms of a 2.5 ms list page (Python's
/// sqlite3 on the benchmark's file). A filter whose count passed the cap is remembered here for `lifetime`
/// seconds, on this server, and its next views skip the count. A list that falls below the cap in that time
/// (its cases closed or changed) still says "more than 10 000" and numbers its pages to the cap until then;
/// its last pages are short or empty, nothing fails, and its number is right again within `lifetime`.
/// Counts below the cap are always read (they change with every case). Bounded: when `capacity` filters
/// are kept, it is emptied.
final class SaturatedCounts: @unchecked Sendable {
    let lifetime: TimeInterval
    private let capacity: Int
    private let lock = NIOLock()
    private var passedAt: [String: Date] = [:]

    init(lifetime: TimeInterval = 60, capacity: Int = 1_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// Whether the filter `key`'s count passed the cap within `lifetime`.
    func hasPassed(_ key: String, now: Date = Date()) -> Bool {
        lock.withLock {
            guard let at = passedAt[key], now >= at, now.timeIntervalSince(at) < lifetime else { return false }
            return true
        }
    }

    /// Notes that the filter `key`'s count passed the cap (or, when `passed` is false, that it no longer does).
    func note(_ key: String, passed: Bool, now: Date = Date()) {
        lock.withLock {
            guard passed else { passedAt[key] = nil; return }
            if passedAt[key] == nil, passedAt.count >= capacity { passedAt.removeAll(keepingCapacity: true) }
            passedAt[key] = now
        }
    }
}
