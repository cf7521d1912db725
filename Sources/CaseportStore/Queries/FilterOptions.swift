import CaseportCore
import FluentKit

/// The values the search form offers: categories and types of the deployment, and only the
/// customers and objects within the viewer's reach (A7).
public struct FilterOptions: Sendable {
    public struct Item: Sendable, Equatable {
        public var id: Int
        public var name: String
    }
    public var categories: [Item] = []
    public var types: [Item] = []
    public var customers: [Item] = []
    public var objects: [Item] = []

    public init() {}

    public static func load(for visibility: CaseVisibility, on db: any Database) async throws -> FilterOptions {
        var options = FilterOptions()
        options.categories = try await CategoryRecord.query(on: db).filter(\.$isActive == true).sort(\.$sortOrder).all()
            .map { Item(id: $0.id!, name: $0.name) }
        options.types = try await CaseTypeRecord.query(on: db).filter(\.$isActive == true).sort(\.$sortOrder).all()
            .map { Item(id: $0.id!, name: $0.name) }
        let reach = try await Reach.of(visibility, on: db)
        options.customers = reach.customers.map { Item(id: $0.id!, name: $0.name) }
        options.objects = reach.objects.map { Item(id: $0.id!, name: $0.name) }
        return options
    }
}
