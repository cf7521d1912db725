import CaseportWeb
import Foundation
import Logging
import NIOCore
import NIOPosix
import Vapor

/// `caseport [serve|migrate|demo|staff create] …`
///
/// Configuration problems and an unreachable database end the process with one line on standard error
/// that names the problem, and exit status 1.
@main
enum Entrypoint {
    static func main() async {
        // Issue 17: Swift concurrency's tasks run on NIO's event loops instead of Dispatch's threads (the
        // first thing, before any other task starts). A request's handler, each of its database calls and
        // its response otherwise hopped between a Dispatch thread and an event loop several times a
        // request; in perf the kernel's thread switching was 12–20 % of a cold page's CPU.
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        var environment: Environment
        let config: AppConfig
        do {
            // The one place the process environment is read (every variable: README, "Configuration").
            config = try AppConfig.from(environment: ProcessInfo.processInfo.environment)
            environment = try Environment.detect()
            try config.bootstrapLogging(&environment)
        } catch {
            fail("\(error)")
        }
        let app: Application
        do {
            app = try await Application.make(environment)
        } catch {
            fail("could not start: \(error)")
        }
        do {
            try await configure(app, config: config)
            let command = environment.arguments.dropFirst().first { !$0.hasPrefix("-") } ?? "serve"
            if command == "serve" {
                let arguments = Array(environment.arguments.dropFirst())
                if let problem = config.problemServing(arguments: arguments) { throw problem }
                if let address = ListenAddress.from(arguments: arguments),
                   let problem = await address.problemBinding(on: app.eventLoopGroup) {
                    throw StartupFailure(text: problem)
                }
                do {
                    try await prepareDatabase(app)
                } catch {
                    throw StartupFailure(text: "cannot use the database (\(config.database.summary)): \(describe(error))")
                }
                if let problem = await problemWithFileStorage(app) { throw StartupFailure(text: problem) }
                enableBackgroundJobs(app)
            }
            try await app.execute()
            // SIGTERM ends `execute`. The HTTP server drains first (new requests are refused with 503,
            // no new connections, the requests in flight finish); only then do the background jobs finish
            // their current pass and the databases close. Vapor's own shutdown closes its parts in no
            // fixed order and gives up on open connections after a timeout, so without this a request
            // could still be running when its database was gone.
            if command == "serve" {
                let limit = config.stopTimeout
                guard await stopServing(app, within: limit) else {
                    // Closing the databases now would crash those requests; the databases keep what was
                    // committed, and an unfinished transaction is rolled back.
                    fail("\(app.inFlightRequests.running) requests were still running \(Int(limit)) s after the stop began; stopped without them")
                }
            }
            try await app.asyncShutdown()
        } catch {
            try? await app.asyncShutdown()
            fail(describe(error))
        }
    }

    struct StartupFailure: Error, CustomStringConvertible { let text: String; var description: String { text } }

    /// One readable line for an error. Driver errors hide their detail from `description`
    /// (it may hold secrets), so the reflection is used, flattened and cut.
    static func describe(_ error: any Error) -> String {
        if error is StartupFailure || error is AppConfig.Problem { return "\(error)" }
        let reflected = String(reflecting: error)
        // The most common start-up problems, said plainly; anything else is shown as the driver reports it.
        let known: [(String, String)] = [
            ("Connection refused", "connection refused – is the server running and the host and port right?"),
            ("password authentication failed", "the user name or password was refused"),
            ("no pg_hba.conf entry", "the server does not accept this client (pg_hba.conf)"),
            ("does not exist", "the database or role named in DATABASE_URL does not exist"),
            ("timed out", "the connection timed out"),
            ("Name or service not known", "the host name could not be resolved"),
        ]
        for (needle, plain) in known where reflected.localizedCaseInsensitiveContains(needle) {
            return plain
        }
        var text = "\(error)"
        if text.contains("Generic description") || text.isEmpty {
            text = reflected
        }
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        return flat.count > 400 ? String(flat.prefix(400)) + "…" : flat
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("caseport: \(message)\n".utf8))
        exit(1)
    }
}
