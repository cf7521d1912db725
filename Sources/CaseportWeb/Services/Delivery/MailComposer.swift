import CaseportCore
import Foundation

/// Turns an outbox row into an RFC 5322 message: multipart/alternative with a plain-text and an HTML
/// part (UTF-8, base64), headers encoded per RFC 2047 when they are not plain ASCII, the company's name
/// as the sender's name and at the top of the HTML, a Message-ID fixed by the row (a repeat after a
/// crash is therefore recognisable), and a Reply-To with the signed case token when there is one (B7).
struct MailComposer: Sendable {
    var companyName: String
    var fromAddress: String
    /// The deployment's colours (C8) for the HTML part.
    var branding = Branding()
    /// The logo's public address, when there is a logo and CASEPORT_PUBLIC_URL is set.
    var logoURL: String?

    struct Mail: Sendable {
        var outboxId: Int
        var recipient: String
        var language: String
        var subject: String
        var body: String
        var replyTo: String?
    }

    /// An address that fails `EmailAddress` never reaches a header: it could end the header and add
    /// others. Such a row is refused for good (rows written before the strict check may hold one).
    func compose(_ mail: Mail, date: Date = Date()) throws -> String {
        for address in [mail.recipient, fromAddress] + (mail.replyTo.map { [$0] } ?? []) where !EmailAddress.isValid(address) {
            throw SMTPError(permanent: true, description: "refused address \(address.debugDescription)")
        }
        let boundary = "caseport-\(mail.outboxId)-\(UUID().uuidString.prefix(8))"
        let domain = fromAddress.split(separator: "@").last.map(String.init) ?? "caseport"
        var headers = [
            "From: \(Self.encodeWord(companyName)) <\(fromAddress)>",
            "To: <\(mail.recipient)>",
            "Subject: \(Self.encodeWord(mail.subject))",
            "Date: \(Self.rfc5322Date(date))",
            "Message-ID: <outbox-\(mail.outboxId)@\(domain)>",
            "MIME-Version: 1.0",
            "Content-Language: \(mail.language)",
            "Auto-Submitted: auto-generated",
            "Content-Type: multipart/alternative; boundary=\"\(boundary)\"",
        ]
        if let replyTo = mail.replyTo { headers.insert("Reply-To: <\(replyTo)>", at: 3) }
        let text = mail.body
        let html = Self.html(body: mail.body, subject: mail.subject, company: companyName, language: mail.language,
                             branding: branding, logoURL: logoURL)
        var out = headers.joined(separator: "\r\n") + "\r\n\r\n"
        out += "--\(boundary)\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        out += Self.base64Lines(text) + "\r\n"
        out += "--\(boundary)\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        out += Self.base64Lines(html) + "\r\n"
        out += "--\(boundary)--\r\n"
        return out
    }

    static func base64Lines(_ text: String) -> String {
        let encoded = Data(text.utf8).base64EncodedString()
        var lines: [Substring] = []
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let end = encoded.index(index, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(encoded[index..<end])
            index = end
        }
        return lines.joined(separator: "\r\n")
    }

    /// RFC 2047: ASCII text as it is; anything else as UTF-8 "B" encoded words of at most 75 characters,
    /// split between whole characters and folded onto continuation lines.
    static func encodeWord(_ text: String) -> String {
        let clean = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        if clean.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 32 }) && !clean.contains("=?") && clean.count < 900 {
            return clean
        }
        var words: [String] = []
        var chunk = ""
        for character in clean {
            if chunk.utf8.count + character.utf8.count > 45 {
                words.append(chunk)
                chunk = ""
            }
            chunk.append(character)
        }
        if !chunk.isEmpty { words.append(chunk) }
        return words.map { "=?UTF-8?B?\(Data($0.utf8).base64EncodedString())?=" }.joined(separator: "\r\n ")
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// The text as HTML: escaped, paragraphs kept, links clickable, the company's logo or name as a
    /// header, in the deployment's colours (`Branding.colour` only ever returns `#rrggbb`).
    static func html(body: String, subject: String, company: String, language: String,
                     branding: Branding = Branding(), logoURL: String? = nil) -> String {
        let heading = branding.colour(.heading), text = branding.colour(.text)
        let background = branding.colour(.pageBackground)
        let paragraphs = body.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n").map { paragraph -> String in
            let lines = paragraph.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
                line.split(separator: " ", omittingEmptySubsequences: false).map { word -> String in
                    let raw = String(word)
                    if raw.hasPrefix("https://") || raw.hasPrefix("http://") {
                        return "<a href=\"\(escape(raw))\" style=\"color:\(heading)\">\(escape(raw))</a>"
                    }
                    return escape(raw)
                }.joined(separator: " ")
            }
            return "<p style=\"margin:0 0 1em\">\(lines.joined(separator: "<br>"))</p>"
        }.joined(separator: "\n")
        let header = logoURL.map { "<img src=\"\(escape($0))\" alt=\"\(escape(company))\" height=\"40\" style=\"height:40px;width:auto\">" }
            ?? escape(company)
        return """
            <!doctype html>
            <html lang="\(escape(language))"><head><meta charset="utf-8"><title>\(escape(subject))</title></head>
            <body style="margin:0;padding:0;background:\(background)">
            <div style="max-width:600px;margin:0 auto;padding:24px;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:\(text)">
            <div style="font-size:18px;font-weight:bold;color:\(heading);padding-bottom:12px;border-bottom:2px solid \(heading);margin-bottom:16px">\(header)</div>
            \(paragraphs)
            </div></body></html>
            """
    }
}
