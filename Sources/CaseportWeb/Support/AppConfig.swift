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
    public var publicURL: String?

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
            guard let url = URL(string: raw), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw Problem(description: "CASEPORT_PUBLIC_URL must be an http(s) address such as https://portal.example.com, not \"\(raw)\"")
            }
            publicURL = raw.hasSuffix("/") ? String(raw.dropLast()) : raw
        }
        var config = AppConfig(database: database, bcryptCost: cost, secureCookies: cookies, dataDirectory: dataDirectory,
                               publicURL: publicURL)
        config.delivery = try DeliveryConfig.from(environment: environment)
        config.sessions = try sessionLimits(from: environment)
        return config
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
