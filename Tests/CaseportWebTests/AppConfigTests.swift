import CaseportCore
import CaseportStore
@testable import CaseportWeb
import Foundation
import Vapor
import XCTest

/// Issue 10, point 7: every environment variable is read and checked in one place (`AppConfig`), a
/// malformed value stops start-up with its name, and README's table lists exactly what is read.
final class AppConfigTests: XCTestCase {
    /// What a start-up with SMTP and SMS configured needs besides the variable under test.
    static let smtpBase = ["SMTP_HOST": "mail.example.com", "MAIL_FROM": "support@example.com"]
    /// Single sign-on's required three (issue 16).
    static let oidcBase = ["CASEPORT_OIDC_ISSUER": "https://login.example.com", "CASEPORT_OIDC_CLIENT_ID": "caseport",
                           "CASEPORT_OIDC_CLIENT_SECRET": "s"]

    func testEveryMalformedValueIsRefusedWithItsName() {
        let caFile = "/nonexistent/ca.pem"
        let malformed: [(String, String, [String: String])] = [
            ("DATABASE_URL", "mysql://x@y/z", [:]),
            ("DATABASE_URL", "postgres://cp@/caseport?host=run/postgresql", [:]),
            ("DATABASE_URL", "postgres://cp@/caseport?host=/run/postgresql&port=54x", [:]),
            ("CASEPORT_BCRYPT_COST", "3", [:]),
            ("CASEPORT_SECURE_COOKIES", "sometimes", [:]),
            ("CASEPORT_PUBLIC_URL", "portal.example.com", [:]),
            ("CASEPORT_TRUSTED_PROXIES", "10.0.0.0/8, proxy.example", [:]),
            ("CASEPORT_TEMPLATE_RELOAD", "please", [:]),
            ("CASEPORT_PG_PREPARED", "off", [:]),
            ("CASEPORT_SESSION_IDLE_MINUTES", "soon", [:]),
            ("CASEPORT_SESSION_MAX_DAYS", "0", [:]),
            ("CASEPORT_API_RATE_LIMIT", "lots", [:]),
            ("CASEPORT_COUNT_SECONDS", "-1", [:]),
            ("LOG_LEVEL", "loud", [:]),
            ("SMTP_SECURITY", "ssl", Self.smtpBase),
            ("SMTP_PORT", "70000", Self.smtpBase),
            ("SMTP_CA_FILE", caFile, Self.smtpBase),
            ("MAIL_FROM", "support", ["SMTP_HOST": "mail.example.com"]),
            ("SMS_GATEWAY_URL", "ftp://sms.example.com", [:]),
            ("MAIL_REPLY_ADDRESS", "reply at example", [:]),
            ("OUTBOX_MAX_ATTEMPTS", "0", [:]),
            ("OUTBOX_CONCURRENCY", "many", [:]),
            ("OUTBOX_LEASE_SECONDS", "1", [:]),
            ("APPROVAL_REMINDER_DAYS", "-2", [:]),
            ("CASEPORT_WEBHOOK_ALLOWED_NETWORKS", "10.0.0.0/8, hooks.example", [:]),
            ("WEBHOOK_CONCURRENCY", "99", [:]),
            ("CASEPORT_OIDC_ISSUER", "login.example.com", Self.oidcBase),
            ("CASEPORT_OIDC_CLIENT_ID", "", ["CASEPORT_OIDC_ISSUER": "https://login.example.com", "CASEPORT_OIDC_CLIENT_SECRET": "s"]),
            ("CASEPORT_OIDC_CREATE_STAFF", "perhaps", Self.oidcBase),
        ]
        for (name, value, base) in malformed {
            var environment = base
            environment[name] = value
            XCTAssertThrowsError(try AppConfig.from(environment: environment), name) { error in
                XCTAssertTrue(error is AppConfig.Problem, name)
                XCTAssertTrue("\(error)".hasPrefix(name), "\(name): \(error)")
            }
            // The same environment without the bad value starts.
            environment[name] = nil
            if name != "MAIL_FROM" && name != "CASEPORT_OIDC_CLIENT_ID" { XCTAssertNoThrow(try AppConfig.from(environment: environment), name) }
        }
    }

