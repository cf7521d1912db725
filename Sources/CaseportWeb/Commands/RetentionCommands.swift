import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// `caseport retention run [--dry-run]`: one retention run (E3) for operators — the same
/// `RunRetention` the back office and the nightly job call, as the system, with its audit line.
struct RetentionCommands: AsyncCommandGroup {
    var help: String { "Personal data: runs the retention policy (see the back office's privacy page)." }
    var commands: [String: any AnyAsyncCommand] { ["run": RetentionRunCommand()] }
}

struct RetentionRunCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "dry-run", help: "Only count and list what would go; change nothing.")
        var dryRun: Bool
        init() {}
    }

    var help: String { "Deletes or anonymises personal data of cases closed longer than the policy says (held cases are skipped)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await prepareDatabase(app)
        let job = RetentionJob(database: app.db, translations: app.caseport.translations, config: app.caseport.config,
                               storage: app.caseport.storage, clock: { Date() })
        guard let report = try await job.run(dryRun: signature.dryRun) else {
            context.console.print("Another server is running the retention now; nothing done.")
            return
        }
        context.console.print("\(report.dryRun ? "Dry run" : "Run"): \(report.totalCases) cases (\(report.summary))"
                              + (report.dryRun ? "" : ", \(report.people) people anonymised, \(report.files) files deleted") + ".")
        for sample in report.sample {
            context.console.print("  case \(sample.number): \(sample.kinds.map(\.rawValue).joined(separator: ", "))")
        }
    }
}
