import FluentKit
import Foundation

/// What every operation runs with: the database, the time, and what notifications need. Web handlers
/// build one per request (`Request.operations`); jobs and tests build their own, with a clock they control.
public struct OperationContext: Sendable {
    public var database: any Database
    public var clock: @Sendable () -> Date
    public var notifications: NotificationContext

    public init(database: any Database, clock: @escaping @Sendable () -> Date = { Date() },
                notifications: NotificationContext) {
        self.database = database
        self.clock = clock
        self.notifications = notifications
    }

    public var now: Date { clock() }
}

/// An operation could not run at all (as opposed to `Problems` with what was typed).
public enum OperationError: Error, Equatable, Sendable {
    /// Nothing by that name that the actor may see; the web answers 404 exactly as for a missing one.
    case notFound
    /// The actor sees it but may not do this.
    case forbidden
    /// Someone changed it since the actor's page was loaded.
    case stale
    /// It was already done (a double submit, two people at once).
    case alreadyDone
    /// The case is not in a state that allows this.
    case notAllowedNow
}
