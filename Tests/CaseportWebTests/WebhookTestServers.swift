#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest

/// scripts/webhook-receiver.py on loopback: checks every signature with Python's own hmac and writes
/// one JSON line per request. Stop and start it again on the same port to be "down for a while".
final class WebhookReceiver: @unchecked Sendable {
    let record: URL
    let secret: String
    let port: Int
    /// Held until `remove()`, so the port stays this receiver's while it is down. Given back, the
    /// system handed it to another test process in a parallel run, which then received the
    /// deliveries still sent to it and counted them as its own.
    private let hold: PortHold
    private var process: Process?

    init(secret: String) throws {
        try SMTPTestServer.requirePython(module: "hmac")
        self.secret = secret
        record = FileManager.default.temporaryDirectory.appendingPathComponent("caseport-hooks-\(UUID().uuidString).jsonl")
        hold = try PortHold()
        port = hold.port
        try start()
    }

    func start(secret override: String? = nil) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", SMTPTestServer.repositoryRoot.appendingPathComponent("scripts/webhook-receiver.py").path,
                             "--secret", override ?? secret, "--record", record.path, "--port", String(port),
                             "--tolerance", "1000000"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        _ = try Self.readPort(output, "webhook receiver")  // it listens once it has printed its port
    }

    /// The first line "PORT n"; a helper that does not start is a failure, not a skip.
    static func readPort(_ pipe: Pipe, _ what: String) throws -> Int {
        struct DidNotStart: Error, CustomStringConvertible { var description: String }
        do {
            return try SMTPTestServer.readPort(pipe)
        } catch {
            throw DidNotStart(description: "the \(what) did not start (scripts/ has it)")
        }
    }

    func stop() {
        if let process, process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        process = nil
    }

    struct Entry: Decodable, Equatable {
        var id: String?
        var valid: Bool
        var duplicate: Bool
        var type: String?
        var reason: String?
    }

    func entries() throws -> [Entry] {
        guard let text = try? String(contentsOf: record, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { try JSONDecoder().decode(Entry.self, from: Data($0.utf8)) }
    }

    func remove() {
        stop()
        hold.release()
        try? FileManager.default.removeItem(at: record)
    }
}

/// A port on 127.0.0.1 bound but never listened on: connections to it are refused, the system gives
/// it to no other process, and a server that sets SO_REUSEPORT (scripts/webhook-receiver.py) can
/// still bind beside it.
final class PortHold: @unchecked Sendable {
    let port: Int
    private var descriptor: Int32

    init() throws {
        let fd = try LoopbackSocket.make(level: SOL_SOCKET, option: SO_REUSEPORT)
        var address = LoopbackSocket.address(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { close(fd); throw POSIXError(.EADDRINUSE) }
        descriptor = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func release() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
    }
}

/// scripts/oidc-test-provider.py on loopback: discovery, JWKS, authorize (no form), token; `/control`
/// sets the next user, a misbehaviour of the next token, or rotates the signing key.
final class OIDCTestProvider: @unchecked Sendable {
    let process = Process()
    let port: Int
    /// Held until `release()`, so that a provider that is down stays down: given back, its port could be
    /// handed to another test process's provider in a parallel run, which would answer for it (as happened
    /// to the webhook receivers, session 24).
    private let hold: PortHold
    static let clientId = "caseport-staff"
    static let clientSecret = "s3cret:with/odd+chars"

    init() throws {
        try SMTPTestServer.requirePython(module: "cryptography")
        hold = try PortHold()
        port = hold.port
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", SMTPTestServer.repositoryRoot.appendingPathComponent("scripts/oidc-test-provider.py").path,
                             "--client-id", Self.clientId, "--client-secret", Self.clientSecret, "--port", String(port)]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        _ = try WebhookReceiver.readPort(output, "OIDC test provider")  // it listens once it has printed its port
    }

    var issuer: String { "http://127.0.0.1:\(port)" }

    func control(_ change: [String: Any]) async throws {
        var request = URLRequest(url: URL(string: "\(issuer)/control")!)
        request.httpMethod = "POST"
        request.httpBody = try JSONSerialization.data(withJSONObject: change)
        _ = try await URLSession.shared.data(for: request)
    }

    /// What the provider's authorize endpoint answers for Caseport's redirect: the callback URL.
    func authorize(_ location: String) async throws -> URL {
        final class NoRedirect: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
            func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                            newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
                completionHandler(nil)
            }
        }
        let session = URLSession(configuration: .ephemeral, delegate: NoRedirect(), delegateQueue: nil)
        let (_, response) = try await session.data(from: URL(string: location)!)
        let http = try XCTUnwrap(response as? HTTPURLResponse)
        XCTAssertEqual(http.statusCode, 302, "the provider refused the authorization request")
        return try XCTUnwrap(URL(string: try XCTUnwrap(http.value(forHTTPHeaderField: "Location"))))
    }

    /// Stops the provider; its port stays held (`release`).
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
    }

    func release() {
        stop()
        hold.release()
    }
}
