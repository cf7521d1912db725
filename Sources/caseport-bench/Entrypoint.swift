import CaseportWeb
import Foundation
import Vapor

/// `caseport-bench cases|outbox|import|report|dashboards|claim-page …`: the benchmarks, kept out of the production binary. Each
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
                // Only the benchmarks (serve, demo and the rest are `caseport`'s), and no default:
                // `caseport-bench` alone lists them.
                app.asyncCommands.commands = [
                    "cases": CasesBenchCommand(config: config),
                    "outbox": OutboxBenchCommand(config: config),
                    "import": ImportBenchCommand(config: config),
                    "report": ReportBenchCommand(config: config),
                    "dashboards": DashboardBenchCommand(config: config),
                    "claim-page": ClaimPageBenchCommand(config: config),
                ]
                app.asyncCommands.defaultCommand = nil
                app.commands.commands = [:]
                app.commands.defaultCommand = nil
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
