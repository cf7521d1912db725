import CaseportCore
import Crypto
import FluentKit
import Foundation

/// Stores the A2 failure counters. The typed organisation + username is hashed into the row id.
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

    public func isLocked(key: String, now: Date = Date()) async throws -> Bool {
        guard let row = try await LoginAttemptRecord.find(Self.rowId(for: key), on: database) else { return false }
        return throttle.isLocked(state(of: row), now: now)
    }

    /// Counts one failure; returns true when this failure locked the key.
    @discardableResult
    public func recordFailure(key: String, now: Date = Date()) async throws -> Bool {
        let id = Self.rowId(for: key)
        return try await database.transaction { tx in
            let row = try await LoginAttemptRecord.find(id, on: tx) ?? {
                let fresh = LoginAttemptRecord()
                fresh.id = id
                fresh.failures = 0
                return fresh
            }()
            let next = throttle.afterFailure(state(of: row), now: now)
            row.failures = next.failures
            row.lockedUntil = next.lockedUntil?.timeIntervalSince1970
            row.updatedAt = now.timeIntervalSince1970
            try await row.save(on: tx)
            return next.lockedUntil != nil
        }
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
