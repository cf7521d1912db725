/// The one check for an e-mail address, used where an address enters (forms, CSV import, the staff
/// command, configuration) and again where one leaves (the SMTP client and the mail composer).
///
/// An address goes raw into `RCPT TO:<…>` and the `To:` header, so anything that could end a command
/// or a header — CR, LF, `<`, `>`, spaces, quotes, control characters — must never pass. The rule is
/// RFC 5321's dot-atom form in plain ASCII: `local@domain`, where the local part is atext characters
/// separated by single dots and the domain is at least two DNS labels (letters, digits, hyphens, not
/// starting or ending with a hyphen). Quoted local parts and address literals (`user@[10.0.0.1]`) are
/// valid mail syntax but refused here: no real customer needs them and each is a way to smuggle text.
public enum EmailAddress {
    /// RFC 5321: 64 octets for the local part, 254 for the whole path.
    public static let longest = 254
    public static let longestLocalPart = 64

    /// atext (RFC 5322 3.2.3) besides letters and digits.
    private static let localSymbols = Set("!#$%&'*+-/=?^_`{|}~".utf8)

    public static func isValid(_ address: String) -> Bool {
        let bytes = Array(address.utf8)
        guard !bytes.isEmpty, bytes.count <= longest else { return false }
        guard let at = bytes.firstIndex(of: UInt8(ascii: "@")), bytes.lastIndex(of: UInt8(ascii: "@")) == at else { return false }
        let local = bytes[..<at], domain = bytes[(at + 1)...]
        return isValidLocalPart(local) && isValidDomain(domain)
    }

    private static func isValidLocalPart(_ local: ArraySlice<UInt8>) -> Bool {
        guard !local.isEmpty, local.count <= longestLocalPart else { return false }
        let dot = UInt8(ascii: ".")
        guard local.first != dot, local.last != dot else { return false }
        var previous: UInt8 = 0
        for byte in local {
            if byte == dot {
                if previous == dot { return false }
            } else if !(isLetterOrDigit(byte) || localSymbols.contains(byte)) {
                return false
            }
            previous = byte
        }
        return true
    }

    private static func isValidDomain(_ domain: ArraySlice<UInt8>) -> Bool {
        guard !domain.isEmpty, domain.count <= 253 else { return false }
        let labels = domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        let hyphen = UInt8(ascii: "-")
        for label in labels {
            guard !label.isEmpty, label.count <= 63, label.first != hyphen, label.last != hyphen else { return false }
            guard label.allSatisfy({ isLetterOrDigit($0) || $0 == hyphen }) else { return false }
        }
        // A top-level domain is never all digits (that would be an IP address written without brackets).
        return !labels.last!.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    private static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
