import CaseportStore
import CaseportWeb
import Fluent
import Vapor

/// `caseport-bench outbox --messages 5000`: fills the outbox of the configured database and times how
/// long the delivery worker takes to hand every message to the SMTP server in SMTP_HOST/SMTP_PORT
/// (a local aiosmtpd in `scripts/bench-outbox.sh`), with OUTBOX_CONCURRENCY connections. Prints
/// messages a second. Use an empty database: the rows it adds are delivered for real.
struct OutboxBenchCommand: AsyncCommand {
    let config: AppConfig

    struct Signature: CommandSignature {
        @Option(name: "messages", help: "How many messages to queue and deliver (default 5000).")
        var messages: Int?
        init() {}
    }

    var help: String { "Times outbox delivery to the configured SMTP server (messages a second)." }

    struct Failure: Error, CustomStringConvertible { let description: String }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await prepareDatabase(app)
        let delivery = config.delivery
        guard delivery.smtp != nil else { throw Failure(description: "set SMTP_HOST, SMTP_PORT and MAIL_FROM to the test SMTP server") }
        let count = signature.messages ?? 5_000
        let queue = OutboxQueue(database: app.db)
        guard try await queue.counts().filter({ $0.key != "sent" }).values.reduce(0, +) == 0 else {
            throw Failure(description: "the outbox already has undelivered rows; use an empty database")
        }
        try await app.db.transaction { tx in
            for n in 0..<count {
                try await OutboxRecord(kind: .benchmark, recipient: "bench\(n)@example.org", language: "sv",
                                       subject: "Ärende \(n): läckande kran i tvättstugan",
                                       body: "Hej!\n\nVi har tagit emot ert ärende \(n).\n\nhttps://portal.example/cases/\(n)",
                                       caseId: nil).create(on: tx)
            }
        }
        let started = Date()
        try await BenchmarkAccess.deliverOutbox(app, config: delivery)
        let seconds = Date().timeIntervalSince(started)
        let counts = try await queue.counts()
        context.console.print("outbox: \(count) messages, \(delivery.concurrency) SMTP connections, \(config.database.summary)")
        context.console.print("outbox: \(String(format: "%.2f", seconds)) s, \(String(format: "%.0f", Double(count) / seconds)) messages/s; rows: \(counts)")
    }
}
