import CaseportCore
import Foundation
import NIOConcurrencyHelpers

/// Issue 17: counts of one portal user's visible cases — the menu's "needs your action (n)", which
/// every portal page shows, and a case list's number of hits — kept for a few seconds on this server.
/// Real users page through their list and open cases within seconds, and each of those views counted
/// again. How a kept count stays true enough:
/// - the user's own writes (any portal request that is not GET or HEAD: a message, an approval, a new
///   case, an upload) forget that user's counts on this server as the write's response leaves
///   (`PortalSessionMiddleware`), and a count read while any write was under way is not kept;
/// - a count is handed out only at the change stamp it was read at, so a change to the user's access
///   (links, objects, the user) or to master data is seen on the next view, on every server;
/// - everything else — staff changing a status, a write through another server — is seen within
///   `lifetime` seconds.
/// Bounded: at most `capacity` users and `perUser` counts each; when full, it is emptied.
final class ShortLivedCounts: @unchecked Sendable {
    private struct Entry {
        let stamp: Int64
        let at: Date
        let value: Int
    }

    let lifetime: TimeInterval
    private let capacity: Int
    private let perUser: Int
    private let lock = NIOLock()
    private var users: [Int: [String: Entry]] = [:]
    /// Raised by every forget: a count read while it changed may predate a write, so it is not kept.
    private var generation = 0

    init(lifetime: TimeInterval = 5, capacity: Int = 20_000, perUser: Int = 32) {
        self.lifetime = lifetime
        self.capacity = capacity
        self.perUser = perUser
    }

    /// The kept count, or nil (none, too old, or read at another stamp).
    func value(user: Int, key: String, stamp: Int64, now: Date = Date()) -> Int? {
        lock.withLock {
            guard let entry = users[user]?[key], entry.stamp == stamp,
                  now >= entry.at, now.timeIntervalSince(entry.at) < lifetime else { return nil }
            return entry.value
        }
    }

    /// Where a read begins: pass it to `store`, which keeps the count only if no write ended since.
    var readBegins: Int { lock.withLock { generation } }

    func store(_ value: Int, user: Int, key: String, stamp: Int64, readBegan: Int, now: Date = Date()) {
        lock.withLock {
            guard generation == readBegan else { return }
            if users[user] == nil, users.count >= capacity { users.removeAll(keepingCapacity: true) }
            if let kept = users[user], kept.count >= perUser, kept[key] == nil { users[user] = nil }
            users[user, default: [:]][key] = Entry(stamp: stamp, at: now, value: value)
        }
    }

    /// Forgets every count of `user` (their own write on this server).
    func forget(user: Int) {
        lock.withLock {
            users[user] = nil
            generation &+= 1
        }
    }

    /// The key of a case list's count: every part of the filter that decides which cases it counts
    /// (not the order).
    static func key(_ filter: CaseFilter) -> String {
        func part(_ value: Int?) -> String { value.map(String.init) ?? "" }
        func part(_ date: Date?) -> String { date.map { String($0.timeIntervalSince1970) } ?? "" }
        return ["list", filter.statusGroup.rawValue, filter.status?.rawValue ?? "", part(filter.categoryId),
                part(filter.caseTypeId), part(filter.customerId), part(filter.objectId), part(filter.createdFrom),
                part(filter.createdBefore), filter.text].joined(separator: "|")
    }
}
