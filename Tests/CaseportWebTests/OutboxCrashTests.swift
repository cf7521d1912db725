import CaseportCore
import CaseportStore
import CaseportTestSupport
@testable import CaseportWeb
import Fluent
import Foundation
import Vapor
import XCTest

/// E1 "nothing is lost": the built `caseport serve` binary delivers an outbox of 1 000 messages to a real
/// SMTP server, is killed (SIGKILL) in the middle, and is started again. Every message arrives; the only
/// possible repeat is a message whose "250 accepted" came back in the instant before the kill and before
/// it was marked sent (at most one per SMTP connection), recognisable by its fixed Message-ID.
final class OutboxCrashTests: XCTestCase {
    static func serverBinary() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["CASEPORT_BIN"], !path.isEmpty { return URL(fileURLWithPath: path) }
        let testBundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [testBundle, testBundle.deletingLastPathComponent()] {
            let binary = candidate.appendingPathComponent("caseport")
            if FileManager.default.isExecutableFile(atPath: binary.path) { return binary }
        }
        throw XCTSkip("no built caseport binary next to the tests (run swift build first, or set CASEPORT_BIN)")
    }

    func testKilledServerDeliversEveryMessageAfterRestart() async throws {
        let binary = try Self.serverBinary()
        let smtp = try SMTPTestServer(arguments: ["--no-summaries"])
        defer { smtp.stop() }
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("caseport-crash-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        var environment: [String: String] = ["CASEPORT_DATA_DIR": dataDirectory]
        // On SQLite the child process finds the database in its data directory.
        let location = try await TestDatabase.fresh(sqlitePath: URL(fileURLWithPath: dataDirectory).appendingPathComponent("caseport.sqlite").path)
        if case .postgres(let url) = location { environment["DATABASE_URL"] = url }

        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        try await configure(app, config: AppConfig(database: location, bcryptCost: 4, secureCookies: .auto, dataDirectory: dataDirectory))
        try await prepareDatabase(app)
        try await app.db.transaction { tx in
            for n in 0..<1_000 {
                try await OutboxRecord(kind: .messageCopy, recipient: "m\(n)@example.org", language: "sv", subject: "Meddelande \(n)",
                                       body: "Hej nummer \(n)").create(on: tx)
            }
        }

        environment.merge([
            "SMTP_HOST": "127.0.0.1", "SMTP_PORT": String(smtp.port), "MAIL_FROM": "support@fastighet.example",
            "OUTBOX_LEASE_SECONDS": "5", "CASEPORT_BCRYPT_COST": "4", "LOG_LEVEL": "warning",
        ]) { $1 }
        func startServer() throws -> Process {
            let process = Process()
            process.executableURL = binary
            // Port 0: the system gives a free one (nothing here speaks HTTP to it); a random port could be taken.
            process.arguments = ["serve", "--hostname", "127.0.0.1", "--port", "0"]
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            process.currentDirectoryURL = SMTPTestServer.repositoryRoot
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
        func delivered() -> Int {
            ((try? FileManager.default.contentsOfDirectory(atPath: smtp.directory.path)) ?? []).filter { $0.hasSuffix(".eml") }.count
        }

        // First run: killed once a good part, but not all, has gone out.
        let first = try startServer()
        let deadline = Date().addingTimeInterval(120)
        while delivered() < 150 && Date() < deadline && first.isRunning { try await Task.sleep(for: .milliseconds(5)) }
        if !first.isRunning { XCTFail("the first server stopped by itself (status \(first.terminationStatus)) after \(delivered()) deliveries") }
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        let beforeRestart = delivered()
        XCTAssertGreaterThan(beforeRestart, 0)
        XCTAssertLessThan(beforeRestart, 1_000, "the server must be killed mid-delivery")
        let counts = try await OutboxQueue(database: app.db).counts()
        print("outbox crash test: killed after \(beforeRestart) deliveries; rows then: \(counts)")

        // Second run: picks up what was waiting and, after the 5 s lease, what the killed one had claimed.
        let second = try startServer()
        defer { if second.isRunning { kill(second.processIdentifier, SIGKILL); second.waitUntilExit() } }
        let finish = Date().addingTimeInterval(180)
        while Date() < finish {
            if try await OutboxQueue(database: app.db).counts() == ["sent": 1_000] { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        kill(second.processIdentifier, SIGKILL)
        second.waitUntilExit()
        let final = try await OutboxQueue(database: app.db).counts()
        XCTAssertEqual(final, ["sent": 1_000])

        let ids = try smtp.deliveredMessageIds()
        let expected = Set(try await OutboxRecord.query(on: app.db).all().map { "<outbox-\($0.id!)@fastighet.example>" })
        XCTAssertEqual(Set(ids), expected, "every message delivered")
        let repeats = ids.count - Set(ids).count
        print("outbox crash test: \(ids.count) deliveries of 1000 messages, \(repeats) repeated")
        XCTAssertLessThanOrEqual(repeats, DeliveryConfig().concurrency, "at most the one in flight per connection")
        try await app.asyncShutdown()
        await TestDatabase.drop(location)
    }

    /// Two `caseport serve` processes on one PostgreSQL database deliver 1 000 messages: each arrives
    /// exactly once (FOR UPDATE SKIP LOCKED). Runs only with DATABASE_URL (PostgreSQL).
    func testTwoServerProcessesOnOnePostgreSQLDeliverWithoutADuplicate() async throws {
        guard TestDatabase.isPostgres, case .postgres(let url) = try await TestDatabase.fresh() else {
            throw XCTSkip("needs PostgreSQL (DATABASE_URL); SQLite is a single-node database")
        }
        let binary = try Self.serverBinary()
        let smtp = try SMTPTestServer(arguments: ["--no-summaries"])
        defer { smtp.stop() }
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("caseport-two-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        try await configure(app, config: AppConfig(database: .postgres(url: url), bcryptCost: 4, secureCookies: .auto,
                                                   dataDirectory: dataDirectory))
        try await prepareDatabase(app)
        try await app.db.transaction { tx in
            for n in 0..<1_000 {
                try await OutboxRecord(kind: .messageCopy, recipient: "m\(n)@example.org", language: "sv", subject: "Meddelande \(n)",
                                       body: "Hej nummer \(n)").create(on: tx)
            }
        }
        let environment = ["DATABASE_URL": url, "CASEPORT_DATA_DIR": dataDirectory, "SMTP_HOST": "127.0.0.1",
                           "SMTP_PORT": String(smtp.port), "MAIL_FROM": "support@fastighet.example", "LOG_LEVEL": "warning"]
        var servers: [Process] = []
        for _ in 0..<2 {
            let process = Process()
            process.executableURL = binary
            // Port 0: the system gives a free one (nothing here speaks HTTP to it); a random port could be taken.
            process.arguments = ["serve", "--hostname", "127.0.0.1", "--port", "0"]
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            process.currentDirectoryURL = SMTPTestServer.repositoryRoot
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            servers.append(process)
        }
        defer { for server in servers where server.isRunning { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() } }
        let finish = Date().addingTimeInterval(180)
        while Date() < finish {
            if try await OutboxQueue(database: app.db).counts() == ["sent": 1_000] { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        // Both servers may still hold a connection; give the last 250s a moment to be written.
        try await Task.sleep(for: .milliseconds(300))
        let ids = try smtp.deliveredMessageIds()
        XCTAssertEqual(ids.count, 1_000)
        XCTAssertEqual(Set(ids).count, 1_000, "no message twice")
        let final = try await OutboxQueue(database: app.db).counts()
        XCTAssertEqual(final, ["sent": 1_000])
        try await app.asyncShutdown()
        await TestDatabase.drop(.postgres(url: url))
    }

    /// `caseport mailgate` as an MTA runs it: a message on standard input, exit status 0, the reply kept
    /// for staff when it cannot be placed.
    func testMailgateCommandReadsStandardInput() async throws {
        let binary = try Self.serverBinary()
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("caseport-gate-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        var environment = ["CASEPORT_DATA_DIR": dataDirectory, "LOG_LEVEL": "warning", "CASEPORT_SECRET": "cli-secret"]
        // On SQLite the child process finds the database in its data directory.
        let location = try await TestDatabase.fresh(sqlitePath: URL(fileURLWithPath: dataDirectory).appendingPathComponent("caseport.sqlite").path)
        if case .postgres(let url) = location { environment["DATABASE_URL"] = url }
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        try await configure(app, config: AppConfig(database: location, bcryptCost: 4, secureCookies: .auto, dataDirectory: dataDirectory))
        try await prepareDatabase(app)
        try await DemoData.load(on: app.db, hasher: app.caseport.passwords, storage: app.caseport.storage)
        let customer = try await CaseportWebTests.Demo.customer("1001", on: app.db)
        let target = try await CaseRecord.query(on: app.db).filter(\.$customerId == customer.id!).filter(\.$status != .closed)
            .sort(\.$number, .descending).first()!
        let token = ReplyTokens(secret: "cli-secret").token(caseId: target.id!, recipient: "anna@solglantan.example")
        func run(_ mail: String) throws -> (Int32, String) {
            let process = Process()
            process.executableURL = binary
            process.arguments = ["mailgate"]
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            process.currentDirectoryURL = SMTPTestServer.repositoryRoot
            let input = Pipe(), output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            input.fileHandleForWriting.write(Data(mail.utf8))
            try input.fileHandleForWriting.close()
            let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, printed)
        }
        let good = "From: Anna Lindqvist <anna@solglantan.example>\r\nTo: <svar+\(token)@fastighet.example>\r\n"
            + "Subject: Re: =?UTF-8?Q?=C3=A4rende?=\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nTack, det fungerar nu.\r\n\r\n> gammalt\r\n"
        let placed = try run(good)
        XCTAssertEqual(placed.0, 0)
        XCTAssertTrue(placed.1.contains("added to case"), placed.1)
        let message = try await CaseMessageRecord.query(on: app.db).filter(\.$caseId == target.id!).sort(\.$id, .descending).first()
        XCTAssertEqual(message?.body, "Tack, det fungerar nu.")
        let forged = try run(good.replacingOccurrences(of: token, with: "c\(target.id!)-000000000000000000000000"))
        XCTAssertEqual(forged.0, 0)
        XCTAssertTrue(forged.1.contains("kept for staff"), forged.1)
        let kept = try await UnplacedMailRecord.query(on: app.db).count()
        XCTAssertEqual(kept, 1)
        try await app.asyncShutdown()
        await TestDatabase.drop(location)
    }
}
