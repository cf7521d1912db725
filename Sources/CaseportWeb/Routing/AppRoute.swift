import Vapor

/// One route of one realm (portal, staff, public; later the API): its method and path pattern.
/// The realm's enum registers its routes (controllers' `boot`) and builds every link and redirect
/// to them, so a path is written once, here. Parameters are filled in pattern order; a wrong count
/// is a programming error and traps (the route tests and the page tests reach every builder).
///
/// Order of registration does not matter: Vapor's router tries a constant segment before a
/// parameter at each level, so `/cases/new` is never read as case number "new" — the round-trip test
/// (`RouteTests`) checks this for every route.
protocol AppRoute: RawRepresentable<String>, CaseIterable, Sendable {
    /// "portal", "staff" or "public": the first half of a route's name in templates (`portal.case`).
    static var realm: String { get }
    var method: HTTPMethod { get }
    /// The path with `:name` for each parameter, e.g. `/cases/:number/files/:fileId`.
    var pattern: String { get }
}

extension AppRoute {
    /// The name templates use: `realm.case`.
    var name: String { "\(Self.realm).\(rawValue)" }

    var components: [PathComponent] { pattern.pathComponents }

    /// The names of the pattern's parameters, in order.
    var parameterNames: [String] {
        pattern.split(separator: "/").filter { $0.hasPrefix(":") }.map { String($0.dropFirst()) }
    }

    /// The path with `values` in place of the parameters, plus an optional query (kept in the given
    /// order, empty values left out) and fragment.
    func path(_ values: any CustomStringConvertible..., query: KeyValuePairs<String, String?> = [:],
              fragment: String? = nil) -> String {
        path(values.map(\.description), query: query.map { ($0.key, $0.value) }, fragment: fragment)
    }

    /// `path` with no parameters and a query built elsewhere (a notice's items, a list's search).
    func path(query: [(String, String?)], fragment: String? = nil) -> String {
        path([], query: query, fragment: fragment)
    }

    func path(_ values: [String], query: [(String, String?)], fragment: String? = nil) -> String {
        let names = parameterNames
        precondition(values.count == names.count, "\(name) takes \(names.count) parameter(s), got \(values.count)")
        var next = values.makeIterator()
        var path = pattern.split(separator: "/", omittingEmptySubsequences: true).map { segment -> String in
            guard segment.hasPrefix(":"), let value = next.next() else { return String(segment) }
            return value.addingPercentEncoding(withAllowedCharacters: .urlPathSegmentAllowed) ?? value
        }.joined(separator: "/")
        path = "/" + path
        let items = query.compactMap { key, value in value.flatMap { $0.isEmpty ? nil : URLQueryItem(name: key, value: $0) } }
        if !items.isEmpty {
            var components = URLComponents()
            components.queryItems = items
            path += "?" + (components.percentEncodedQuery ?? "")
        }
        if let fragment { path += "#" + fragment }
        return path
    }

    /// Looks a route up by its template name (`portal.case`).
    static func named(_ name: String) -> Self? {
        let prefix = realm + "."
        guard name.hasPrefix(prefix) else { return nil }
        return Self(rawValue: String(name.dropFirst(prefix.count)))
    }
}

extension CharacterSet {
    /// What may stand unescaped in one path segment (no `/`).
    static let urlPathSegmentAllowed: CharacterSet = {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/;?#")
        return allowed
    }()
}

/// Every realm's routes, for the route tag, the route tests and `caseport routes` comparisons.
enum AppRoutes {
    static let realms: [any AppRoute.Type] = [PublicRoute.self, PortalRoute.self, StaffRoute.self, ChatRoute.self, ClaimDocsRoute.self,
                                              ClaimOfficeRoute.self, ClaimAccessRoute.self, ClaimPageRoute.self]

    /// (name, method, pattern) of every route of every realm.
    static var all: [(name: String, method: HTTPMethod, pattern: String)] {
        func list<R: AppRoute>(_ realm: R.Type) -> [(String, HTTPMethod, String)] { R.allCases.map { ($0.name, $0.method, $0.pattern) } }
        return list(PublicRoute.self) + list(PortalRoute.self) + list(StaffRoute.self) + list(ChatRoute.self)
            + list(ClaimDocsRoute.self) + list(ClaimOfficeRoute.self) + list(ClaimAccessRoute.self) + list(ClaimPageRoute.self)
    }

