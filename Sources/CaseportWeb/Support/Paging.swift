import Vapor

/// The one page-number type of every list: which page the URL asks for (clamped to the ones there
/// are), the offset to read from, and links to the neighbouring pages that keep the list's query.
/// Rendered by `shared/pagination.leaf`.
struct Paging: Encodable, Sendable {
    /// Rows per page of the back office's master-data and staff lists.
    static let listPageSize = 50

    var page: Int
    var pageCount: Int
    var total: Int
    var offset: Int
    /// First and last page links, only where a list offers them (the portal's case list).
    var firstLink: String?
    var previousLink: String?
    var nextLink: String?
    var lastLink: String?

    /// `requested` is the page named in the URL; `link` makes the URL of a page.
    init(requested: Int?, total: Int, pageSize: Int, withEnds: Bool = false, link: (Int) -> String) {
        self.total = total
        pageCount = max(1, (total + pageSize - 1) / pageSize)
        page = min(max(1, requested ?? 1), pageCount)
        offset = (page - 1) * pageSize
        previousLink = page > 1 ? link(page - 1) : nil
        nextLink = page < pageCount ? link(page + 1) : nil
        if withEnds {
            firstLink = page > 2 ? link(1) : nil
            lastLink = page < pageCount - 1 ? link(pageCount) : nil
        }
    }

    /// The page `?page=` asks for, with links to `route` that keep `query` (in the given order,
    /// empty values left out) and add the page number last.
    init<R: AppRoute>(_ request: Request, total: Int, pageSize: Int, route: R, query: [(String, String?)] = [],
                      withEnds: Bool = false) {
        let requested = (try? request.query.get(String.self, at: "page")).flatMap { Int($0) }
        self.init(requested: requested, total: total, pageSize: pageSize, withEnds: withEnds) { page in
            route.path([], query: query + [("page", String(page))])
        }
    }

    /// `init(_:total:pageSize:route:query:)` with the query's keys in alphabetical order.
    init<R: AppRoute>(_ request: Request, total: Int, pageSize: Int = listPageSize, route: R, query: [String: String]) {
        self.init(request, total: total, pageSize: pageSize, route: route,
                  query: query.sorted { $0.key < $1.key }.map { ($0.key, Optional($0.value)) })
    }
}

extension Paging {
    /// A page of a case's messages, newest first, asked together with how many there are (one statement on
    /// the way every case view takes). A page past the last — an old link, or a number whose offset does not
    /// fit an Int — is counted and asked again as the last page (`pageWithTotal` is nil past the last
    /// message). The portal's and the back office's case pages both page their conversation so (issue 11
    /// point 6; the back office since issue 17).
    static func messages<Message>(
        requested: Int?, pageSize: Int, link: (Int) -> String,
        pageWithTotal: (_ offset: Int) async throws -> (messages: [Message], total: Int)?,
        count: () async throws -> Int
    ) async throws -> (messages: [Message], paging: Paging) {
        let (offset, overflow) = (max(1, requested ?? 1) - 1).multipliedReportingOverflow(by: pageSize)
        if !overflow, let found = try await pageWithTotal(offset) {
            return (found.messages, Paging(requested: requested, total: found.total, pageSize: pageSize, link: link))
        }
        let paging = Paging(requested: requested, total: try await count(), pageSize: pageSize, link: link)
        return (try await pageWithTotal(paging.offset)?.messages ?? [], paging)
    }
}

extension Paging {
    /// `shared/pagination.leaf` for a list written in Swift (issue 17), the same bytes
    /// (`PortalCaseListHTMLTests` compares them); `strings` are the page language's.
    func html(strings: [String: String]) -> String {
        func text(_ key: String) -> String { (strings[key] ?? "").escapedHTML }
        var html = "<nav class=\"pagination\" aria-label=\"" + text("pagination_label") + "\">\n  "
        if let firstLink { html += "<a class=\"button\" href=\"" + firstLink.escapedHTML + "\">" + text("pagination_first") + "</a>" }
        html += "\n  "
        if let previousLink {
            html += "<a class=\"button\" href=\"" + previousLink.escapedHTML + "\" rel=\"prev\">" + text("pagination_previous") + "</a>"
        }
        html += "\n  <span class=\"muted\">" + text("pagination_page") + " " + String(page) + " / " + String(pageCount) + "</span>\n  "
        if let nextLink { html += "<a class=\"button\" href=\"" + nextLink.escapedHTML + "\" rel=\"next\">" + text("pagination_next") + "</a>" }
        html += "\n  "
        if let lastLink { html += "<a class=\"button\" href=\"" + lastLink.escapedHTML + "\">" + text("pagination_last") + "</a>" }
        html += "\n</nav>"
        return html
    }
}
