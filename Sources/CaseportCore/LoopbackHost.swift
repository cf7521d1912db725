/// Whether a host names this machine's loopback (`localhost`, `127.x.x.x`, `::1`). Links in mail may
/// only be built from such a Host header when no public address is configured, and `caseport serve`
/// needs CASEPORT_PUBLIC_URL for any other address.
public enum LoopbackHost {
    public static func isLoopback(host: String) -> Bool {
        let name = host.lowercased()
        if name == "localhost" { return true }
        guard let bytes = IPAddressRange.bytes(of: name) else { return false }
        if bytes.count == 4 { return bytes[0] == 127 }
        return bytes == [UInt8](repeating: 0, count: 15) + [1]
    }

    /// `127.0.0.1:8080`, `[::1]:8080`, `localhost` — a Host header's value.
    public static func isLoopback(hostAndPort: String) -> Bool {
        var host = Substring(hostAndPort)
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            let rest = host[host.index(after: close)...]
            guard rest.isEmpty || isPort(rest.dropFirst()) && rest.first == ":" else { return false }
            host = host[...close]
        } else if let colon = host.firstIndex(of: ":") {
            guard isPort(host[host.index(after: colon)...]) else { return false }
            host = host[..<colon]
        }
        return isLoopback(host: String(host))
    }

    private static func isPort(_ text: Substring) -> Bool {
        !text.isEmpty && text.count <= 5 && text.allSatisfy { $0.isASCII && $0.isNumber }
    }
}
