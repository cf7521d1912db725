import Crypto
import Foundation

/// Standard Webhooks signing: `webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`,
/// where the key is the base64 text after `whsec_` in the subscription's secret. A receiver recomputes
/// it with the same secret and compares; the timestamp (Unix seconds) lets it refuse old replays.
enum WebhookSignature {
    static func key(fromSecret secret: String) -> SymmetricKey? {
        guard secret.hasPrefix("whsec_"), let bytes = Data(base64Encoded: String(secret.dropFirst(6))), !bytes.isEmpty else {
            return nil
        }
        return SymmetricKey(data: bytes)
    }

    static func sign(id: String, timestamp: Int, body: String, secret: String) -> String? {
        guard let key = key(fromSecret: secret) else { return nil }
        let content = Data("\(id).\(timestamp).\(body)".utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: content, using: key)
        return "v1," + Data(mac).base64EncodedString()
    }

    /// The three headers of one attempt.
    static func headers(id: String, timestamp: Int, body: String, secret: String) -> [(String, String)]? {
        guard let signature = sign(id: id, timestamp: timestamp, body: body, secret: secret) else { return nil }
        return [("webhook-id", id), ("webhook-timestamp", String(timestamp)), ("webhook-signature", signature)]
    }
}
