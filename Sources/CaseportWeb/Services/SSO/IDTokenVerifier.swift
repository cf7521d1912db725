import _CryptoExtras
import Crypto
import Foundation

/// Checks an OpenID Connect ID token (a JWS in compact form) before anything in it is believed:
/// the algorithm is one we accept (RS256 or ES256 — never `none`, never an HMAC the attacker could key
/// with a public key), the signature verifies with the provider's key of that id and type, and the
/// claims say this token was issued by our provider, for our client, now, for this login (nonce).
enum IDTokenVerifier {
    enum Refusal: Error, Equatable, CustomStringConvertible {
        case malformed, algorithm(String), unknownKey(String?), badSignature
        case issuer, audience, expired, issuedInFuture, notYetValid, nonce, subject

        var description: String {
            switch self {
            case .malformed: return "the ID token is not a signed JWT"
            case .algorithm(let alg): return "algorithm \(alg) is not accepted"
            case .unknownKey(let kid): return "no provider key \(kid ?? "(no kid)")"
            case .badSignature: return "the signature does not verify"
            case .issuer: return "wrong issuer"
            case .audience: return "wrong audience"
            case .expired: return "expired"
            case .issuedInFuture: return "issued in the future"
            case .notYetValid: return "not valid yet"
            case .nonce: return "wrong nonce"
            case .subject: return "no subject"
            }
        }
    }

    struct Header: Decodable {
        var alg: String
        var kid: String?
    }

    /// The claims Caseport reads; the groups claim is read by name from `raw`.
    struct Claims: Sendable {
        var issuer: String
        var subject: String
        var email: String?
        var emailVerified: Bool?
        var name: String?
        var raw: [String: JSONValue]

        func strings(_ claim: String) -> [String] {
            switch raw[claim] {
            case .array(let values): return values.compactMap { if case .string(let text) = $0 { return text } else { return nil } }
            case .string(let text): return [text]
            default: return []
            }
        }
    }

    static let acceptedAlgorithms: Set<String> = ["RS256", "ES256"]

    /// The header, when the token is shaped like a JWS at all (for choosing the key).
    static func header(of token: String) throws -> Header {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let data = Base64URL.decode(parts[0]),
              let header = try? JSONDecoder().decode(Header.self, from: data) else { throw Refusal.malformed }
        return header
    }

    static func verify(_ token: String, keys: [JWK], issuer: String, clientId: String, nonce: String,
                       now: Date, leeway: TimeInterval) throws -> Claims {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let payload = Base64URL.decode(parts[1]), let signature = Base64URL.decode(parts[2]) else {
            throw Refusal.malformed
        }
        let header = try header(of: token)
        guard acceptedAlgorithms.contains(header.alg) else { throw Refusal.algorithm(header.alg) }
        let candidates = keys.filter { $0.algorithm == header.alg && (header.kid == nil || $0.kid == header.kid) }
        guard let key = header.kid == nil ? (candidates.count == 1 ? candidates.first : nil) : candidates.first else {
            throw Refusal.unknownKey(header.kid)
        }
        let signed = Data("\(parts[0]).\(parts[1])".utf8)
        guard key.verifies(signature: signature, over: signed) else { throw Refusal.badSignature }

        guard case .object(let raw)? = try? JSONDecoder().decode(JSONValue.self, from: payload) else { throw Refusal.malformed }
        guard case .string(let iss)? = raw["iss"], iss == issuer else { throw Refusal.issuer }
        switch raw["aud"] {
        case .string(let aud)? where aud == clientId: break
        case .array(let auds)? where auds.contains(.string(clientId)):
            // Several audiences: the authorized party must be us (OpenID Connect Core 3.1.3.7).
            if auds.count > 1, raw["azp"] != .string(clientId) { throw Refusal.audience }
        default: throw Refusal.audience
        }
        let seconds = now.timeIntervalSince1970
        guard case .number(let exp)? = raw["exp"], exp + leeway > seconds else { throw Refusal.expired }
        guard case .number(let iat)? = raw["iat"], iat - leeway <= seconds else { throw Refusal.issuedInFuture }
        if case .number(let nbf)? = raw["nbf"], nbf - leeway > seconds { throw Refusal.notYetValid }
        guard case .string(let tokenNonce)? = raw["nonce"], constantTimeEqual(tokenNonce, nonce) else { throw Refusal.nonce }
        guard case .string(let sub)? = raw["sub"], !sub.isEmpty, sub.count <= 255 else { throw Refusal.subject }
        var emailVerified: Bool?
        if case .bool(let flag)? = raw["email_verified"] { emailVerified = flag }
        var email: String?, name: String?
        if case .string(let text)? = raw["email"] { email = text }
        if case .string(let text)? = raw["name"] { name = text }
        return Claims(issuer: iss, subject: sub, email: email, emailVerified: emailVerified, name: name, raw: raw)
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// One public key of the provider's JWKS, ready to verify: RSA (RS256) or P-256 (ES256).
struct JWK: Sendable {
    enum Key: Sendable {
        case rsa(_RSA.Signing.PublicKey)
        case p256(P256.Signing.PublicKey)
    }
    var kid: String?
    var key: Key

    var algorithm: String {
        switch key {
        case .rsa: return "RS256"
        case .p256: return "ES256"
        }
    }

    func verifies(signature: Data, over signed: Data) -> Bool {
        switch key {
        case .rsa(let publicKey):
            return publicKey.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA256.hash(data: signed),
                                              padding: .insecurePKCS1v1_5)
        case .p256(let publicKey):
            guard let ecdsa = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return publicKey.isValidSignature(ecdsa, for: SHA256.hash(data: signed))
        }
    }

    /// The signing keys of a JWKS document; keys of other types, other uses or a stated algorithm we do
    /// not accept are skipped (RSA keys under 2048 bits are refused by the RSA type itself).
    static func parseSet(_ data: Data) -> [JWK] {
        struct Document: Decodable { var keys: [Entry] }
        struct Entry: Decodable {
            var kty: String
            var kid: String?
            var use: String?
            var alg: String?
            var crv: String?
            var n: String?, e: String?, x: String?, y: String?
        }
        guard let document = try? JSONDecoder().decode(Document.self, from: data) else { return [] }
        return document.keys.compactMap { entry in
            if let use = entry.use, use != "sig" { return nil }
            switch entry.kty {
            case "RSA":
                guard entry.alg == nil || entry.alg == "RS256", let n = entry.n.flatMap(Base64URL.decode),
                      let e = entry.e.flatMap(Base64URL.decode), let key = try? _RSA.Signing.PublicKey(n: n, e: e) else { return nil }
                return JWK(kid: entry.kid, key: .rsa(key))
            case "EC":
                guard entry.crv == "P-256", entry.alg == nil || entry.alg == "ES256", let x = entry.x.flatMap(Base64URL.decode),
                      let y = entry.y.flatMap(Base64URL.decode), x.count == 32, y.count == 32,
                      let key = try? P256.Signing.PublicKey(rawRepresentation: x + y) else { return nil }
                return JWK(kid: entry.kid, key: .p256(key))
            default:
                return nil
            }
        }
    }
}

enum Base64URL {
    static func decode<S: StringProtocol>(_ text: S) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 = base64.replacingOccurrences(of: "=", with: "")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }

    static func encode(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// Any JSON value, for reading claims whose types vary.
enum JSONValue: Decodable, Equatable, Sendable {
    case string(String), number(Double), bool(Bool), array([JSONValue]), object([String: JSONValue]), null

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }
}
