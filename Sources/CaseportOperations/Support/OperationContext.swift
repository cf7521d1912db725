import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// What every operation runs with: the database, the time, and what notifications need. Web handlers
/// build one per request (`Request.operations`); jobs and tests build their own, with a clock they control.
public struct OperationContext: Sendable {
    public var database: any Database
    public var clock: @Sendable () -> Date
    public var notifications: NotificationContext
    /// Where the acting person is (the client's address), for the audit log (E5); nil for jobs.
    public var clientAddress: String?
    /// The deployment's settings as this request already read them (the page frame reads them before
    /// the handler runs; issue 17 point 5: operations that only look at them need not read them again);
    /// nil: read them (`settings()`). Operations that change settings always read their own.
    public var requestSettings: PortalSettings?

    public init(database: any Database, clock: @escaping @Sendable () -> Date = { Date() },
                notifications: NotificationContext, clientAddress: String? = nil, requestSettings: PortalSettings? = nil) {
        self.database = database
        self.clock = clock
        self.notifications = notifications
        self.clientAddress = clientAddress
        self.requestSettings = requestSettings
    }

    /// The settings this request read, else read now.
    public func settings() async throws -> PortalSettings {
        if let requestSettings { return requestSettings }
        return try await SettingsStore(database: database).load()
    }

    /// Writes one audit line (E5) on `database` — the operation's transaction.
    func audit(_ action: AuditAction, by actor: AuditActor, subject: String, details: String? = nil,
               on database: any Database) async throws {
        try await AuditLog(database: database).record(action, by: actor, subject: subject, details: details, ip: clientAddress)
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
