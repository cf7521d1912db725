import Vapor

/// The one way a page tells the person what just happened after a form posted and redirected:
/// `?notice=<kind>` (and `&n=<count>` where a number belongs in the text) on the redirect's target.
/// Each page names the kinds it shows and the translation key of each, so an unknown or foreign
/// kind in a hand-made URL shows nothing.
struct Notice: Sendable, Equatable {
    enum Kind: String, Sendable, CaseIterable {
        case saved, created, added, deleted, deactivated, unlocked, retried, imported
        case status, message, read, uploaded, removed, approved, rejected, received
        case logoSaved = "logo_saved", logoRemoved = "logo_removed"
    }

    var kind: Kind
    var count: Int?

    init(_ kind: Kind, count: Int? = nil) {
        self.kind = kind
        self.count = count
    }

    var queryItems: [(String, String?)] { [("notice", kind.rawValue), ("n", count.map(String.init))] }

    static let saved = Notice(.saved), created = Notice(.created), added = Notice(.added), deleted = Notice(.deleted)
    static let deactivated = Notice(.deactivated), unlocked = Notice(.unlocked), retried = Notice(.retried)
    static let status = Notice(.status), message = Notice(.message), read = Notice(.read), uploaded = Notice(.uploaded)
    static let removed = Notice(.removed), approved = Notice(.approved), rejected = Notice(.rejected)
    static let received = Notice(.received), logoSaved = Notice(.logoSaved), logoRemoved = Notice(.logoRemoved)
}

extension Request {
    /// The notice in this request's URL, if it is one of `shown`.
    var noticeInURL: Notice? {
        guard let raw = try? query.get(String.self, at: "notice"), let kind = Notice.Kind(rawValue: raw) else { return nil }
        return Notice(kind, count: try? query.get(Int.self, at: "n"))
    }

    /// The text of the notice in the URL when this page shows that kind: `texts` maps each kind the
    /// page knows to its translation key; `{n}` in the text becomes the count (1 when none is given).
    func notice(_ texts: [Notice.Kind: String]) -> String? {
        guard let notice = noticeInURL, let key = texts[notice.kind] else { return nil }
        return t(key).replacingOccurrences(of: "{n}", with: String(notice.count ?? 1))
    }

    /// `notice` for kinds whose translation key is `prefix` + the kind's name (`md_notice_saved`).
    func notice(_ kinds: [Notice.Kind], prefix: String) -> String? {
        notice(Dictionary(uniqueKeysWithValues: kinds.map { ($0, prefix + $0.rawValue) }))
    }
}
