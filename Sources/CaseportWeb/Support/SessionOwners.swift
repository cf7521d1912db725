import NIOConcurrencyHelpers

/// Which portal user each session belonged to when this server last read it, by the session's stored id (its
/// token's hash, as the table keys it): lets the session's statement also count that user's cases for the
/// menu (`PortalSessionMiddleware.menuCountToAsk`), and lets a page confirm the session in its own statement
/// (`TrustedPortalSession`). Only a hint: the statement returns the session's user, and a count or a page made
/// for anyone else is dropped.
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

    /// Drops the hint for a session that a page did not confirm (`TrustedPortalSession`): until it is read
    /// the usual way again, it is not taken on trust.
    func forget(_ storedId: String) {
        lock.withLock {
            owners[storedId] = nil
            unconfirmedOnTrust &+= 1
        }
    }

    /// Page views answered on trust, and those whose statement did not confirm the session (ended, another
    /// user, a stamp moved, an expiry due, a case not found): for tests, and to see how often the hint holds.
    private var confirmedOnTrust = 0
    private var unconfirmedOnTrust = 0

    func noteConfirmedOnTrust() { lock.withLock { confirmedOnTrust &+= 1 } }

    var trustTally: (confirmed: Int, unconfirmed: Int) { lock.withLock { (confirmedOnTrust, unconfirmedOnTrust) } }

    func remember(_ userId: Int, of storedId: String) {
        lock.withLock {
            guard owners[storedId] != userId else { return }
            if owners.count >= capacity, owners[storedId] == nil { owners.removeAll(keepingCapacity: true) }
            owners[storedId] = userId
        }
    }
}