    func testGoodValuesAreParsed() throws {
        let caFile = NSTemporaryDirectory() + "caseport-config-ca-\(UUID().uuidString).pem"
        FileManager.default.createFile(atPath: caFile, contents: Data("-----BEGIN CERTIFICATE-----\n".utf8))
        defer { try? FileManager.default.removeItem(atPath: caFile) }
        let config = try AppConfig.from(environment: [
            "CASEPORT_DATA_DIR": "/srv/caseport",
            "DATABASE_URL": " postgres://cp:secret@db.internal:6543/caseport ",
            "CASEPORT_BCRYPT_COST": "10",
            "CASEPORT_SECURE_COOKIES": "Always",
            "CASEPORT_PUBLIC_URL": "https://portal.example.com/",
            "CASEPORT_TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1",
            "CASEPORT_TEMPLATE_RELOAD": "1",
            "CASEPORT_SESSION_IDLE_MINUTES": "30",
            "CASEPORT_SESSION_MAX_DAYS": "2",
            "CASEPORT_API_RATE_LIMIT": "120", "CASEPORT_COUNT_SECONDS": "0",
            "LOG_LEVEL": "warning",
            "SMTP_HOST": "mail.example.com", "SMTP_SECURITY": "STARTTLS", "SMTP_USER": "cp", "SMTP_PASSWORD": " pass word ",
            "SMTP_CA_FILE": caFile, "MAIL_FROM": "support@example.com",
            "SMS_GATEWAY_URL": "https://sms.example.com/send", "SMS_GATEWAY_TOKEN": "tok",
            "CASEPORT_COMPANY_NAME": "Fastighet AB", "MAIL_REPLY_ADDRESS": "reply@portal.example.com",
            "CASEPORT_SECRET": "s3cret", "OUTBOX_MAX_ATTEMPTS": "3", "OUTBOX_CONCURRENCY": "2",
            "OUTBOX_LEASE_SECONDS": "60", "APPROVAL_REMINDER_DAYS": "7",
        ])
        XCTAssertEqual(config.dataDirectory, "/srv/caseport")
        XCTAssertEqual(config.database, .postgres(url: "postgres://cp:secret@db.internal:6543/caseport"))
        XCTAssertEqual(config.bcryptCost, 10)
        XCTAssertEqual(config.secureCookies, .always)
        XCTAssertEqual(config.publicURL, "https://portal.example.com")
        XCTAssertEqual(config.delivery.publicURL, "https://portal.example.com")
        XCTAssertEqual(config.trustedProxies.count, 2)
        XCTAssertTrue(config.templateReload)
        XCTAssertEqual(config.sessions.idle, 30 * 60)
        XCTAssertEqual(config.sessions.absolute, 2 * 24 * 3_600)
        XCTAssertEqual(config.apiRatePerMinute, 120)
        XCTAssertEqual(config.countSeconds, 0)
        XCTAssertEqual(config.logLevel, .warning)
        let smtp = try XCTUnwrap(config.delivery.smtp)
        XCTAssertEqual(smtp.host, "mail.example.com")
        XCTAssertEqual(smtp.security, .starttls)
        XCTAssertEqual(smtp.port, 587)
        XCTAssertEqual(smtp.user, "cp")
        XCTAssertEqual(smtp.password, " pass word ")
        XCTAssertEqual(smtp.caFile, caFile)
        XCTAssertEqual(smtp.from, "support@example.com")
        XCTAssertEqual(config.delivery.smsGatewayURL, "https://sms.example.com/send")
        XCTAssertEqual(config.delivery.smsGatewayToken, "tok")
        XCTAssertEqual(config.delivery.companyName, "Fastighet AB")
        XCTAssertEqual(config.delivery.replyAddress, "reply@portal.example.com")
        XCTAssertEqual(config.delivery.secret, "s3cret")
        XCTAssertEqual(config.delivery.maxAttempts, 3)
        XCTAssertEqual(config.delivery.concurrency, 2)
        XCTAssertEqual(config.delivery.lease, 60)
        XCTAssertEqual(config.delivery.approvalReminderAfter, 7 * 24 * 3_600)
    }

    /// libpq's form for the server's Unix socket (`host=` a directory) is a PostgreSQL location like any other;
    /// PostgresSocketTests connects through it.
    func testDatabaseURLMayNameAUnixSocketDirectory() throws {
        let url = "postgres://cp@/caseport?host=/run/postgresql&port=5433"
        let config = try AppConfig.from(environment: ["DATABASE_URL": url])
        XCTAssertEqual(config.database, .postgres(url: url))
        XCTAssertEqual(config.database.summary, "PostgreSQL at /run/postgresql (Unix socket)/caseport")
        XCTAssertThrowsError(try AppConfig.from(environment: ["DATABASE_URL": "postgres://cp@/caseport?port=5433"]))
    }

