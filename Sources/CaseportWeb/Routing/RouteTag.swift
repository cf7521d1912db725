import LeafKit

/// `#route("portal.case", number)`: the path of a named route, built by the route types. An unknown
/// name or a wrong number of parameters fails the render (a 500 and a failing page test), never an
/// empty or made-up link.
struct RouteTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let name = ctx.parameters.first?.string else {
            throw LeafError(.unknownError("#route(): the first parameter must be a route name"))
        }
        let values = try ctx.parameters.dropFirst().map { value -> String in
            guard !value.isNil, let text = value.string, !text.isEmpty else {
                throw LeafError(.unknownError("#route(\"\(name)\"): a parameter is empty or missing"))
            }
            return text
        }
        guard let path = AppRoutes.path(named: name, values) else {
            throw LeafError(.unknownError("#route(\"\(name)\"): no such route, or not \(values.count) parameter(s)"))
        }
        return .string(path)
    }
}
