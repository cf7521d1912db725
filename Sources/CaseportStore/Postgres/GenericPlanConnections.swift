import AsyncKit
import FluentKit
import Logging
import NIOCore
import PostgresKit
import SQLKit
import Synchronization

/// The second set of PostgreSQL connections, for statements marked `genericPlan()`: connections opened with
/// `plan_cache_mode = force_generic_plan`, so such a statement is planned once per connection and its plan kept.
///
/// PostgreSQL plans a prepared statement with its values for the first five runs, then keeps a generic plan
/// only if that plan's estimated cost is no higher than the custom plans' average. For the access rule's
/// statements it never is: a generic `customer_id IN ($n)` is estimated at a customer's average number of
/// objects and cases, a known customer by its own, so the estimate doubles (a case page: 276 against 138)
/// although the plan is the same walk down the same indexes. So the case page, the first list pages and
/// the filtered counts were planned on every call: planning was 22 % of PostgreSQL's time under the
/// realistic mix, the case page's 0.11 ms against 0.07 of execution (issue 17, session 28). Connections
/// where every statement kept its generic plan would also keep them for statements whose plan does depend on
/// their values (a background job's scan by status: 377 ms instead of an index lookup), so only statements
/// whose plan is one index walk whatever the values ask for it, and the rest keep PostgreSQL's choice.
/// A statement in a transaction, or on a connection held for a series of statements, stays on that
/// connection (it must see what was written there).
///
/// `@unchecked Sendable`: AsyncKit's pool keeps its state under its own lock and hands each event loop its own
/// share, but is not marked `Sendable` (Fluent marks its driver, which holds the same pool, the same way).
public final class GenericPlanConnections: @unchecked Sendable {
    private let pool: EventLoopGroupConnectionPool<PostgresConnectionSource>

    init(configuration: SQLPostgresConfiguration, maxConnectionsPerEventLoop: Int, requestTimeout: TimeAmount,
         on eventLoopGroup: any EventLoopGroup) {
        var configuration = configuration
        configuration.coreConfiguration.options.additionalStartupParameters.append(("plan_cache_mode", "force_generic_plan"))
        pool = EventLoopGroupConnectionPool(source: PostgresConnectionSource(sqlConfiguration: configuration),
                                            maxConnectionsPerEventLoop: maxConnectionsPerEventLoop,
                                            requestTimeout: requestTimeout, pruneInterval: nil, on: eventLoopGroup)
    }

    /// The connections of `eventLoop`'s share (an event loop of the application's group).
    func database(on eventLoop: any EventLoop, logger: Logger) -> any PostgresDatabase {
        pool.pool(for: eventLoop).database(logger: logger)
    }

    func shutdown() {
        try? pool.syncShutdownGracefully()
    }

    func shutdownAsync() async {
        try? await pool.shutdownAsync()
    }

    /// The comment that marks a statement's text (`SQLQueryString.genericPlan()`); it shows in
    /// `pg_stat_statements` too.
    static let marker = "/* generic plan */"

    /// Whether the statement asked for a generic plan.
    static func isMarked(_ text: String) -> Bool { text.hasSuffix(marker) }
}

extension SQLQueryString {
    /// This statement, marked to be run on PostgreSQL's generic-plan connections (`GenericPlanConnections`).
    /// Only for a statement whose plan is the same whatever its values: a lookup by a unique key, or a walk
    /// down an index per key of the access rule. SQLite reads the mark as a comment.
    func genericPlan() -> SQLQueryString {
        self + " \(unsafeRaw: GenericPlanConnections.marker)"
    }
}

/// Fluent's PostgreSQL configuration with the generic-plan connections beside it: every database it makes is
/// Fluent's, whose context's configuration is this one (so `requireSQL` finds the connections), and both sets
/// of connections close together.
struct PostgresWithGenericPlansConfiguration: DatabaseConfiguration {
    var fluent: any DatabaseConfiguration
    let postgres: SQLPostgresConfiguration
    let maxConnectionsPerEventLoop: Int
    let requestTimeout: TimeAmount
    private let made = MadeConnections()

    init(fluent: any DatabaseConfiguration, postgres: SQLPostgresConfiguration, maxConnectionsPerEventLoop: Int,
         requestTimeout: TimeAmount) {
        self.fluent = fluent
        self.postgres = postgres
        self.maxConnectionsPerEventLoop = maxConnectionsPerEventLoop
        self.requestTimeout = requestTimeout
    }

    var middleware: [any AnyModelMiddleware] {
        get { fluent.middleware }
        set { fluent.middleware = newValue }
    }

    /// The generic-plan connections, once Fluent has made the driver.
    var genericPlans: GenericPlanConnections? { made.connections.withLock { $0 } }

    func makeDriver(for databases: Databases) -> any DatabaseDriver {
        let connections = GenericPlanConnections(configuration: postgres, maxConnectionsPerEventLoop: maxConnectionsPerEventLoop,
                                                 requestTimeout: requestTimeout, on: databases.eventLoopGroup)
        made.connections.withLock { $0 = connections }
        return Driver(fluent: fluent.makeDriver(for: databases), genericPlans: connections)
    }

    /// Fluent copies the configuration; the connections made for its driver are shared by every copy.
    private final class MadeConnections: Sendable {
        let connections = Mutex<GenericPlanConnections?>(nil)
    }

    private struct Driver: DatabaseDriver {
        let fluent: any DatabaseDriver
        let genericPlans: GenericPlanConnections

        func makeDatabase(with context: DatabaseContext) -> any Database {
            fluent.makeDatabase(with: context)
        }

        func shutdown() {
            genericPlans.shutdown()
            fluent.shutdown()
        }

        func shutdownAsync() async {
            await genericPlans.shutdownAsync()
            await fluent.shutdownAsync()
        }
    }
}
