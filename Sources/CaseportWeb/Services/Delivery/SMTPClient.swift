import CaseportCore
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Where and how to reach the mail server (E1), from SMTP_* and MAIL_FROM.
public struct SMTPSettings: Sendable {
    public enum Security: String, Sendable { case none, starttls, tls }
    public var host: String
    public var port: Int
    public var user: String?
    public var password: String?
    public var security: Security
    /// The envelope and From address, e.g. `support@example.com`.
    public var from: String
    /// The name we greet the server with (EHLO).
    public var heloName: String = "caseport"
    /// A PEM file of certificate authorities to trust instead of the system's (a private mail server).
    public var caFile: String?

    public init(host: String, port: Int, user: String? = nil, password: String? = nil, security: Security, from: String) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.security = security
        self.from = from
    }
}

/// A reply from the SMTP server: the three-digit code and its text lines.
struct SMTPReply: Sendable {
    var code: Int
    var lines: [String]
    var text: String { "\(code) " + lines.joined(separator: " / ") }
    var isPositive: Bool { (200..<400).contains(code) }
}

public struct SMTPError: Error, CustomStringConvertible, Sendable {
    /// 5xx: the server refuses for good (unknown recipient, …); retrying will not help.
    public var permanent: Bool
    public var description: String
}

/// One SMTP session on SwiftNIO: EHLO, optional STARTTLS or implicit TLS, AUTH PLAIN/LOGIN, then any
/// number of messages (MAIL FROM, RCPT TO, DATA with dot-stuffing) on the same connection, then QUIT.
final class SMTPConnection: @unchecked Sendable {
    private let channel: any Channel
    private let replies: SMTPReplyHandler
    private let settings: SMTPSettings
    private var extensions: [String] = []
    static let timeout: TimeAmount = .seconds(60)

    private init(channel: any Channel, replies: SMTPReplyHandler, settings: SMTPSettings) {
        self.channel = channel
        self.replies = replies
        self.settings = settings
    }

    static func open(_ settings: SMTPSettings, on group: any EventLoopGroup) async throws -> SMTPConnection {
        let replies = SMTPReplyHandler()
        var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
        if let caFile = settings.caFile { tlsConfiguration.trustRoots = .file(caFile) }
        let tls: NIOSSLContext? = settings.security == .none ? nil : try NIOSSLContext(configuration: tlsConfiguration)
        let host = settings.host
        let implicitTLS = settings.security == .tls
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(.seconds(20))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if implicitTLS, let tls {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: tls, serverHostname: Self.sniName(host)))
                    }
                    try channel.pipeline.syncOperations.addHandler(replies)
                }
            }
            .connect(host: settings.host, port: settings.port).get()
        let connection = SMTPConnection(channel: channel, replies: replies, settings: settings)
        do {
            try await connection.greet(tls: tls)
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    /// SNI takes a host name, not an IP address.
    private static func sniName(_ host: String) -> String? {
        host.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" } ? nil : host
    }

    private func greet(tls: NIOSSLContext?) async throws {
        try await expect(nil, [220])
        try await hello()
        if settings.security == .starttls {
            guard extensions.contains(where: { $0.uppercased() == "STARTTLS" }) else {
                throw SMTPError(permanent: false, description: "the server does not offer STARTTLS")
            }
            try await expect("STARTTLS", [220])
            let host = settings.host
            guard let tls else { return }
            try await channel.eventLoop.submit { [channel] in
                try channel.pipeline.syncOperations.addHandler(
                    try NIOSSLClientHandler(context: tls, serverHostname: Self.sniName(host)), position: .first)
            }.get()
            try await hello()
        }
        if let user = settings.user, !user.isEmpty {
            try await authenticate(user: user, password: settings.password ?? "")
        }
    }

    private func hello() async throws {
        let reply = try await send("EHLO \(settings.heloName)")
        if reply.code == 250 {
            extensions = Array(reply.lines.dropFirst())
        } else {
            try await expect("HELO \(settings.heloName)", [250])
            extensions = []
        }
    }

    private func authenticate(user: String, password: String) async throws {
        let mechanisms = extensions.first { $0.uppercased().hasPrefix("AUTH") }?.uppercased()
            .split(whereSeparator: { $0 == " " || $0 == "=" }).map(String.init) ?? []
        if mechanisms.contains("PLAIN") || !mechanisms.contains("LOGIN") {
            let token = Data("\0\(user)\0\(password)".utf8).base64EncodedString()
            try await expect("AUTH PLAIN \(token)", [235], secret: true)
        } else {
            try await expect("AUTH LOGIN", [334])
            try await expect(Data(user.utf8).base64EncodedString(), [334], secret: true)
            try await expect(Data(password.utf8).base64EncodedString(), [235], secret: true)
        }
    }

    /// Sends one message. The connection stays usable after a refused recipient (RSET is sent).
    /// Addresses are checked again here (`EmailAddress`): one with CR, LF or `>` would end the command
    /// and let its rest become commands of their own. Refused before anything is sent.
    func deliver(from: String, to recipient: String, data: String) async throws {
        for address in [from, recipient] where !EmailAddress.isValid(address) {
            throw SMTPError(permanent: true, description: "refused address \(address.debugDescription)")
        }
        do {
            try await expect("MAIL FROM:<\(from)>", [250])
            try await expect("RCPT TO:<\(recipient)>", [250, 251])
            try await expect("DATA", [354])
            try await expect(Self.dotStuffed(data) + ".", [250], isData: true)
        } catch let error as SMTPError where channel.isActive {
            _ = try? await send("RSET")
            throw error
        }
    }

    func quit() async {
        _ = try? await send("QUIT")
        close()
    }

    func close() {
        channel.close(promise: nil)
    }

    /// Lines starting with "." get another "." (RFC 5321 4.5.2); line ends become CRLF; ends with CRLF.
    static func dotStuffed(_ data: String) -> String {
        var lines = data.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(".") ? "." + $0 : String($0) }
        if lines.last == "" { lines.removeLast() }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    @discardableResult
    private func expect(_ line: String?, _ codes: Set<Int>, secret: Bool = false, isData: Bool = false) async throws -> SMTPReply {
        let reply = try await send(line, isData: isData)
        guard codes.contains(reply.code) else {
            let what = line.map { isData ? "message data" : (secret ? "authentication" : String($0.prefix(60))) } ?? "greeting"
            throw SMTPError(permanent: reply.code >= 500, description: "\(what): \(reply.text)")
        }
        return reply
    }

    private func send(_ line: String?, isData: Bool = false) async throws -> SMTPReply {
        let channel = self.channel
        let replies = self.replies
        let future = channel.eventLoop.flatSubmit { () -> EventLoopFuture<SMTPReply> in
            let next = replies.nextReply(on: channel.eventLoop)
            if let line {
                var buffer = channel.allocator.buffer(capacity: line.utf8.count + 2)
                buffer.writeString(line)
                buffer.writeString("\r\n")
                channel.writeAndFlush(buffer, promise: nil)
            }
            return next
        }
        let timeout = channel.eventLoop.scheduleTask(in: Self.timeout) { channel.close(promise: nil) }
        defer { timeout.cancel() }
        return try await future.get()
    }
}

