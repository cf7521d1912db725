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
        let location: DatabaseLocation
        if case .postgres(let url) = TestDatabase.freshLocation() {
            location = .postgres(url: url)
            environment["DATABASE_URL"] = url
        } else {
            location = .sqlite(path: URL(fileURLWithPath: dataDirectory).appendingPathComponent("caseport.sqlite").path)
        }

        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        try await configure(app, config: AppConfig(database: location, bcryptCost: 4, secureCookies: .auto, dataDirectory: dataDirectory))
        try await TestDatabase.wipe(app.db)
        try await prepareDatabase(app)
        try await app.db.transaction { tx in
            for n in 0..<1_000 {
                try await OutboxRecord(kind: "bulk", recipient: "m\(n)@example.org", language: "sv", subject: "Meddelande \(n)",
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
            process.arguments = ["serve", "--hostname", "127.0.0.1", "--port", String(Int.random(in: 20_000...40_000))]
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
        while delivered() < 150 && Date() < deadline { try await Task.sleep(for: .milliseconds(5)) }
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
    }
}
