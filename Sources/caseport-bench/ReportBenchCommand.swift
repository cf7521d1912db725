import CaseportCore
import CaseportStore
import CaseportWeb
import Fluent
import Vapor

/// `caseport-bench report`: times the case report PDF (E2) of one case with N customer-visible
/// messages (default 200; every tenth a long one) and 20 files — reading the case, its messages and
/// files, and laying out and writing the PDF, as `GET /staff/cases/{number}/report.pdf` does — and
/// prints the time of each run and the file's size and page count. Each run of the command makes a
/// new case, so it can be repeated on the same database.
struct ReportBenchCommand: AsyncCommand {
    let config: AppConfig

    struct Signature: CommandSignature {
        @Option(name: "messages", help: "Customer-visible messages on the case (default 200).")
        var messages: Int?
        @Option(name: "runs", help: "How many reports to time (default 10).")
        var runs: Int?
        init() {}
    }

    var help: String { "Times the case report PDF of a case with many messages." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await prepareDatabase(app)
        let db = app.db
        let count = max(1, signature.messages ?? 200)
        let start = Date()
        let record = CaseRecord()
        record.number = try await CaseNumbers.next(on: db)
        record.subject = "Vattenläcka i tvättstugan – Łukasz Čapek"
        record.description = "Det droppar från taket i tvättstugan på plan 2."
        record.status = .open
        record.hasUnreadActivity = false
        record.version = 1
        record.createdByName = "Anna Åberg"
        record.origin = .portal
        record.createdAt = start
        record.updatedAt = start
        record.lastActivityAt = start
        try await record.create(on: db)
        for index in 0..<count {
            let message = CaseMessageRecord()
            message.caseId = record.id!
            message.authorKind = index.isMultiple(of: 2) ? .customer : .staff
            message.authorName = index.isMultiple(of: 2) ? "Anna Åberg" : "Fastighetsservice"
            message.body = "Meddelande \(index + 1): " + String(repeating: "Vattnet droppar fortfarande, nu även i förrådet. ",
                                                                 count: index.isMultiple(of: 10) ? 30 : 2)
            message.isInternal = false
            message.createdAt = start.addingTimeInterval(Double(index))
            try await message.create(on: db)
        }
        for index in 0..<20 {
            let file = StoredFileRecord()
            file.caseId = record.id!
            file.storageKey = "bench-\(UUID().uuidString)"
            file.originalName = "foto-\(index + 1)-tvättstugan.jpg"
            file.contentType = "image/jpeg"
            file.byteSize = 100_000 + index * 3_000
            file.uploaderName = "Anna Åberg"
            file.createdAt = start.addingTimeInterval(Double(index))
            try await file.create(on: db)
        }
        context.console.print("database: \(config.database.summary)")
        var times: [Double] = []
        var size = 0, pages = 0
        for _ in 1...max(1, signature.runs ?? 10) {
            let began = Date()
            let bytes = try await BenchmarkAccess.caseReport(app, number: record.number, language: .sv)
            times.append(Date().timeIntervalSince(began) * 1000)
            size = bytes.count
            pages = String(decoding: bytes, as: UTF8.self).components(separatedBy: "/Type /Page ").count - 1
        }
        times.sort()
        context.console.print(String(format: "case %d, %d messages, 20 files: %d KB, %d pages; %d runs: median %.0f ms, best %.0f ms, worst %.0f ms",
                                     record.number, count, size / 1024, pages, times.count, times[times.count / 2], times.first!, times.last!))
    }
}
