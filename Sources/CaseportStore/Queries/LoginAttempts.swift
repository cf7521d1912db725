import CaseportCore
import Crypto
import FluentKit
import Foundation
import SQLKit

/// Stores the A2 failure counters. The login key is hashed into the row id.
///
/// Every attempt is counted *before* its password is checked, in one atomic statement
/// (`INSERT … ON CONFLICT DO UPDATE … RETURNING`), and only the first `maximumFailures` attempts of a
/// run are evaluated: a burst of parallel guesses cannot all read "not locked" before any failure is
/// written. A successful login clears the row.
public struct LoginAttempts: Sendable {
    let database: any Database
    let throttle: LoginThrottle

    public init(database: any Database, throttle: LoginThrottle = LoginThrottle()) {
        self.database = database
        self.throttle = throttle
    }

    static func rowId(for key: String) -> String {
        SHA256.hash(data: Data(key.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// One counted attempt: its number in the current run, and whether it may be evaluated.
    public struct Attempt: Sendable, Equatable {
        public let number: Int
        public let maximum: Int
        /// False when the key was locked already: refuse without checking the password.
        public var mayProceed: Bool { number <= maximum }
        /// True when this attempt is the last one allowed: should it fail, the key is now locked.
        public var isLast: Bool { number == maximum }
    }

    /// Counts one attempt atomically. A lock that has run out starts a new run at 1; the attempt that
    /// reaches the maximum sets the lock at once, so nothing slips in while it is being checked.
    public func count(key: String, now: Date = Date()) async throws -> Attempt {
        let sql = try database.requireSQL()
        let id = Self.rowId(for: key)
        let t = now.timeIntervalSince1970
        let lockUntil = now.addingTimeInterval(throttle.lockDuration).timeIntervalSince1970
        let row = try await sql.raw("""
            INSERT INTO login_attempts (id, failures, locked_until, updated_at)
            VALUES (\(bind: id), 1, NULL, \(bind: t))
            ON CONFLICT (id) DO UPDATE SET
              failures = CASE WHEN login_attempts.locked_until IS NOT NULL AND login_attempts.locked_until <= \(bind: t)
                              THEN 1 ELSE login_attempts.failures + 1 END,
              locked_until = CASE
                  WHEN login_attempts.locked_until IS NOT NULL AND login_attempts.locked_until <= \(bind: t) THEN NULL
                  WHEN login_attempts.locked_until IS NULL AND login_attempts.failures + 1 >= \(bind: throttle.maximumFailures)
                      THEN \(bind: lockUntil)
                  ELSE login_attempts.locked_until END,
              updated_at = \(bind: t)
            RETURNING failures
            """).first()
        let number = try row?.decode(column: "failures", as: Int.self) ?? Int.max
        return Attempt(number: number, maximum: throttle.maximumFailures)
    }

    public func isLocked(key: String, now: Date = Date()) async throws -> Bool {
        guard let row = try await LoginAttemptRecord.find(Self.rowId(for: key), on: database) else { return false }
        return throttle.isLocked(state(of: row), now: now)
    }

    /// Counts one failure; returns true when this failure locked the key.
    @discardableResult
    public func recordFailure(key: String, now: Date = Date()) async throws -> Bool {
        try await count(key: key, now: now).isLast
    }

    /// A successful login, or staff unlocking the account, clears the counter.
    public func clear(key: String) async throws {
        try await LoginAttemptRecord.query(on: database).filter(\.$id == Self.rowId(for: key)).delete()
    }

    private func state(of row: LoginAttemptRecord) -> LoginThrottle.State {
        LoginThrottle.State(failures: row.failures,
                            lockedUntil: row.lockedUntil.map(Date.init(timeIntervalSince1970:)))
    }
}
