import Foundation
import Vapor

/// "Back" on the portal's pages (issue 11 point 8, BS seed: "Tillbaka" leads to the page before):
/// returns to the list the user came from, with its search and page. Each list remembers its last query
/// in a cookie of its own when it is shown; a page's Back link is that list's route with the remembered
/// query. Only the list's own parameter names are kept and the path is always the list's route, so the
/// link can never lead elsewhere (no open redirect), and a cookie the user edited only changes the search.
/// A cookie survives the posts and redirects on a case page (writing a message, uploading), where a
/// parameter in the URL would be lost.
enum ListReturn: String, CaseIterable {
    case cases, users

    var route: PortalRoute {
        switch self {
        case .cases: .cases
        case .users: .users
        }
    }

    /// The query parameters the list understands, in the order its own links write them.
    var parameterNames: [String] {
        switch self {
        case .cases: ["q", "state", "status", "category", "type", "customer", "object", "from", "to", "sort", "dir", "page"]
        case .users: ["page"]
        }
    }

    var cookieName: String { "caseport_back_\(rawValue)" }

    /// The list's own parameters among `items` (unknown names dropped, at most 200 characters per value).
    func query(_ items: [URLQueryItem]) -> [(String, String?)] {
        parameterNames.compactMap { name in
            guard let value = items.last(where: { $0.name == name })?.value, !value.isEmpty else { return nil }
            return (name, String(value.prefix(200)))
        }
    }

    /// Where Back leads: the list as it was last shown in this browser, or its first page; with
    /// `notice`, the list shows it (after a save on one of its pages).
    func backLink(_ request: Request, notice: Notice? = nil) -> String {
        var items: [URLQueryItem] = []
        if let stored = request.parsedCookies[cookieName]?.string, stored.utf8.count <= 2000,
           let decoded = stored.removingPercentEncoding {
            items = URLComponents(string: "/?" + decoded)?.queryItems ?? []
        }
        return route.path(query: query(items) + (notice?.queryItems ?? []))
    }

    /// Remembers the list's current search and page on `response`.
    func remember(_ request: Request, on response: Response) {
        let canonical = route.path(query: query(URLComponents(string: request.url.string)?.queryItems ?? []))
        let stored = canonical.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
        let encoded = stored.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        response.cookies[cookieName] = request.cookie(encoded, maxAge: nil)
    }
}
