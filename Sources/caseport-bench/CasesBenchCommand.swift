import CaseportBenchData
import CaseportCore
import CaseportStore
import CaseportWeb
import Fluent
import Vapor

/// `caseport-bench cases`: seeds a fresh database with many cases (default 1 000 000 over 500 customers, with
/// messages), then times the portal's queries for a user of one customer at the database layer and
/// prints median and p99. Run it against an empty database: SQLite in a fresh CASEPORT_DATA_DIR, or
/// PostgreSQL via DATABASE_URL. The HTTP figure comes from `scripts/bench-http.sh`, which uses this data.
struct CasesBenchCommand: AsyncCommand {
    let config: AppConfig

    struct Signature: CommandSignature {
        @Option(name: "cases", help: "How many cases to seed (default 1000000).")
        var cases: Int?
        @Option(name: "customers", help: "How many customers (default 500).")
        var customers: Int?
        @Option(name: "iterations", help: "Timed runs per query (default 200).")
        var iterations: Int?
        @Flag(name: "reuse", help: "Measure the data already there instead of seeding.")
        var reuse: Bool
        init() {}
    }

    var help: String { "Seeds a large data set and reports query timings (median, p99)." }

    struct Failure: Error, CustomStringConvertible { let description: String }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let console = context.console
        try await prepareDatabase(app)
        let db = app.db
        let shape = BenchmarkData.Shape(customers: signature.customers ?? 500, cases: signature.cases ?? 1_000_000)
        if !signature.reuse {
            guard try await CaseRecord.query(on: db).count() == 0 else {
                throw Failure(description: "the database already has cases; use an empty one, or --reuse to measure it as it is")
            }
            let started = Date()
            // The bench user's password is "Bench1234"; a low bcrypt cost keeps the HTTP benchmark's login quick.
            let hash = try Bcrypt.hash("Bench1234", cost: 6)
            try await BenchmarkData.seed(shape, passwordHash: hash, on: db) { step in console.print("seeding: \(step)") }
            console.print(String(format: "seeded %d cases over %d customers in %.0f s", shape.cases, shape.customers,
                                 Date().timeIntervalSince(started)))
        }
        guard let user = try await PortalUserRecord.query(on: db).filter(\.$usernameKey == "bench").first() else {
            throw Failure(description: "no bench user; run without --reuse on an empty database first")
        }
        let viewer = try await PortalViewers.viewer(for: user, on: db)
        let visibility = CaseVisibility(for: viewer)
        let cases = VisibleCases(database: db)
        let conversation = CaseConversation(database: db)
        let files = VisibleFiles(database: db)
        let reader = CaseReader(userId: try user.requireID(), since: user.createdAt ?? .distantPast)
        let iterations = max(10, signature.iterations ?? 200)
        let total = try await cases.count(for: visibility)
        let pageSize = BenchmarkAccess.portalCaseListPageSize
        let lastOffset = max(0, (total - 1) / pageSize * pageSize)
        let search: CaseFilter = {
            var filter = CaseFilter()
            filter.text = "läckage"
            return filter
        }()
        let sample = try await cases.page(for: visibility, offset: lastOffset / 2, limit: 1)
        guard let someCase = sample.first else { throw Failure(description: "the bench user sees no cases") }
        console.print("database: \(config.database.summary)")
        console.print("bench user sees \(total) cases; \(iterations) runs per query")

        // Each measured unit is what one page view asks of the database.
        var measurements: [(String, @Sendable () async throws -> Void)] = [
            ("list, first page (count + 25 rows)", {
                _ = try await cases.count(for: visibility)
                _ = try await cases.page(for: visibility, reader: reader, offset: 0, limit: pageSize)
            }),
            ("list, last page (count + rows at offset \(lastOffset))", {
                _ = try await cases.count(for: visibility)
                _ = try await cases.page(for: visibility, reader: reader, offset: lastOffset, limit: pageSize)
            }),
            ("free-text search \"läckage\" (count + 25 rows)", {
                _ = try await cases.count(for: visibility, filter: search)
                _ = try await cases.page(for: visibility, filter: search, reader: reader, offset: 0, limit: pageSize)
            }),
            ("open one case (case, fields, messages, files)", {
                guard let detail = try await cases.find(number: someCase.number, for: visibility) else {
                    throw Failure(description: "case vanished")
                }
                _ = try await conversation.fieldValues(caseId: detail.id)
                _ = try await conversation.publicMessages(caseId: detail.id)
                _ = try await files.caseFiles(caseId: detail.id)
            }),
        ]
        // The back office (D3): a handler's list, newest first, with any single filter.
        let staffCases = StaffCases(database: db)
        var staffFilters: [(String, StaffCaseFilter)] = [("staff list, no filter", StaffCaseFilter())]
        func filter(_ change: (inout StaffCaseFilter) -> Void) -> StaffCaseFilter { var f = StaffCaseFilter(); change(&f); return f }
        staffFilters += [
            ("staff list, status = open", filter { $0.base.status = .open }),
            ("staff list, active cases", filter { $0.base.statusGroup = .active }),
            ("staff list, handler = 2", filter { $0.handlerId = 2 }),
            ("staff list, unassigned", filter { $0.unassigned = true }),
            ("staff list, customer = 7", filter { $0.base.customerId = 7 }),
            ("staff list, object = 30", filter { $0.base.objectId = 30 }),
            ("staff list, category = 3", filter { $0.base.categoryId = 3 }),
            ("staff list, type = 2", filter { $0.base.caseTypeId = 2 }),
            ("staff list, priority = 1", filter { $0.priorityId = 1 }),
            ("staff list, unread activity", filter { $0.unreadOnly = true }),
            ("staff list, text \"läckage\"", filter { $0.base.text = "läckage" }),
        ]
        for (name, staffFilter) in staffFilters {
            // What the page asks: the first 50 rows and the count (capped at 10 000).
            measurements.append(("\(name)", {
                _ = try await staffCases.count(staffFilter, cap: BenchmarkAccess.staffCaseCountCap)
                _ = try await staffCases.page(staffFilter, offset: 0, limit: BenchmarkAccess.staffCaseListPageSize)
            }))
        }

        console.print("query                                              median ms    p99 ms")
        for (name, body) in measurements {
            for _ in 0..<5 { try await body() } // warm caches
            var samples: [Double] = []
            for _ in 0..<iterations {
                let start = DispatchTime.now().uptimeNanoseconds
                try await body()
                samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000)
            }
            samples.sort()
            let median = samples[samples.count / 2]
            let p99 = samples[min(samples.count - 1, Int(Double(samples.count) * 0.99))]
            console.print(name.padding(toLength: 50, withPad: " ", startingAt: 0)
                          + String(format: " %9.2f %9.2f", median, p99))
        }
    }
}
