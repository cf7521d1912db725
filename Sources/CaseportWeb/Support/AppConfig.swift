import CaseportCore
import CaseportStore
import Foundation

/// Configuration from the environment, checked once at start-up. A bad value stops the server with a
/// message that names the variable.
public struct AppConfig: Sendable {
    public var database: DatabaseLocation
    /// bcrypt work factor; 12 in production. Tests lower it to stay quick.
    public var bcryptCost: Int
    /// `auto` marks cookies Secure when the request came over TLS (directly or per X-Forwarded-Proto).
    public var secureCookies: CookieSecurity
    public var dataDirectory: String
    /// The address people reach Caseport at, for links in e-mails (e.g. https://portal.example.com).
    /// Unset, links are built only from a loopback Host (a demo on one machine), never from whatever
    /// host a request names; `caseport serve` on a non-loopback address refuses to start without it.
    public var publicURL: String? {
        didSet { delivery.publicURL = publicURL }
    }
    /// CASEPORT_TRUSTED_PROXIES: the load balancers whose X-Forwarded-For / X-Forwarded-Proto count.
    public var trustedProxies: [IPAddressRange] = []
    /// CASEPORT_TEMPLATE_RELOAD=1: re-read Leaf templates on every render (while editing them).
    public var templateReload = false

    /// Mail and SMS delivery, approval timing and the mail gate's key (E1, B6, B7).
    public var delivery = DeliveryConfig()

    /// Portal and staff sessions end after this long idle, and at the latest this long after login.
    public var sessions = SessionLimits.standard

    public enum CookieSecurity: String, Sendable { case auto, always, never }

    public init(database: DatabaseLocation, bcryptCost: Int, secureCookies: CookieSecurity, dataDirectory: String,
                publicURL: String? = nil) {
        self.database = database
        self.bcryptCost = bcryptCost
        self.secureCookies = secureCookies
        self.dataDirectory = dataDirectory
        self.publicURL = publicURL
        delivery.publicURL = publicURL
    }

    public struct Problem: Error, CustomStringConvertible {
        public let description: String
    }

    public static func from(environment: [String: String]) throws -> AppConfig {
        let database: DatabaseLocation
        do {
            database = try DatabaseLocation.from(environment: environment)
        } catch let problem as DatabaseLocation.Problem {
            throw Problem(description: problem.description)
        }
        var cost = 12
        if let raw = environment["CASEPORT_BCRYPT_COST"], !raw.isEmpty {
            guard let value = Int(raw), (4...31).contains(value) else {
                throw Problem(description: "CASEPORT_BCRYPT_COST must be a whole number from 4 to 31, not \"\(raw)\"")
            }
            cost = value
        }
        var cookies = CookieSecurity.auto
        if let raw = environment["CASEPORT_SECURE_COOKIES"], !raw.isEmpty {
            guard let value = CookieSecurity(rawValue: raw) else {
                throw Problem(description: "CASEPORT_SECURE_COOKIES must be auto, always or never, not \"\(raw)\"")
            }
            cookies = value
        }
        let dataDirectory = environment["CASEPORT_DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "./data"
        var publicURL: String?
        if let raw = environment["CASEPORT_PUBLIC_URL"]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
            guard let url = URL(string: raw), ["http", "https"].contains(url.scheme ?? ""), url.host != nil,
                  url.query == nil, url.fragment == nil, !raw.contains("@") else {
                throw Problem(description: "CASEPORT_PUBLIC_URL must be an http(s) address such as https://portal.example.com, not \"\(raw)\"")
            }
            publicURL = raw.hasSuffix("/") ? String(raw.dropLast()) : raw
        }
        var config = AppConfig(database: database, bcryptCost: cost, secureCookies: cookies, dataDirectory: dataDirectory)
        config.delivery = try DeliveryConfig.from(environment: environment)
        config.publicURL = publicURL
        if let raw = environment["CASEPORT_TRUSTED_PROXIES"], !raw.trimmingCharacters(in: .whitespaces).isEmpty {
            config.trustedProxies = try raw.split(separator: ",").map { piece in
                let text = piece.trimmingCharacters(in: .whitespaces)
                guard let range = IPAddressRange(text) else {
                    throw Problem(description: "CASEPORT_TRUSTED_PROXIES must list IP addresses or ranges such as 10.0.0.0/8, not \"\(text)\"")
                }
                return range
            }
        }
        config.templateReload = environment["CASEPORT_TEMPLATE_RELOAD"] == "1"
        config.sessions = try sessionLimits(from: environment)
        return config
    }

    /// `caseport serve` on an address other people reach must know the address links in e-mails use:
    /// building them from the request's Host would let a requester choose the host in a reset link.
    /// `arguments` are serve's (`--hostname H`, `-H H`, `--bind H:P`, `-b H:P`); the default is 127.0.0.1.
    public func problemServing(arguments: [String]) -> Problem? {
        guard publicURL == nil else { return nil }
        var host = "127.0.0.1"
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            let next = arguments.index(after: index) < arguments.endIndex ? arguments[arguments.index(after: index)] : nil
            if ["--hostname", "-H"].contains(argument), let next { host = next }
            if ["--bind", "-b"].contains(argument), let next {
                host = next.hasPrefix("[") ? String(next.prefix { $0 != "]" }.dropFirst()) : String(next.split(separator: ":").first ?? "")
            }
            index = arguments.index(after: index)
        }
        guard !LoopbackHost.isLoopback(host: host) else { return nil }
        return Problem(description: "CASEPORT_PUBLIC_URL must be set when serving on \(host) (links in e-mails use it), e.g. https://portal.example.com")
    }

    static func sessionLimits(from environment: [String: String]) throws -> SessionLimits {
        func whole(_ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
            guard let raw = environment[name], !raw.isEmpty else { return value }
            guard let number = Int(raw), range.contains(number) else {
                throw Problem(description: "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \"\(raw)\"")
            }
            return number
        }
        let idleMinutes = try whole("CASEPORT_SESSION_IDLE_MINUTES", default: 480, range: 5...10_080)
        let maxDays = try whole("CASEPORT_SESSION_MAX_DAYS", default: 30, range: 1...365)
        return SessionLimits(idle: TimeInterval(idleMinutes * 60), absolute: TimeInterval(maxDays * 24 * 3_600))
    }
}
