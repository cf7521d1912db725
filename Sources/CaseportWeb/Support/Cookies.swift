import CaseportStore
import Vapor

/// Cookie names and how they are set. Portal and staff sessions use separate cookies, so one browser
/// can hold both and neither ever opens the other's pages.
enum CookieNames {
    static let portalSession = "caseport_portal"
    static let staffSession = "caseport_staff"
    static let csrf = "caseport_csrf"
    static let language = "caseport_lang"

    static func session(_ realm: SessionRealm) -> String {
        realm == .portal ? portalSession : staffSession
    }
}

extension Request {
    private struct ParsedCookiesKey: StorageKey { typealias Value = (header: [String], cookies: HTTPCookies) }

    /// The request's cookies, parsed once. Vapor's `cookies` parses the Cookie header again on every read,
    /// and a page reads it in four or five places (CSRF, language, session, chat): 3–4 % of a case view's
    /// CPU in perf (issue 17). The parse is kept with the header it came from, so a middleware that
    /// rewrites the header is still read right. Read the request's cookies through this; set the
    /// response's as before.
    var parsedCookies: HTTPCookies {
        let header = headers[.cookie]
        if let kept = storage[ParsedCookiesKey.self], kept.header == header { return kept.cookies }
        let parsed = cookies
        storage[ParsedCookiesKey.self] = (header, parsed)
        return parsed
    }

    /// Whether this request reached us over TLS, directly or through one of our proxies that says so
    /// (`X-Forwarded-Proto` from anyone else is ignored).
    var cameOverTLS: Bool {
        switch caseport.config.secureCookies {
        case .always: return true
        case .never: return false
        case .auto:
            return url.scheme == "https"
                || (cameThroughTrustedProxy && headers.first(name: "X-Forwarded-Proto")?.lowercased() == "https")
        }
    }

    /// Whether the peer is one of CASEPORT_TRUSTED_PROXIES, whose X-Forwarded-* headers count.
    var cameThroughTrustedProxy: Bool {
        guard let peer = remoteAddress?.ipAddress else { return false }
        return caseport.config.trustedProxies.contains { $0.contains(peer) }
    }

    func cookie(_ value: String, maxAge: Int?) -> HTTPCookies.Value {
        HTTPCookies.Value(string: value, maxAge: maxAge, path: "/", isSecure: cameOverTLS, isHTTPOnly: true,
                          sameSite: .lax)
    }

    func expiredCookie() -> HTTPCookies.Value {
        HTTPCookies.Value(string: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/",
                          isSecure: cameOverTLS, isHTTPOnly: true, sameSite: .lax)
    }
}
