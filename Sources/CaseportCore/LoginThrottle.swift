import Foundation

/// The lockout rule (SPEC A2): five failed logins in a row lock the account for 20 minutes.
/// The counter is kept per account (organisation + username, whichever alias was typed), and the
/// same way whether or not such an account exists, so the answers never reveal which accounts exist.
public struct LoginThrottle: Sendable {
    public var maximumFailures: Int
    public var lockDuration: TimeInterval

    public init(maximumFailures: Int = 5, lockDuration: TimeInterval = 20 * 60) {
        self.maximumFailures = maximumFailures
        self.lockDuration = lockDuration
    }

    /// The stored state of one login key.
    public struct State: Sendable, Equatable {
        public var failures: Int
        public var lockedUntil: Date?
        public init(failures: Int = 0, lockedUntil: Date? = nil) {
            self.failures = failures
            self.lockedUntil = lockedUntil
        }
    }

    public func isLocked(_ state: State, now: Date) -> Bool {
        guard let until = state.lockedUntil else { return false }
        return until > now
    }

    /// The state after one more failure. A lock that has run out starts the count again.
    public func afterFailure(_ state: State, now: Date) -> State {
        var failures = state.failures
        if let until = state.lockedUntil, until <= now { failures = 0 }
        failures += 1
        let lockedUntil = failures >= maximumFailures ? now.addingTimeInterval(lockDuration) : nil
        return State(failures: failures, lockedUntil: lockedUntil)
    }

    /// The key under which attempts are counted: normalised so "Solglantan"/"solglantan " share one
    /// counter, and hashed by the store so a 10 000-character username cannot bloat the table.
    public static func key(realm: String, organisation: String, username: String) -> String {
        let normalise = { (s: String) in s.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() }
        return "\(realm)\u{1F}\(normalise(organisation))\u{1F}\(normalise(username))"
    }
}
