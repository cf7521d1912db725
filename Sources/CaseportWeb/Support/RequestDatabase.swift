import FluentKit
import Vapor

extension Request {
    private struct DatabaseKey: StorageKey { typealias Value = any Database }

    /// The request's database, made on first use and kept for the rest of the request. Fluent's `db` makes a
    /// new one on every use (it looks up the configuration and driver under a lock and builds a context):
    /// 4.4 % of the server's CPU on a portal case page on PostgreSQL (perf, issue 17, session 27), where a
    /// page asks for it a dozen times. Every handler and middleware uses this one.
    var database: any Database {
        if let made = storage[DatabaseKey.self] { return made }
        let made = db
        storage[DatabaseKey.self] = made
        return made
    }
}
