#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
@testable import CaseportWeb
import Vapor

/// The harness's app served on a real socket (127.0.0.1, a port in 18100–18199), for what the
/// in-memory tester cannot show: a body arriving in several TCP segments, a client going away.
extension WebHarness {
    func startServer() async throws -> Int {
        for port in 18100...18199 {
            app.http.server.configuration.hostname = "127.0.0.1"
            app.http.server.configuration.port = port
            do {
                try await app.server.start(address: .hostname("127.0.0.1", port: port))
                return port
            } catch {
                continue
            }
        }
        throw Abort(.internalServerError, reason: "no free port in 18100–18199")
    }
}

/// A bare HTTP/1.1 client over a blocking socket: sends the request in the pieces given, pausing
/// between them, so the server reads the body in several chunks.
struct RawHTTP {
    struct Reply {
        var status: Int
        var head: String
        var body: String
        func header(_ name: String) -> String? {
            for line in head.components(separatedBy: "\r\n") {
                let parts = line.split(separator: ":", maxSplits: 1)
                if parts.count == 2, parts[0].lowercased() == name.lowercased() {
                    return parts[1].trimmingCharacters(in: .whitespaces)
                }
            }
            return nil
        }
    }

    let port: Int

    /// Opens a connection (the caller closes it).
    func connect() throws -> Int32 {
        let fd = try LoopbackSocket.make(level: Int32(IPPROTO_TCP), option: TCP_NODELAY)
        var address = LoopbackSocket.address(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else { close(fd); throw POSIXError(.ECONNREFUSED) }
        return fd
    }

    static func write(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return }
            offset += sent
        }
    }

    /// Sends `pieces` with a pause between them, then reads the whole answer (Connection: close).
    func send(_ pieces: [[UInt8]], pause: TimeInterval = 0.05) async throws -> Reply {
        let fd = try connect()
        defer { close(fd) }
        for (index, piece) in pieces.enumerated() {
            if index > 0 { try await Task.sleep(nanoseconds: UInt64(pause * 1_000_000_000)) }
            Self.write(fd, piece)
        }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        let text = String(decoding: received, as: UTF8.self)
        let split = text.components(separatedBy: "\r\n\r\n")
        let head = split.first ?? ""
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        return Reply(status: status, head: head, body: split.dropFirst().joined(separator: "\r\n\r\n"))
    }

    /// A url-encoded form POST whose body is split into `chunks` TCP writes.
    func postForm(_ path: String, _ fields: [(String, String)], cookies: [String: String], chunks: Int = 3) async throws -> Reply {
        let body = Array(fields.map { "\(Browser.formEncode($0.0))=\(Browser.formEncode($0.1))" }.joined(separator: "&").utf8)
        let cookie = cookies.map { "\($0)=\($1)" }.joined(separator: "; ")
        let head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            + "Content-Length: \(body.count)\r\nCookie: \(cookie)\r\nReferer: http://127.0.0.1:\(port)\(path)\r\nConnection: close\r\n\r\n"
        var pieces: [[UInt8]] = [Array(head.utf8)]
        let size = max(1, (body.count + chunks - 1) / chunks)
        var start = 0
        while start < body.count {
            pieces.append(Array(body[start..<min(body.count, start + size)]))
            start += size
        }
        return try await send(pieces)
    }
}