    /// Builds the path of the route named `name` (`staff.case`) from `values`; nil for an unknown name
    /// or a wrong number of values. Templates call this for every link (`#route`), so each route's
    /// segments are split once, here, not on every call.
    static func path(named name: String, _ values: [String]) -> String? {
        guard let segments = segmentsByName[name],
              values.count == segments.reduce(0, { $0 + ($1.hasPrefix(":") ? 1 : 0) }) else { return nil }
        var next = values.makeIterator()
        var path = ""
        for segment in segments {
            path += "/"
            if segment.hasPrefix(":"), let value = next.next() {
                // Ids and numbers (nearly every link) need no escaping; Foundation's is slow per call.
                let plain = value.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x2D }
                path += plain ? value : (value.addingPercentEncoding(withAllowedCharacters: .urlPathSegmentAllowed) ?? value)
            } else {
                path += segment
            }
        }
        return path.isEmpty ? "/" : path
    }

    private static let segmentsByName: [String: [String]] = Dictionary(uniqueKeysWithValues: all.map { route in
        (route.name, route.pattern.split(separator: "/").map(String.init))
    })
}

extension AppRoutes {
    /// The menu section of the page at `path`: that of the route whose constant leading segments
    /// (those before its first parameter) are the longest start of the path — so a case page that
    /// answers 404, or an unknown path below /cases, still belongs to "cases".
    static func section(ofPath path: String) -> String {
        let segments = path.split(separator: "/").map(String.init)
        var best: (length: Int, section: String) = (-1, "")
        for (constant, section) in sections where constant.count > best.length && segments.starts(with: constant) {
            best = (constant.count, section)
        }
        return best.section
    }

    /// Each route's constant leading segments and its section, worked out once.
    private static let sections: [([String], String)] = {
        func table<R: AppRoute>(_ routes: [R], _ section: (R) -> String) -> [([String], String)] {
            routes.map { route in (route.pattern.split(separator: "/").prefix { !$0.hasPrefix(":") }.map(String.init), section(route)) }
        }
        return table(PortalRoute.allCases, \.section) + table(StaffRoute.allCases, \.section) + table(ChatRoute.allCases, \.section)
            + table(ClaimDocsRoute.allCases, \.section)
            + table(ClaimOfficeRoute.allCases, \.section)
            + table(ClaimAccessRoute.allCases.filter { !$0.section.isEmpty }, \.section)
            + table(ClaimPageRoute.allCases, \.section)
    }()
}

/// The key under which a registered Vapor route keeps its typed name (for the route tests).
let routeNameKey = "caseport.route"

extension RoutesBuilder {
    /// Registers `route` with its method and pattern.
    @discardableResult
    func on<R: AppRoute, Response: AsyncResponseEncodable & VaporSendableMetatype>(
        _ route: R, body: HTTPBodyStreamStrategy = .collect,
        use handler: @Sendable @escaping (Request) async throws -> Response
    ) -> Route {
        let registered = on(route.method, route.components, body: body, use: handler)
        registered.userInfo[routeNameKey] = route.name
        return registered
    }
}

extension Request {
    /// A 303 redirect to one of the app's routes, optionally with a notice for the next page, more
    /// query items and a fragment.
    func redirect<R: AppRoute>(to route: R, _ values: any CustomStringConvertible..., notice: Notice? = nil,
                               query: [(String, String?)] = [], fragment: String? = nil,
                               redirectType: Redirect = .normal) -> Response {
        redirect(to: route.path(values.map(\.description), query: (notice?.queryItems ?? []) + query, fragment: fragment),
                 redirectType: redirectType)
    }
}

extension Abort {
    /// A redirect to a route without parameters, thrown from a guard.
    static func redirect<R: AppRoute>(to route: R) -> Abort { .redirect(to: route.path()) }
}
