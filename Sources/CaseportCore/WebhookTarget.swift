import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a webhook may be sent (issue 16, point 3). A subscription's URL is typed by an administrator
/// but fetched by the server, so it must not reach the server's own networks (a request forger's way to
/// the database, the cloud metadata service or an admin port): every address the host name RESOLVES to
/// is checked, when the subscription is saved and again before each attempt. An operator can allow
/// chosen ranges (CASEPORT_WEBHOOK_ALLOWED_NETWORKS, e.g. a receiver inside the company's own network).
public enum WebhookTarget {
    public enum Refusal: Error, Equatable, Sendable {
        /// Not an absolute http(s) URL with a host and without user information.
        case badURL
        /// The name does not resolve.
        case unresolvable
        /// One of the addresses is inside the server's own networks; the address.
        case internalAddress(String)
    }

    /// Loopback, "this network", private (RFC 1918), shared (CGNAT), link-local (the cloud metadata
    /// service), benchmarking, multicast and reserved ranges, and their IPv6 equivalents (IPv4-mapped
    /// addresses are checked against the IPv4 list by `IPAddressRange`).
    public static let internalRanges: [IPAddressRange] = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
        "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4",
        "::/128", "::1/128", "fe80::/10", "fc00::/7", "ff00::/8", "64:ff9b::/96", "2002::/16",
    ].compactMap(IPAddressRange.init)

    /// The URL's scheme, host and port, when it is one a webhook may have.
    public static func parse(_ text: String) -> (scheme: String, host: String, port: Int)? {
        guard text.count <= 2_000, let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(),
              ["http", "https"].contains(scheme), let host = url.host, !host.isEmpty,
              url.user == nil, url.password == nil, url.fragment == nil else { return nil }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return (scheme, bare, url.port ?? (scheme == "https" ? 443 : 80))
    }

    /// Whether `address` is inside the server's own networks and not in an operator's allowed range.
    public static func isRefused(_ address: String, allowed: [IPAddressRange]) -> Bool {
        // What cannot be read as an address (a scoped fe80::1%eth0, say) is refused, never let through.
        guard IPAddressRange.bytes(of: address) != nil else { return true }
        if allowed.contains(where: { $0.contains(address) }) { return false }
        return internalRanges.contains { $0.contains(address) }
    }

    /// Checks a URL: parses it, resolves the host (`resolve`, the system resolver by default) and
    /// checks every address. Returns the addresses (connect to one of them, not to the name again).
    public static func check(_ text: String, allowed: [IPAddressRange],
                             resolve: @Sendable (String) async -> [String] = WebhookTarget.resolve) async -> Result<[String], Refusal> {
        guard let target = parse(text) else { return .failure(.badURL) }
        let addresses = IPAddressRange.bytes(of: target.host) != nil ? [target.host] : await resolve(target.host)
        guard !addresses.isEmpty else { return .failure(.unresolvable) }
        if let refused = addresses.first(where: { isRefused($0, allowed: allowed) }) {
            return .failure(.internalAddress(refused))
        }
        return .success(addresses)
    }

    /// The system resolver (getaddrinfo), off the caller's thread: every IPv4 and IPv6 address of `host`.
    @Sendable public static func resolve(_ host: String) async -> [String] {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: resolveBlocking(host))
            }
        }
    }

    static func resolveBlocking(_ host: String) -> [String] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [String] = []
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let current = node {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if let address = current.pointee.ai_addr,
               getnameinfo(address, current.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                let text = String(cString: buffer)
                if !addresses.contains(text) { addresses.append(text) }
            }
            node = current.pointee.ai_next
        }
        return addresses
    }
}
