import Foundation
import XCTest

/// A real SMTP server for the tests: Python's aiosmtpd on loopback (scripts/test-smtp-server.py), writing
/// each accepted message to a directory as .eml plus a .json summary decoded by Python's own mail parser.
/// The test is skipped, with a message saying why, when python3 or aiosmtpd is missing locally;
/// .ci/run installs aiosmtpd, so in CI these tests always run.
final class SMTPTestServer: @unchecked Sendable {
    let process = Process()
    let directory: URL
    let port: Int

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static func requirePython(module: String) throws {
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", "-c", "import \(module)"]
        check.standardOutput = FileHandle.nullDevice
        check.standardError = FileHandle.nullDevice
        do { try check.run() } catch { throw XCTSkip("python3 is not installed: the SMTP tests need python3 with aiosmtpd (pip install aiosmtpd)") }
        check.waitUntilExit()
        if check.terminationStatus != 0 {
            throw XCTSkip("python3 has no \(module): install it (python3 -m pip install aiosmtpd) to run the delivery tests; CI installs it")
        }
    }

    init(arguments: [String] = []) throws {
        try Self.requirePython(module: "aiosmtpd")
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("caseport-smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.repositoryRoot.appendingPathComponent("scripts/test-smtp-server.py").path,
                             "--dir", directory.path] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        port = try Self.readPort(output)
    }

    static func readPort(_ pipe: Pipe) throws -> Int {
        var text = ""
        while !text.contains("\n") {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let line = text.split(separator: "\n").first, line.hasPrefix("PORT "), let port = Int(line.dropFirst(5)) else {
            throw XCTSkip("the test SMTP server did not start: \(text)")
        }
        return port
    }

    struct Received: Decodable {
        var envelope_to: [String]
        var from: String?
        var to: String?
        var subject: String?
        var reply_to: String?
        var message_id: String?
        var content_language: String?
        var raw_subject: String?
        var content_type: String?
        var text: String?
        var html: String?
    }

    func received() throws -> [Received] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
        return try names.map { try JSONDecoder().decode(Received.self, from: Data(contentsOf: directory.appendingPathComponent($0))) }
    }

    /// Message-IDs of every delivered .eml (for counting deliveries without the summaries).
    func deliveredMessageIds() throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".eml") && !$0.hasPrefix(".") }
        return try names.compactMap { name in
            let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            return text.split(separator: "\r\n").first { $0.hasPrefix("Message-ID:") }.map { String($0.dropFirst(11)).trimmingCharacters(in: .whitespaces) }
        }
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        try? FileManager.default.removeItem(at: directory)
    }
}

/// A fake SMS gateway: a tiny Python HTTP server that answers 200 and appends every request
/// (authorization header and JSON body) to a file, or answers `status` when given.
final class FakeSMSGateway: @unchecked Sendable {
    let process = Process()
    let log: URL
    let port: Int

    init(status: Int = 200) throws {
        try SMTPTestServer.requirePython(module: "http.server")
        log = FileManager.default.temporaryDirectory.appendingPathComponent("caseport-sms-\(UUID().uuidString).jsonl")
        let script = """
            import http.server, json, sys
            log, status = sys.argv[1], int(sys.argv[2])
            class H(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
                    with open(log, 'a') as f:
                        f.write(json.dumps({'path': self.path, 'auth': self.headers.get('Authorization'),
                                            'type': self.headers.get('Content-Type'), 'body': json.loads(body)}) + '\\n')
                    self.send_response(status); self.end_headers(); self.wfile.write(b'{}')
                def log_message(self, *a): pass
            s = http.server.HTTPServer(('127.0.0.1', 0), H)
            print('PORT', s.server_address[1], flush=True)
            s.serve_forever()
            """
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, log.path, String(status)]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        port = try SMTPTestServer.readPort(output)
    }

    struct Request: Decodable {
        struct Body: Decodable { var to: String; var text: String }
        var path: String
        var auth: String?
        var type: String?
        var body: Body
    }

    func requests() throws -> [Request] {
        guard let text = try? String(contentsOf: log, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { try JSONDecoder().decode(Request.self, from: Data($0.utf8)) }
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        try? FileManager.default.removeItem(at: log)
    }
}
