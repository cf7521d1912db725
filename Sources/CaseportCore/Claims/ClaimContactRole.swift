import Foundation

/// A linked contact's role on a claim (D3, seed 002): the policyholder, or a contact person. Stored in
/// `case_contacts.role`; nil is an ordinary link.
public enum ClaimContactRole: String, Codable, Sendable, CaseIterable {
    case policyholder
    case contactPerson = "contact_person"
}

/// The phone rule of the claim forms: digits, spaces and + - ( ) . / only, and at least one digit.
public enum ClaimPhone {
    public static func isValid(_ text: String) -> Bool {
        let allowed = Set("0123456789 +-()./")
        return !text.isEmpty && text.count <= InputLimits.phone && text.allSatisfy { allowed.contains($0) }
            && text.contains(where: \.isNumber)
    }
}

/// A call's length as typed: "3:25" (minutes:seconds), "3" (minutes) or empty (not answered, 0).
public enum CallLength {
    public static func seconds(_ typed: String) -> Int? {
        let text = typed.trimmingCharacters(in: .whitespaces)
        if text.isEmpty { return 0 }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 1, let minutes = Int(parts[0]), (0...600).contains(minutes) { return minutes * 60 }
        if parts.count == 2, let minutes = Int(parts[0]), let seconds = Int(parts[1]), parts[1].count == 2,
           (0...600).contains(minutes), (0...59).contains(seconds) { return minutes * 60 + seconds }
        return nil
    }

    /// "3:25".
    public static func format(_ seconds: Int) -> String {
        let s = seconds % 60
        return "\(seconds / 60):\(s < 10 ? "0" : "")\(s)"
    }
}
