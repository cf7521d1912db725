import CaseportCore
import CaseportStore
import CaseportWeb
import Fluent
import Foundation
import Vapor

/// `caseport-bench claim-page`: seeds one claim with 500 events, 50 tasks and 100 documents (the demo's
/// claim scaled up, `DemoClaims`) on an empty database, then times the customer page's queries and the
/// whole page over HTTP (every tab; a local server in this process with a visitor of that claim), as
/// median and p99.
struct ClaimPageBenchCommand: AsyncCommand {
    let config: AppConfig

    struct Signature: CommandSignature {
        @Option(name: "iterations", help: "Timed runs of each query and page (default 200).")
        var iterations: Int?
        init() {}
    }

    var help: String { "Times the claim customer page's queries and pages (500 events, 50 tasks, 100 documents)." }

    struct Failure: Error, CustomStringConvertible { let description: String }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let console = context.console
        try await prepareDatabase(app)
        let db = app.db
        guard try await CaseRecord.query(on: db).count() == 0 else { throw Failure(description: "use an empty database") }
        // The demo claim has 25 events, 4 tasks and 4 files of its own.
        let storage = BenchmarkAccess.fileStorage(app)
        let seeded = try await db.transaction { tx in
            try await DemoClaims.seed(on: tx, storage: storage, now: Date(), customerNumber: "9001",
                                      scale: .init(events: 475, tasks: 46, documents: 96))
        }
        let caseId = seeded.caseId
        let events = try await CaseEventRecord.query(on: db).filter(\.$caseId == caseId).count()
        let tasks = try await ClaimTaskRecord.query(on: db).filter(\.$caseId == caseId).count()
        let files = try await StoredFileRecord.query(on: db).filter(\.$caseId == caseId).count()
        console.print("database: \(config.database.summary); one claim with \(events) events, \(tasks) tasks, \(files) files")

        let iterations = max(20, signature.iterations ?? 200)
        func time(_ name: String, _ body: () async throws -> Int) async throws {
            var times: [Double] = []
            var rows = 0
            for _ in 0..<iterations {
                let began = Date()
                rows = try await body()
                times.append(Date().timeIntervalSince(began) * 1000)
            }
            console.print(Self.line(name, rows: rows, times))
        }
        let page = ClaimPage(database: db)
        let store = ClaimSettingsStore(database: db)
        let everything = Set(ClaimFeedEntry.allCases)
        try await time("settings (three levels) and progress") {
            _ = try await store.levels(caseId: caseId).effective
            _ = try await store.progress(caseId: caseId)
            return 1
        }
        try await time("case information") { try await page.info(caseId: caseId) == nil ? 0 : 1 }
        try await time("contacts") { try await page.contacts(caseId: caseId).count }
        try await time("news feed, first page of 20, every entry") {
            try await page.feed(caseId: caseId, filter: everything, limit: 20).items.count
        }
        try await time("news feed, page 10 of 20, every entry") {
            try await page.feed(caseId: caseId, filter: everything, offset: 180, limit: 20).items.count
        }
        try await time("news feed, first page, one rare entry") {
            try await page.feed(caseId: caseId, filter: [.expertAssigned], limit: 20).items.count
        }
        try await time("plan (upcoming tasks, 5)") { try await page.tasks(caseId: caseId, upcomingFrom: Date(), limit: 5).count }
        try await time("project plan (every task)") { try await page.tasks(caseId: caseId).count }
        try await time("messages and their files") {
            let messages = try await page.messages(caseId: caseId)
            _ = try await page.messageFiles(caseId: caseId, messageIds: messages.map(\.id))
            return messages.count
        }
        try await time("documents") { try await page.documents(caseId: caseId).count }
        try await time("budget") { try await BudgetLines(database: db).lines(caseId: caseId).count }

        // The whole page over HTTP: a server on a free local port whose every request is this claim's visitor.
        app.middleware.use(BenchmarkAccess.claimViewer(caseId: caseId, name: "Ole Larsen"))
        app.http.server.configuration.hostname = "127.0.0.1"
        app.http.server.configuration.port = 0
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        guard let port = app.http.server.shared.localAddress?.port else { throw Failure(description: "the server has no port") }
        for tab in ["/claim", "/claim/plan", "/claim/messages", "/claim/documents", "/claim/budget", "/claim?page=10"] {
            var times: [Double] = []
            var bytes = 0
            for _ in 0..<iterations {
                let began = Date()
                let response = try await app.client.get(URI(string: "http://127.0.0.1:\(port)\(tab)"), headers: ["Accept-Language": "da"])
                guard response.status == .ok else { throw Failure(description: "\(tab): \(response.status)") }
                bytes = response.body?.readableBytes ?? 0
                times.append(Date().timeIntervalSince(began) * 1000)
            }
            console.print(Self.line("GET \(tab) over HTTP (\(bytes / 1024) kB)", rows: nil, times))
        }
        await app.server.shutdown()
    }

    static func line(_ name: String, rows: Int?, _ unsorted: [Double]) -> String {
        let times = unsorted.sorted()
        let p99 = times[min(times.count - 1, Int((Double(times.count) * 0.99).rounded(.up)) - 1)]
        let what = rows.map { "\(name) (\($0) rows)" } ?? name
        return String(format: "%@: median %.2f ms, p99 %.2f ms", what, times[times.count / 2], p99)
    }
}
