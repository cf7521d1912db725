import Crypto
import Foundation

/// Signed reply addresses (B7): `reply+c1234-<mac>@domain`, where the mac is an HMAC-SHA256 over the
/// case id and the recipient's address. The mail gate accepts a reply only when the mac matches the
/// case in the token and the address the reply comes from, so a token cannot be forged, moved to
/// another case or used from another address.
struct ReplyTokens: Sendable {
    let key: SymmetricKey

    init(secret: String) { key = SymmetricKey(data: Data(secret.utf8)) }

    func token(caseId: Int, recipient: String) -> String {
        "c\(caseId)-\(mac(caseId: caseId, recipient: recipient))"
    }

    private func mac(caseId: Int, recipient: String) -> String {
        let message = Data("\(caseId)\n\(recipient.lowercased().trimmingCharacters(in: .whitespaces))".utf8)
        let code = HMAC<SHA256>.authenticationCode(for: message, using: key)
        return Data(code).prefix(12).map { String(format: "%02x", $0) }.joined()
    }

    /// `reply@example.com` → `reply+<token>@example.com`.
    func address(base: String, caseId: Int, recipient: String) -> String {
        let parts = base.split(separator: "@", maxSplits: 1)
        return "\(parts[0])+\(token(caseId: caseId, recipient: recipient))@\(parts[1])"
    }

    /// The token in an address such as `reply+c12-abcd…@example.com`, if there is one.
    static func token(inAddress address: String) -> String? {
        guard let local = address.split(separator: "@").first, let plus = local.firstIndex(of: "+") else { return nil }
        let token = local[local.index(after: plus)...]
        return token.isEmpty ? nil : String(token)
    }

    /// The case id when the token is genuine for this sender; nil for forged, altered or moved tokens.
    func verify(token: String, sender: String) -> Int? {
        let parts = token.lowercased().split(separator: "-", maxSplits: 1)
        guard parts.count == 2, parts[0].hasPrefix("c"), let caseId = Int(parts[0].dropFirst()), caseId > 0 else { return nil }
        let expected = mac(caseId: caseId, recipient: sender)
        // Compared in constant time.
        guard expected.utf8.count == parts[1].utf8.count else { return nil }
        let difference = zip(expected.utf8, parts[1].utf8).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) }
        return difference == 0 ? caseId : nil
    }
}
