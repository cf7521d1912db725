import CaseportCore
import CaseportStore
import CaseportWeb
import Fluent
import Vapor

/// `caseport-bench import`: times the D6 CSV import of N contacts (default 10 000) along the path the
/// "import" button takes — parse, check every row against the file and the database, write all rows
/// with their customer links in one transaction — and prints each step and the total. Each run uses
/// new e-mail addresses, so it can be repeated on the same database. Target: under 10 s.
struct ImportBenchCommand: AsyncCommand {
    let config: AppConfig

    struct Signature: CommandSignature {
        @Option(name: "contacts", help: "Rows per import (default 10000).")
        var contacts: Int?
        @Option(name: "runs", help: "How many imports to time (default 3).")
        var runs: Int?
        init() {}
    }

    var help: String { "Times a CSV import of many contacts (parse, check, all-or-nothing write)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await prepareDatabase(app)
        let db = app.db
        let count = max(1, signature.contacts ?? 10_000)
        // Two customers the rows link to, made once.
        for number in ["BENCH-1", "BENCH-2"] where try await CustomerRecord.query(on: db).filter(\.$customerNumber == number).first() == nil {
            try await CustomerRecord(name: "Bench \(number)", shortCode: number.lowercased(), customerNumber: number).create(on: db)
        }
        context.console.print("database: \(config.database.summary)")
        var totals: [Double] = []
        for run in 1...max(1, signature.runs ?? 3) {
            let tag = "\(Int(Date().timeIntervalSince1970))r\(run)"
            var lines = ["first_name;last_name;email;phone;customer_numbers"]
            lines.reserveCapacity(count + 1)
            for index in 0..<count {
                lines.append("Förnamn\(index);\"Efternamn, \(index)\";b\(tag)-\(index)@example.com;070-\(index);\(index.isMultiple(of: 3) ? "BENCH-1|BENCH-2" : "BENCH-1")")
            }
            let data = Data(lines.joined(separator: "\r\n").utf8)
            let started = Date()
            let table = try CSVTable.parse(data: data)
            let parsed = Date()
            let checkedAt = try await db.transaction { tx -> Date in
                let importer = MasterDataImport(database: tx)
                let rows = ImportRules.rows(table, kind: .contacts)
                let known = try await importer.known(for: rows.rows, kind: .contacts)
                let check = ImportRules.check(table, kind: .contacts, known: known)
                guard check.isClean else { throw Abort(.internalServerError, reason: "bench rows have problems") }
                let checkedAt = Date()
                try await importer.write(check.rows, kind: .contacts, known: known, passwordHash: "-")
                return checkedAt
            }
            let done = Date()
            let total = done.timeIntervalSince(started)
            totals.append(total)
            context.console.print(String(format: "run %d: %d contacts (%d KB): parse %.2f s, check %.2f s, write %.2f s, total %.2f s",
                                         run, count, data.count / 1024, parsed.timeIntervalSince(started),
                                         checkedAt.timeIntervalSince(parsed), done.timeIntervalSince(checkedAt), total))
        }
        context.console.print(String(format: "best %.2f s, worst %.2f s (target: under 10 s)", totals.min()!, totals.max()!))
    }
}
