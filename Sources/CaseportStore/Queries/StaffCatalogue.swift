import FluentKit

/// The lists the back office's forms offer. Small tables, read per page view.
public struct StaffCatalogue: Sendable {
    public var categories: [CategoryRecord]
    public var types: [CaseTypeRecord]
    public var priorities: [PriorityRecord]
    public var staff: [StaffUserRecord]
    public var suppliers: [SupplierRecord]
    public var customers: [CustomerRecord]

    public struct Names: Sendable {
        public var categories: [Int: String]
        public var types: [Int: String]
        public var priorities: [Int: String]
        public var staff: [Int: String]
        public var suppliers: [Int: String]
        public var customers: [Int: String]
    }

    public var names: Names {
        Names(categories: Dictionary(uniqueKeysWithValues: categories.map { ($0.id!, $0.name) }),
              types: Dictionary(uniqueKeysWithValues: types.map { ($0.id!, $0.name) }),
              priorities: Dictionary(uniqueKeysWithValues: priorities.map { ($0.id!, $0.name) }),
              staff: Dictionary(uniqueKeysWithValues: staff.map { ($0.id!, $0.name) }),
              suppliers: Dictionary(uniqueKeysWithValues: suppliers.map { ($0.id!, $0.name) }),
              customers: Dictionary(uniqueKeysWithValues: customers.map { ($0.id!, $0.name) }))
    }

    public static func load(on db: any Database) async throws -> StaffCatalogue {
        StaffCatalogue(
            categories: try await CategoryRecord.query(on: db).sort(\.$sortOrder).all(),
            types: try await CaseTypeRecord.query(on: db).sort(\.$sortOrder).all(),
            priorities: try await PriorityRecord.query(on: db).sort(\.$rank).all(),
            staff: try await StaffUserRecord.query(on: db).filter(\.$isActive == true).sort(\.$name).all(),
            suppliers: try await SupplierRecord.query(on: db).filter(\.$isActive == true).sort(\.$name).all(),
            // Customer choice lists stop at 1 000; a search field replaces them with the master-data pages.
            customers: try await CustomerRecord.query(on: db).sort(\.$name).limit(1_000).all())
    }
}
