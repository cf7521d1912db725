import CaseportWeb
import Foundation
import Vapor

/// `caseport-bench cases|outbox|import …`: the benchmarks, kept out of the production binary. Each
/// runs on the database the environment names (the same variables as `caseport`, read by `AppConfig`),
/// which should be an empty one; see docs/PERFORMANCE.md.
@main
enum BenchEntrypoint {
    static func main() async {
        do {
            let config = try AppConfig.from(environment: ProcessInfo.processInfo.environment)
            var environment = try Environment.detect()
            try config.bootstrapLogging(&environment)
            let app = try await Application.make(environment)
            do {
                try await configure(app, config: config)
                app.asyncCommands.use(CasesBenchCommand(config: config), as: "cases")
                app.asyncCommands.use(OutboxBenchCommand(config: config), as: "outbox")
                app.asyncCommands.use(ImportBenchCommand(config: config), as: "import")
                // No default: `caseport-bench` alone lists the benchmarks instead of serving.
                app.asyncCommands.defaultCommand = nil
                try await app.execute()
                try await app.asyncShutdown()
            } catch {
                try? await app.asyncShutdown()
                throw error
            }
        } catch {
            FileHandle.standardError.write(Data("caseport-bench: \(error)\n".utf8))
            exit(1)
        }
    }
}
