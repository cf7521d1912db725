import CaseportCore
import Foundation
import NIOCore
import NIOPosix

/// Where `caseport serve` will listen, read from serve's own options the way Vapor's serve command
/// reads them (`--hostname H`/`-H H`, `--port P`/`-p P`, `--bind H:P`/`-b H:P`; default 127.0.0.1:8080).
/// Start-up uses it twice: CASEPORT_PUBLIC_URL is required beyond loopback, and a port that is already
/// taken stops start-up with one clear line before anything else starts.
public struct ListenAddress: Equatable, Sendable {
    public var host: String
    public var port: Int

    public init(host: String = "127.0.0.1", port: Int = 8080) {
        self.host = host
        self.port = port
    }

    /// nil for `--unix-socket`, which has no host and port to check.
    public static func from(arguments: [String]) -> ListenAddress? {
        var address = ListenAddress()
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            let next = arguments.index(after: index) < arguments.endIndex ? arguments[arguments.index(after: index)] : nil
            switch argument {
            case "--unix-socket": return nil
            case "--hostname", "-H": if let next { address.host = next }
            case "--port", "-p": if let next, let port = Int(next) { address.port = port }
            case "--bind", "-b":
                guard let next else { break }
                if next.hasPrefix("["), let close = next.firstIndex(of: "]") {
                    address.host = String(next[next.index(after: next.startIndex)..<close])
                    if let port = Int(next[next.index(after: close)...].dropFirst()) { address.port = port }
                } else {
                    let parts = next.split(separator: ":", maxSplits: 1)
                    address.host = String(parts.first ?? "")
                    if parts.count == 2, let port = Int(parts[1]) { address.port = port }
                }
            default: break
            }
            index = arguments.index(after: index)
        }
        return address
    }

    public var isLoopback: Bool { LoopbackHost.isLoopback(host: host) }

    /// Binds and closes a listening socket on the address with the options the server uses, so a taken
    /// port is reported as such (and not after the background jobs started, with a socket error text).
    /// Returns the problem in one line, or nil when the address is free.
    public func problemBinding(on group: any EventLoopGroup) async -> String? {
        do {
            let channel = try await ServerBootstrap(group: group)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .bind(host: host, port: port).get()
            try await channel.close().get()
            return nil
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            return "port \(port) on \(host) is already in use (is another caseport running?); stop it or choose another with --port"
        } catch let error as IOError where error.errnoCode == EACCES {
            return "not allowed to listen on port \(port) (ports below 1024 need privileges); choose another with --port"
        } catch {
            return "cannot listen on \(host):\(port): \(error)"
        }
    }
}
