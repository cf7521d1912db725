import CaseportCore
import FluentKit

/// The customers and objects a viewer works with: the ones the access rule names directly, the
/// objects of those customers and the owners of those objects.
public struct Reach: Sendable {
    public var customers: [CustomerRecord]
    public var objects: [ObjectRecord]

    public static func of(_ visibility: CaseVisibility, on db: any Database) async throws -> Reach {
        var customerIds = visibility.customerIds
        let owners = visibility.objectOwnerIds.union(visibility.customerIds)
        var objects: [ObjectRecord] = []
        if !owners.isEmpty || !visibility.objectIds.isEmpty {
            // One query for both: the objects named directly and those of the customers in reach.
            objects = try await ObjectRecord.query(on: db).group(.or) { either in
                if !owners.isEmpty { either.filter(\.$customerId ~~ owners) }
                if !visibility.objectIds.isEmpty { either.filter(\.$id ~~ visibility.objectIds) }
            }.sort(\.$name).limit(2_000).all()
        }
        customerIds.formUnion(objects.map(\.customerId))
        let customers = customerIds.isEmpty ? [] :
            try await CustomerRecord.query(on: db).filter(\.$id ~~ customerIds).sort(\.$name).limit(2_000).all()
        return Reach(customers: customers, objects: objects)
    }
}
