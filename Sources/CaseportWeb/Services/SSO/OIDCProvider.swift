import Foundation
import NIOConcurrencyHelpers
import Vapor

/// What Caseport knows of the configured OpenID Connect provider: its discovery document
/// (`<issuer>/.well-known/openid-configuration`, kept for an hour) and its signing keys (JWKS). Keys
/// are fetched again when a token names a key id we do not have — that is how a key rotation at the
/// provider is picked up without a restart — but at most once per `keyRefreshInterval`, so tokens with
/// made-up key ids cannot make us hammer the provider. One per application, shared by all requests.
actor OIDCProvider {
    struct Metadata: Decodable, Sendable {
        var issuer: String
        var authorization_endpoint: String
        var token_endpoint: String
        var jwks_uri: String
    }

    enum Problem: Error, CustomStringConvertible {
        case unreachable(String), badDocument(String), issuerMismatch(String)
        var description: String {
            switch self {
            case .unreachable(let what): return "the provider did not answer: \(what)"
            case .badDocument(let what): return "the provider's \(what) could not be read"
            case .issuerMismatch(let issuer): return "the discovery document names issuer \(issuer)"
            }
        }
    }

    typealias Fetch = @Sendable (URI) async throws -> (status: UInt, body: Data)

    let config: OIDCConfig
    let fetch: Fetch
    let clock: @Sendable () -> Date
    private var metadata: (value: Metadata, fetched: Date)?
    private var keys: [JWK] = []
    private var keysFetched: Date?

    init(config: OIDCConfig, fetch: @escaping Fetch, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.config = config
        self.fetch = fetch
        self.clock = clock
    }

    func discovery() async throws -> Metadata {
        if let metadata, clock().timeIntervalSince(metadata.fetched) < 3_600 { return metadata.value }
        let base = config.issuer.hasSuffix("/") ? String(config.issuer.dropLast()) : config.issuer
        let data = try await get(URI(string: base + "/.well-known/openid-configuration"), "discovery document")
        guard let document = try? JSONDecoder().decode(Metadata.self, from: data) else { throw Problem.badDocument("discovery document") }
        // OpenID Connect Discovery 4.3: the document must name exactly the issuer we asked.
        guard document.issuer == config.issuer else { throw Problem.issuerMismatch(document.issuer) }
        metadata = (document, clock())
        return document
    }

    /// The keys to check a token signed with key `kid`: the cached set, refreshed first when it lacks
    /// that key and the last fetch is older than the refresh interval (or there was none).
    func keys(for kid: String?) async throws -> [JWK] {
        let known = keysFetched != nil && (kid == nil || keys.contains { $0.kid == kid })
        if known { return keys }
        if let keysFetched, clock().timeIntervalSince(keysFetched) < config.keyRefreshInterval { return keys }
        let metadata = try await discovery()
        let data = try await get(URI(string: metadata.jwks_uri), "key set")
        keys = JWK.parseSet(data)
        keysFetched = clock()
        return keys
    }

    private func get(_ uri: URI, _ what: String) async throws -> Data {
        let answer: (status: UInt, body: Data)
        do { answer = try await fetch(uri) } catch { throw Problem.unreachable("\(what): \(error)") }
        guard answer.status == 200 else { throw Problem.unreachable("\(what): HTTP \(answer.status)") }
        return answer.body
    }
}

extension Application {
    private struct OIDCProviderKey: StorageKey { typealias Value = OIDCProvider }
    private static let providerLock = NIOLock()

    /// The provider of CASEPORT_OIDC_ISSUER, made at first use; nil when single sign-on is not configured.
    var oidcProvider: OIDCProvider? {
        guard let config = caseport.config.oidc else { return nil }
        return Self.providerLock.withLock {
            if let existing = storage[OIDCProviderKey.self] { return existing }
            let client = self.client
            let provider = OIDCProvider(config: config, fetch: { uri in
                let response = try await client.get(uri) { $0.timeout = .seconds(10) }
                return (response.status.code, response.body.map { Data($0.readableBytesView) } ?? Data())
            })
            storage[OIDCProviderKey.self] = provider
            return provider
        }
    }
}
