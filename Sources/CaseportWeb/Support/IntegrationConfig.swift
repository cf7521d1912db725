import CaseportCore
import CaseportOperations
import Foundation

/// Webhooks and staff single sign-on (issue 16, points 3 and 4), from the environment.
public struct WebhookConfig: Sendable {
    /// CASEPORT_WEBHOOK_ALLOWED_NETWORKS: ranges inside the server's own networks that webhooks may
    /// reach anyway (e.g. `10.1.2.0/24` for a receiver in the company's network; the tests allow
    /// `127.0.0.0/8`). Empty: every internal address is refused.
    public var allowedNetworks: [IPAddressRange] = []
    /// WEBHOOK_CONCURRENCY: delivery loops per node (0 switches delivery off on this node).
    public var concurrency = 1
    public var lease: TimeInterval = 60
    public init() {}

    static func from(_ environment: ConfigEnvironment) throws -> WebhookConfig {
        var config = WebhookConfig()
        if let raw = environment.text("CASEPORT_WEBHOOK_ALLOWED_NETWORKS") {
            config.allowedNetworks = try raw.split(separator: ",").map { piece in
                let text = piece.trimmingCharacters(in: .whitespaces)
                guard let range = IPAddressRange(text) else {
                    throw ConfigEnvironment.problem("CASEPORT_WEBHOOK_ALLOWED_NETWORKS",
                                                    "must list IP addresses or ranges such as 10.1.2.0/24", text)
                }
                return range
            }
        }
        config.concurrency = try environment.whole("WEBHOOK_CONCURRENCY", 0...16) ?? 1
        return config
    }
}

/// CASEPORT_OIDC_*: staff sign in through an OpenID Connect provider when the issuer is set. The
/// password login stays for local accounts (the first administrator, and whenever the provider is down).
public struct OIDCConfig: Sendable {
    /// The provider's issuer URL; its `/.well-known/openid-configuration` names the endpoints and keys.
    public var issuer: String
    public var clientId: String
    public var clientSecret: String
    /// The button's text on the staff login page ("Sign in with …").
    public var displayName: String
    /// CASEPORT_OIDC_CREATE_STAFF=1: a person the provider vouches for gets a staff account at first login.
    public var createAccounts: Bool
    /// The ID token claim that lists the person's groups (default `groups`).
    public var groupsClaim: String
    public var adminGroups: [String]
    public var handlerGroups: [String]
    /// Seconds between two fetches of the provider's keys when a token names a key we do not know.
    public var keyRefreshInterval: TimeInterval = 60
    /// Leeway for `exp`, `iat` and `nbf`.
    public var leeway: TimeInterval = 60

    public init(issuer: String, clientId: String, clientSecret: String, displayName: String = "SSO", createAccounts: Bool = false,
                groupsClaim: String = "groups", adminGroups: [String] = [], handlerGroups: [String] = []) {
        self.issuer = issuer
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.displayName = displayName
        self.createAccounts = createAccounts
        self.groupsClaim = groupsClaim
        self.adminGroups = adminGroups
        self.handlerGroups = handlerGroups
    }

    var policy: StaffSSOSignIn.Policy {
        StaffSSOSignIn.Policy(createAccounts: createAccounts, adminGroups: adminGroups, handlerGroups: handlerGroups)
    }

    static func from(_ environment: ConfigEnvironment) throws -> OIDCConfig? {
        guard let issuer = environment.text("CASEPORT_OIDC_ISSUER") else { return nil }
        guard let url = URL(string: issuer), ["https", "http"].contains(url.scheme ?? ""), url.host != nil,
              url.query == nil, url.fragment == nil else {
            throw ConfigEnvironment.problem("CASEPORT_OIDC_ISSUER", "must be the provider's issuer URL, e.g. https://login.example.com/realms/staff", issuer)
        }
        guard let clientId = environment.text("CASEPORT_OIDC_CLIENT_ID") else {
            throw AppConfig.Problem(description: "CASEPORT_OIDC_CLIENT_ID must be set when CASEPORT_OIDC_ISSUER is set (the client id the provider gave Caseport)")
        }
        guard let secret = environment.text("CASEPORT_OIDC_CLIENT_SECRET") else {
            throw AppConfig.Problem(description: "CASEPORT_OIDC_CLIENT_SECRET must be set when CASEPORT_OIDC_ISSUER is set")
        }
        func list(_ name: String) -> [String] {
            (environment.text(name) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        return OIDCConfig(issuer: issuer, clientId: clientId, clientSecret: secret,
                          displayName: environment.text("CASEPORT_OIDC_NAME") ?? "SSO",
                          createAccounts: try environment.flag("CASEPORT_OIDC_CREATE_STAFF") ?? false,
                          groupsClaim: environment.text("CASEPORT_OIDC_GROUPS_CLAIM") ?? "groups",
                          adminGroups: list("CASEPORT_OIDC_ADMIN_GROUPS"), handlerGroups: list("CASEPORT_OIDC_HANDLER_GROUPS"))
    }
}
