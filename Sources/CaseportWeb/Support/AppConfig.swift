import CaseportCore
import CaseportStore
import Foundation
import Vapor

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
    /// CASEPORT_PG_PREPARED=0: send PostgreSQL every statement unnamed, as before session 16 (to compare).
    public var postgresPreparedStatements = true
    /// CASEPORT_SQLITE_DIRECT=0: run SQLite's statements through Fluent's connections on NIO's thread pool,
    /// as before session 19 (to compare); on by default (`SQLiteDirectConnections`).
    public var sqliteDirectConnections = true
    /// CASEPORT_TEST_CLOCK_FILE (tests only): a file whose content is a number of seconds added to the
    /// time the claim links' expiry checks see (`Request.claimOperations`). Off unless set.
    public var claimClockFile: String?
    /// LOG_LEVEL; nil leaves it to Vapor's default (`--log` on the command line wins).
    public var logLevel: Logger.Level?

    /// Mail and SMS delivery, approval timing and the mail gate's key (E1, B6, B7).
    public var delivery = DeliveryConfig()

    /// Portal and staff sessions end after this long idle, and at the latest this long after login.
    public var sessions = SessionLimits.standard

    /// Files in an S3-compatible object store instead of `<data dir>/files` (several servers).
    public var objectStore: S3Settings?
    /// CASEPORT_API_RATE_LIMIT: API calls per token and minute on one server (issue 16).
    public var apiRatePerMinute = 600
    /// CASEPORT_COUNT_SECONDS: how long a portal user's case counts are kept on one server
    /// (`ShortLivedCounts`); 0 keeps none (the cost of people who come back less often than that).
    public var countSeconds = 5

    /// Webhook delivery (issue 16): which internal networks a subscription may reach anyway.
    public var webhooks = WebhookConfig()
    /// Staff single sign-on through an OpenID Connect provider (issue 16); nil without CASEPORT_OIDC_ISSUER.
    public var oidc: OIDCConfig?
    /// Live chat (issue 15): per-address limits of chat sockets (CASEPORT_CHAT_*).
    var chatLimits = ChatSocketLimits.standard
    /// CASEPORT_STOP_SECONDS: how long a stop (SIGTERM) waits for the requests in flight (issue 17).
    public var stopTimeout: TimeInterval = 30

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

    /// Reads and checks every variable Caseport knows (README, "Configuration"); the first malformed
    /// one is a `Problem` that names it and says what is wrong. `caseport serve` prints it and exits 1.
    public static func from(environment: [String: String]) throws -> AppConfig {
        try from(ConfigEnvironment(environment))
    }

    /// The names `from(environment:)` looks up for this environment (conditional ones, such as
    /// SMTP_PORT, only when what they depend on is set).
    static func variableNames(reading environment: [String: String]) throws -> [String] {
        let reader = ConfigEnvironment(environment)
        _ = try from(reader)
        return reader.names
    }

    static func from(_ environment: ConfigEnvironment) throws -> AppConfig {
        let dataDirectory = environment.text("CASEPORT_DATA_DIR") ?? "./data"
        let database: DatabaseLocation
        do {
            database = try DatabaseLocation.from(databaseURL: environment.text("DATABASE_URL"), dataDirectory: dataDirectory)
        } catch let problem as DatabaseLocation.Problem {
            throw Problem(description: problem.description)
        }
        let cost = try environment.whole("CASEPORT_BCRYPT_COST", 4...31) ?? 12
        let cookies = try environment.choice("CASEPORT_SECURE_COOKIES", CookieSecurity.self, "auto, always or never") ?? .auto
        var config = AppConfig(database: database, bcryptCost: cost, secureCookies: cookies, dataDirectory: dataDirectory)
        config.delivery = try DeliveryConfig.from(environment)
        config.publicURL = try parsePublicURL(environment.text("CASEPORT_PUBLIC_URL"))
        if let raw = environment.text("CASEPORT_TRUSTED_PROXIES") {
            config.trustedProxies = try raw.split(separator: ",").map { piece in
                let text = piece.trimmingCharacters(in: .whitespaces)
                guard let range = IPAddressRange(text) else {
                    throw ConfigEnvironment.problem("CASEPORT_TRUSTED_PROXIES", "must list IP addresses or ranges such as 10.0.0.0/8", text)
                }
                return range
            }
        }
        config.templateReload = try environment.flag("CASEPORT_TEMPLATE_RELOAD") ?? false
        config.postgresPreparedStatements = try environment.flag("CASEPORT_PG_PREPARED") ?? true
        config.sqliteDirectConnections = try environment.flag("CASEPORT_SQLITE_DIRECT") ?? true
        config.claimClockFile = environment.text("CASEPORT_TEST_CLOCK_FILE")
        config.logLevel = try environment.choice("LOG_LEVEL", Logger.Level.self,
                                                 "trace, debug, info, notice, warning, error or critical")
        let idleMinutes = try environment.whole("CASEPORT_SESSION_IDLE_MINUTES", 5...10_080) ?? 480
        let maxDays = try environment.whole("CASEPORT_SESSION_MAX_DAYS", 1...365) ?? 30
        config.sessions = SessionLimits(idle: TimeInterval(idleMinutes * 60), absolute: TimeInterval(maxDays * 24 * 3_600))
        config.objectStore = try S3Settings.from(environment)
        config.apiRatePerMinute = try environment.whole("CASEPORT_API_RATE_LIMIT", 1...1_000_000) ?? 600
        config.countSeconds = try environment.whole("CASEPORT_COUNT_SECONDS", 0...60) ?? 5
        config.webhooks = try WebhookConfig.from(environment)
        config.oidc = try OIDCConfig.from(environment)
        config.chatLimits = try ChatSocketLimits.from(environment)
        config.stopTimeout = TimeInterval(try environment.whole("CASEPORT_STOP_SECONDS", 1...3_600) ?? 30)
        return config
    }

    /// CASEPORT_PUBLIC_URL's one rule: http(s), a host, no user, query or fragment; kept without a
    /// trailing slash so links are `\(publicURL)/path`.
    static func parsePublicURL(_ raw: String?) throws -> String? {
        guard let raw else { return nil }
        guard let url = URL(string: raw), ["http", "https"].contains(url.scheme ?? ""), url.host != nil,
              url.query == nil, url.fragment == nil, !raw.contains("@") else {
            throw ConfigEnvironment.problem("CASEPORT_PUBLIC_URL", "must be an http(s) address such as https://portal.example.com", raw)
        }
        return raw.hasSuffix("/") ? String(raw.dropLast()) : raw
    }

    /// `caseport serve` on an address other people reach must know the address links in e-mails use:
    /// building them from the request's Host would let a requester choose the host in a reset link.
    /// `arguments` are serve's (`--hostname H`, `-H H`, `--bind H:P`, `-b H:P`); the default is 127.0.0.1.
    public func problemServing(arguments: [String]) -> Problem? {
        guard publicURL == nil, let address = ListenAddress.from(arguments: arguments), !address.isLoopback else { return nil }
        return Problem(description: "CASEPORT_PUBLIC_URL must be set when serving on \(address.host) (links in e-mails use it), e.g. https://portal.example.com")
    }
}

extension AppConfig {
    /// Starts logging at `--log` from the command line, else LOG_LEVEL as read here, else Vapor's
    /// default for the environment (notice in production, info otherwise).
    public func bootstrapLogging(_ environment: inout Environment) throws {
        struct LogOption: CommandSignature {
            @Option(name: "log", help: "Change log level")
            var level: Logger.Level?
            init() {}
        }
        let level = try LogOption(from: &environment.commandInput).level ?? logLevel
            ?? (environment == .production ? .notice : .info)
        let console = Terminal()
        LoggingSystem.bootstrap { label in ConsoleLogger(label: label, console: console, level: level) }
    }
}
