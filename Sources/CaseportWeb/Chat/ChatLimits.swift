import CaseportCore
import Foundation
import NIOCore
import NIOConcurrencyHelpers
import Vapor

/// The limits of chat sockets (issue 15, point 5).
struct ChatSocketLimits: Sendable {
    /// The largest WebSocket frame a client may send; a larger one closes the socket.
    var maxFrameSize = 16 * 1024
    /// Messages one connection may send: `messageBurst` at once, refilled at one per `messageRefill`.
    var messageBurst = 10
    var messageRefill: TimeInterval = 1.0
    /// Frames of any kind one connection may send per second before it is closed.
    var framesPerSecond = 30
    /// Open sockets per client address.
    var socketsPerAddress = 50
    /// Socket openings per client address per minute.
    var opensPerAddressPerMinute = 120
    /// Chats started (or messages left) per client address per hour.
    var startsPerAddressPerHour = 20
    /// Pings keep idle sockets (and proxies) alive and find dead peers.
    var pingInterval: TimeAmount = .seconds(25)

    static let standard = ChatSocketLimits()

    /// The standard limits, with the per-address ones set by CASEPORT_CHAT_SOCKETS_PER_ADDRESS,
    /// CASEPORT_CHAT_OPENS_PER_MINUTE and CASEPORT_CHAT_STARTS_PER_HOUR (the benchmark opens 1 000
    /// sockets from one address; many customers behind one NAT may need more than the default).
    static func from(_ environment: ConfigEnvironment) throws -> ChatSocketLimits {
        var limits = ChatSocketLimits.standard
        limits.socketsPerAddress = try environment.whole("CASEPORT_CHAT_SOCKETS_PER_ADDRESS", 1...1_000_000) ?? limits.socketsPerAddress
        limits.opensPerAddressPerMinute = try environment.whole("CASEPORT_CHAT_OPENS_PER_MINUTE", 1...1_000_000)
            ?? limits.opensPerAddressPerMinute
        limits.startsPerAddressPerHour = try environment.whole("CASEPORT_CHAT_STARTS_PER_HOUR", 1...1_000_000)
            ?? limits.startsPerAddressPerHour
        return limits
    }
}

/// A token bucket (one connection's messages).
struct TokenBucket: Sendable {
    let capacity: Double
    let refillPerSecond: Double
    var tokens: Double
    var last: Date

    init(capacity: Int, refillEvery seconds: TimeInterval, now: Date = Date()) {
        self.capacity = Double(capacity)
        self.refillPerSecond = 1 / seconds
        self.tokens = Double(capacity)
        self.last = now
    }

    mutating func take(now: Date = Date()) -> Bool {
        tokens = min(capacity, tokens + now.timeIntervalSince(last) * refillPerSecond)
        last = now
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}

/// Per-address limits: open sockets, openings per minute, chats started per hour. In memory, per
/// server (a second server has its own count — the limits are against one client flooding one server).
final class ChatAddressLimiter: Sendable {
    let limits: ChatSocketLimits
    private struct Entry {
        var open = 0
        var opens: [Date] = []
        var starts: [Date] = []
    }
    private let entries = NIOLockedValueBox<[String: Entry]>([:])

    init(limits: ChatSocketLimits) { self.limits = limits }

    /// Counts an opening; false when the address has too many sockets open or opened too many lately.
    func open(_ address: String, now: Date = Date()) -> Bool {
        entries.withLockedValue { entries in
            var entry = entries[address] ?? Entry()
            entry.opens.removeAll { now.timeIntervalSince($0) > 60 }
            guard entry.open < limits.socketsPerAddress, entry.opens.count < limits.opensPerAddressPerMinute else {
                entries[address] = entry
                return false
            }
            entry.open += 1
            entry.opens.append(now)
            entries[address] = entry
            return true
        }
    }

    func close(_ address: String) {
        entries.withLockedValue { entries in
            guard var entry = entries[address] else { return }
            entry.open = max(0, entry.open - 1)
            if entry.open == 0 && entry.opens.isEmpty && entry.starts.isEmpty { entries[address] = nil } else { entries[address] = entry }
        }
    }

    /// Counts a chat started or a message left; false over the hourly limit.
    func start(_ address: String, now: Date = Date()) -> Bool {
        entries.withLockedValue { entries in
            var entry = entries[address] ?? Entry()
            entry.starts.removeAll { now.timeIntervalSince($0) > 3600 }
            guard entry.starts.count < limits.startsPerAddressPerHour else {
                entries[address] = entry
                return false
            }
            entry.starts.append(now)
            entries[address] = entry
            return true
        }
    }
}

/// The `Origin` a chat socket must come from: the configured public URL's, or — without one — the
/// page's own loopback origin (a demo on one machine). Browsers always send `Origin` on a WebSocket
/// handshake; a request without one is refused too.
enum ChatOrigin {
    static func isAllowed(_ request: Request) -> Bool {
        guard let origin = request.headers.first(name: .origin), let originURL = URL(string: origin),
              let scheme = originURL.scheme?.lowercased(), let host = originURL.host?.lowercased() else { return false }
        let port = originURL.port ?? (scheme == "https" ? 443 : 80)
        if let configured = request.caseport.config.publicURL, let publicURL = URL(string: configured),
           let publicScheme = publicURL.scheme?.lowercased(), let publicHost = publicURL.host?.lowercased() {
            let publicPort = publicURL.port ?? (publicScheme == "https" ? 443 : 80)
            return scheme == publicScheme && host == publicHost && port == publicPort
        }
        guard let hostHeader = request.headers.first(name: .host), LoopbackHost.isLoopback(hostAndPort: hostHeader) else {
            return false
        }
        let expected = hostHeader.lowercased()
        let given = originURL.port.map { "\(host):\($0)" } ?? host
        return (scheme == "http" || scheme == "https") && given == expected
    }
}

extension Application {
    private struct ChatLimiterKey: StorageKey { typealias Value = ChatAddressLimiter }
    private struct ChatCacheKey: StorageKey { typealias Value = ChatMessageCache }

    var chatCache: ChatMessageCache {
        get { storage[ChatCacheKey.self]! }
        set { storage[ChatCacheKey.self] = newValue }
    }

    var chatLimiter: ChatAddressLimiter {
        get { storage[ChatLimiterKey.self]! }
        set { storage[ChatLimiterKey.self] = newValue }
    }
}
