import Vapor

/// Page numbers for the back office's master-data lists: LIMIT/OFFSET over an indexed sort, with
/// the count so "page 3 / 40" can be shown. Links keep the list's search.
struct StaffPaging: Encodable {
    static let pageSize = 50
    var page: Int
    var pageCount: Int
    var total: Int
    var previousLink: String?
    var nextLink: String?

    var offset: Int { (page - 1) * Self.pageSize }

    init(_ request: Request, total: Int, path: String, query: [String: String]) {
        self.total = total
        pageCount = max(1, (total + Self.pageSize - 1) / Self.pageSize)
        page = min(max(1, (try? request.query.get(Int.self, at: "page")) ?? 1), pageCount)
        func link(_ page: Int) -> String {
            var items = query.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }
                .map { URLQueryItem(name: $0.key, value: $0.value) }
            items.append(URLQueryItem(name: "page", value: String(page)))
            var components = URLComponents()
            components.path = path
            components.queryItems = items
            return components.string ?? path
        }
        previousLink = page > 1 ? link(page - 1) : nil
        nextLink = page < pageCount ? link(page + 1) : nil
    }
}

/// One option of a `<select>`.
struct SelectOption: Encodable {
    var value: String
    var name: String
    var selected: Bool
}

extension Request {
    /// A short success notice named in the query (`?notice=saved`), limited to known keys.
    func notice(_ allowed: [String], prefix: String) -> String? {
        guard let key = try? query.get(String.self, at: "notice"), allowed.contains(key) else { return nil }
        return t("\(prefix)\(key)")
    }

    /// The list search, trimmed and cut to 200 characters.
    var searchText: String {
        String(((try? query.get(String.self, at: "q")) ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(200))
    }
}