    func testDefaultsWhenNothingIsSet() throws {
        let config = try AppConfig.from(environment: [:])
        XCTAssertEqual(config.database, .sqlite(path: URL(fileURLWithPath: "./data").appendingPathComponent("caseport.sqlite").path))
        XCTAssertEqual(config.bcryptCost, 12)
        XCTAssertEqual(config.secureCookies, .auto)
        XCTAssertNil(config.publicURL)
        XCTAssertFalse(config.templateReload)
        XCTAssertNil(config.logLevel)
        XCTAssertNil(config.delivery.smtp)
        XCTAssertEqual(config.sessions.idle, 480 * 60)
        XCTAssertEqual(try AppConfig.from(environment: ["CASEPORT_TEMPLATE_RELOAD": "0"]).templateReload, false)
        XCTAssertEqual(try AppConfig.from(environment: ["CASEPORT_DATA_DIR": "/srv/cp"]).database, .sqlite(path: "/srv/cp/caseport.sqlite"))
    }

    /// The object store: off by default; on with an endpoint, which then needs a bucket and both keys.
    func testObjectStoreSettings() throws {
        XCTAssertNil(try AppConfig.from(environment: [:]).objectStore)
        let on = try AppConfig.from(environment: ["CASEPORT_S3_ENDPOINT": "http://127.0.0.1:8333", "CASEPORT_S3_BUCKET": "caseport-files",
                                                  "CASEPORT_S3_ACCESS_KEY": "k", "CASEPORT_S3_SECRET_KEY": "s"]).objectStore
        XCTAssertEqual(on?.bucket, "caseport-files")
        XCTAssertEqual(on?.region, "us-east-1")
        XCTAssertThrowsError(try AppConfig.from(environment: ["CASEPORT_S3_ENDPOINT": "http://127.0.0.1:8333"])) { error in
            XCTAssertEqual("\(error)", "CASEPORT_S3_BUCKET must be set when CASEPORT_S3_ENDPOINT is")
        }
        XCTAssertThrowsError(try AppConfig.from(environment: ["CASEPORT_S3_ENDPOINT": "ftp://files"])) { error in
            XCTAssertTrue("\(error)".hasPrefix("CASEPORT_S3_ENDPOINT must be an http(s) address"))
        }
        XCTAssertThrowsError(try AppConfig.from(environment: ["CASEPORT_S3_ENDPOINT": "http://s3", "CASEPORT_S3_BUCKET": "Files!",
                                                              "CASEPORT_S3_ACCESS_KEY": "k", "CASEPORT_S3_SECRET_KEY": "s"]))
    }

    /// README's configuration table and what `AppConfig` reads are the same set of names.
    func testReadmeListsExactlyTheVariablesRead() throws {
        var everything = Self.smtpBase
        everything["SMS_GATEWAY_URL"] = "https://sms.example.com"
        everything["CASEPORT_S3_ENDPOINT"] = "http://127.0.0.1:8333"
        everything["CASEPORT_S3_BUCKET"] = "caseport"
        everything["CASEPORT_S3_ACCESS_KEY"] = "key"
        everything["CASEPORT_S3_SECRET_KEY"] = "secret"
        everything.merge(Self.oidcBase) { a, _ in a }
        let read = Set(try AppConfig.variableNames(reading: everything))
        let readme = try String(contentsOf: Self.repository.appendingPathComponent("README.md"), encoding: .utf8)
        guard let start = readme.range(of: "## Configuration") else { return XCTFail("README has no Configuration section") }
        let tableRows = readme[start.upperBound...].split(separator: "\n").drop { !$0.hasPrefix("|") }.prefix { $0.hasPrefix("|") }
        var documented = Set<String>()
        for row in tableRows {
            let firstCell = row.split(separator: "|").first ?? ""
            // Names are the code spans of the first cell: `SMTP_USER`, `SMTP_PASSWORD`.
            let spans = firstCell.split(separator: "`", omittingEmptySubsequences: false).enumerated()
                .filter { $0.offset % 2 == 1 }.map { String($0.element) }
            documented.formUnion(spans.filter { !$0.isEmpty && $0.allSatisfy { $0.isUppercase || $0.isNumber || $0 == "_" } })
        }
        XCTAssertEqual(read.subtracting(documented), [], "read but not in README's table")
        XCTAssertEqual(documented.subtracting(read), [], "in README's table but never read")
    }

    /// Nothing outside the configuration reads the process environment: values are passed down.
    func testOnlyTheEntrypointsReadTheEnvironment() throws {
        let sources = Self.repository.appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)!
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        XCTAssertFalse(files.isEmpty)
        let allowed: Set<String> = ["caseport/Entrypoint.swift", "caseport-bench/Entrypoint.swift"]
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            let relative = file.pathComponents.suffix(2).joined(separator: "/")
            for needle in ["ProcessInfo.processInfo.environment", "Environment.get(", "getenv(", "Environment.process"]
            where text.contains(needle) {
                XCTAssertTrue(allowed.contains(relative), "\(relative) reads the environment (\(needle))")
            }
        }
    }

    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
}
