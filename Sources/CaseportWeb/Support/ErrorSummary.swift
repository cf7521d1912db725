import Vapor

/// One line of a page's error summary: the field's problem, linking to the field.
struct ErrorLink: Encodable, Sendable {
    var text: String
    var href: String
}

/// The error summary at the top of a page after a failed post (issue 12): `shared/error-summary`
/// shows it with role="alert" and takes focus, and each line links to the field it is about, so an
/// error lower down a long page is seen at once.
enum ErrorSummary {
    /// One anchor per error key, in the page's order: the field's element id and its label's locale key.
    struct Anchor {
        var key: String
        var id: String
        var labelKey: String?
        init(_ key: String, _ id: String, label: String? = nil) {
            (self.key, self.id, self.labelKey) = (key, id, label)
        }
    }

    /// The summary's lines, or nil when there is no error (the partial shows nothing then). An error
    /// without an anchor links to `fallback`.
    static func links(_ errors: [String: String], anchors: [Anchor], fallback: String = "main",
                      request: Request) -> [ErrorLink]? {
        guard !errors.isEmpty else { return nil }
        var lines: [ErrorLink] = []
        var seen = Set<String>()
        for anchor in anchors {
            guard let text = errors[anchor.key] else { continue }
            seen.insert(anchor.key)
            let label = anchor.labelKey.map { request.t($0) }
            lines.append(ErrorLink(text: label.map { "\($0): \(text)" } ?? text, href: "#" + anchor.id))
        }
        for key in errors.keys.sorted() where !seen.contains(key) {
            lines.append(ErrorLink(text: errors[key]!, href: "#" + fallback))
        }
        return lines
    }
}
