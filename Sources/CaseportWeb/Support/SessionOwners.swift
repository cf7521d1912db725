import NIOConcurrencyHelpers

/// Which portal user each session belonged to when this server last read it, by the session's stored id (its
/// token's hash, as the table keys it): lets the session's statement also count that user's cases for the
/// menu (`PortalSessionMiddleware.menuCountToAsk`). Only a hint: the statement returns the session's user,
/// and a count made for anyone else is dropped.
final class SessionOwners: @unchecked Sendable {
    private let lock = NIOLock()
    private var owners: [String: Int] = [:]
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    func owner(of storedId: String) -> Int? {
        lock.withLock { owners[storedId] }
    }

    func remember(_ userId: Int, of storedId: String) {
        lock.withLock {
            guard owners[storedId] != userId else { return }
            if owners.count >= capacity, owners[storedId] == nil { owners.removeAll(keepingCapacity: true) }
            owners[storedId] = userId
        }
    }
}
