import Foundation

/// Issue 13 (A10, C7, C9): the rules of the personal link to a claim's customer page, as values, so
/// they are tested without a database.
public enum ClaimLinkRules {
    /// How long a security code sent by SMS is valid.
    public static let codeLifetime: TimeInterval = 10 * 60
    /// Wrong codes allowed before the link pauses.
    public static let codeTries = 5
    /// How long the link refuses codes after `codeTries` wrong ones.
    public static let codePause: TimeInterval = 15 * 60
    /// A new code is sent at most this often; opening again sooner keeps the code already sent.
    public static let codeResendInterval: TimeInterval = 60
    /// A link session (the cookie after opening) lasts at most this long; opening the link again starts a new one.
    public static let sessionLifetime: TimeInterval = 12 * 3_600
    /// Digits of the security code.
    public static let codeDigits = 6

    /// A new link token: 32 random bytes (256 bits), base64url without padding (43 characters).
    public static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// A new security code: `codeDigits` random digits.
    public static func newCode() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<codeDigits).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) })
    }

    /// Whether a typed token could be one of ours at all (length and alphabet), before any look-up.
    public static func isWellFormed(_ token: String) -> Bool {
        token.utf8.count == 43 && token.utf8.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F
        }
    }

    /// Access ends `days` days after the case closed (C9): a closed case whose closing is older than
    /// that is expired. An open (or reopened) case never is.
    public static func isExpired(closedAt: Date?, days: Int, now: Date) -> Bool {
        guard let closedAt else { return false }
        return now > closedAt.addingTimeInterval(TimeInterval(max(0, days)) * 86_400)
    }

    /// Whether a case contact with `role` (`case_contacts.role`) gets the link under `recipients`.
    /// "The customer" is the policyholder; "every contact" includes contacts without a role.
    public static func receives(role: String?, under recipients: ClaimLinkRecipients) -> Bool {
        switch recipients {
        case .customer: return role == "policyholder"
        case .contactPerson: return role == "contact_person"
        case .both: return role == "policyholder" || role == "contact_person"
        case .allContacts: return true
        }
    }

    /// Whether the claim's policyholder type gets links at all (seed 002 "Kundetype").
    public static func allows(_ type: ClaimCustomerType?, under choice: ClaimCustomerTypeChoice) -> Bool {
        switch choice {
        case .all: return true
        case .privateOnly: return type == .privateCustomer
        case .businessOnly: return type == .business
        }
    }
}
