import Vapor
struct ImportController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {}
}