/// Collects the server's replies (multi-line ones joined) and hands them out in order. Lives on the
/// channel's event loop; every method is called there.
final class SMTPReplyHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    private var partial: [UInt8] = []
    private var lines: [String] = []
    private var ready: [SMTPReply] = []
    private var waiting: [EventLoopPromise<SMTPReply>] = []
    private var closedError: SMTPError?

    func nextReply(on eventLoop: any EventLoop) -> EventLoopFuture<SMTPReply> {
        if !ready.isEmpty { return eventLoop.makeSucceededFuture(ready.removeFirst()) }
        if let closedError { return eventLoop.makeFailedFuture(closedError) }
        let promise = eventLoop.makePromise(of: SMTPReply.self)
        waiting.append(promise)
        return promise.futureResult
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        guard let bytes = buffer.readBytes(length: buffer.readableBytes) else { return }
        partial.append(contentsOf: bytes)
        while let end = partial.firstIndex(of: 0x0A) {
            var line = String(decoding: partial[..<end], as: UTF8.self)
            partial.removeSubrange(...end)
            if line.hasSuffix("\r") { line.removeLast() }
            handle(line)
        }
    }

    private func handle(_ line: String) {
        let chars = Array(line)
        guard chars.count >= 3, let code = Int(String(chars[0..<3])) else {
            fail(SMTPError(permanent: false, description: "unreadable reply from the mail server: \(line.prefix(80))"))
            return
        }
        lines.append(chars.count > 4 ? String(chars[4...]) : "")
        if chars.count > 3 && chars[3] == "-" { return }
        let reply = SMTPReply(code: code, lines: lines)
        lines = []
        if waiting.isEmpty { ready.append(reply) } else { waiting.removeFirst().succeed(reply) }
    }

    private func fail(_ error: SMTPError) {
        if closedError == nil { closedError = error }
        let promises = waiting
        waiting = []
        promises.forEach { $0.fail(error) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(SMTPError(permanent: false, description: "the mail server closed the connection"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(SMTPError(permanent: false, description: "connection to the mail server failed: \(error)"))
        context.close(promise: nil)
    }
}
