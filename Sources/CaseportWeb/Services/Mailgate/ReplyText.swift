import Foundation

/// Keeps what the person wrote in a reply and drops the rest (B7): the quoted earlier mail (lines with
/// ">", "On … wrote:" / "Den … skrev:", Outlook's "-----Original Message-----" and "From:/Sent:" blocks)
/// and the signature ("-- ", "Sent from my iPhone" and its Nordic forms).
enum ReplyText {
    static let separators: [String] = [
        #"^-{2,}\s*(original message|ursprungligt meddelande|oprindelig meddelelse|opprinnelig melding|originalmeddelande)\s*-{2,}"#,
        #"^_{10,}\s*$"#,
        #"^(from|från|fra)\s*:\s.+"#,
        #"^(on|den|d\.|på|am|le)\s.*\b(wrote|skrev|schrieb|a écrit)\b.*:\s*$"#,
        #"^.*\s(wrote|skrev|schrieb)\s*:\s*$"#,
        #"^(sent from my|skickat från min|sendt fra min|sendt fra min|get outlook for|hämta outlook för|hent outlook til)\b.*"#,
    ]

    /// Compiled once, not per reply.
    nonisolated(unsafe) static let patterns = separators.map { try! NSRegularExpression(pattern: $0, options: [.caseInsensitive]) }

    static func extract(_ text: String) -> String {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var kept: [String] = []
        var index = 0
        scan: while index < lines.count {
            let line = lines[index]
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed == "--" || line == "-- " { break }
            if trimmed.hasPrefix(">") { index += 1; continue }
            // "On Mon, 23 Nov 2026 at 10:00, Caseport <x@y>" + "wrote:" on the next line (Gmail wraps).
            let joined = index + 1 < lines.count ? trimmed + " " + lines[index + 1].trimmingCharacters(in: .whitespaces) : trimmed
            for pattern in patterns {
                for candidate in [trimmed, joined] where pattern.firstMatch(in: candidate, range: NSRange(candidate.startIndex..., in: candidate)) != nil {
                    // "From:" only counts as a quoted header when a Sent/Date/To line follows soon after.
                    if candidate == trimmed, trimmed.range(of: #"^(from|från|fra)\s*:"#, options: [.regularExpression, .caseInsensitive]) != nil {
                        let next = lines[(index + 1)..<min(index + 5, lines.count)]
                        guard next.contains(where: { $0.range(of: #"^\s*(sent|skickat|sendt|date|datum|dato|to|till|til)\s*:"#, options: [.regularExpression, .caseInsensitive]) != nil }) else { continue }
                    }
                    if candidate == joined && candidate != trimmed
                        && pattern.firstMatch(in: trimmed, range: NSRange(trimmed.startIndex..., in: trimmed)) == nil
                        && !(trimmed.lowercased().hasPrefix("on ") || trimmed.lowercased().hasPrefix("den ")) { continue }
                    // A reply written below the quote (bottom-posting): the attribution comes first, skip it.
                    if kept.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                        index += candidate == joined && candidate != trimmed ? 2 : 1
                        continue scan
                    }
                    break scan
                }
            }
            kept.append(line)
            index += 1
        }
        return kept.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
