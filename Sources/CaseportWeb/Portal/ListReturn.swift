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
        case .cases: ["q", "state", "status", "category", "type", "customer", "object", "from", "to", "page"]
        case .users: ["page"]
        }
    }

    var cookieName: String { "caseport_back_\(rawValue)" }

    /// The list's link with `items` (unknown names dropped, at most 200 characters per value).
    func link(_ items: [URLQueryItem]) -> String {
        let query: [(String, String?)] = parameterNames.compactMap { name in
            guard let value = items.last(where: { $0.name == name })?.value, !value.isEmpty else { return nil }
            return (name, String(value.prefix(200)))
        }
        return route.path(query: query)
    }

    /// Where Back leads: the list as it was last shown in this browser, or its first page.
    func backLink(_ request: Request) -> String {
        guard let stored = request.cookies[cookieName]?.string, stored.utf8.count <= 2000,
              let query = stored.removingPercentEncoding,
              let items = URLComponents(string: "/?" + query)?.queryItems
        else { return route.path() }
        return link(items)
    }

    /// Remembers the list's current search and page on `response`.
    func remember(_ request: Request, on response: Response) {
        let items = URLComponents(string: request.url.string)?.queryItems ?? []
        let canonical = link(items)
        let query = canonical.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
        let encoded = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        response.cookies[cookieName] = request.cookie(encoded, maxAge: nil)
    }
}
