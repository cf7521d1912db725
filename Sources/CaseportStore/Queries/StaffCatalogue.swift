import FluentKit
import SQLKit

/// The lists the back office's forms offer: categories, case types and priorities (with their
/// inactive entries: a case may still carry one, and the form shows it only when chosen), active
/// handlers and suppliers, and customers (the first 1 000 by name).
///
/// Read in one statement, ids and names only: the staff case page reads it on every view, and
/// decoding 500 whole customer records through Fluent's reflection was more than half of that page's
/// CPU (issue 17, measured with `perf`).
public struct StaffCatalogue: Sendable {
    /// One entry of a list: what a select option and a check against the list need.
    public struct Choice: Sendable, Equatable {
        public var id: Int
        public var name: String
        public var isActive: Bool

        public init(id: Int, name: String, isActive: Bool = true) {
            (self.id, self.name, self.isActive) = (id, name, isActive)
        }
    }

    public var categories: [Choice] = []
    public var types: [Choice] = []
    public var priorities: [Choice] = []
    public var staff: [Choice] = []
    public var suppliers: [Choice] = []
    public var customers: [Choice] = []

    /// Customer choice lists stop here; beyond it a case's customer is checked by its id
    /// (`include(customer:on:)`) and chosen through the master-data pages.
    public static let customerLimit = 1_000

    public struct Names: Sendable {
        public var categories: [Int: String]
        public var types: [Int: String]
        public var priorities: [Int: String]
        public var staff: [Int: String]
        public var suppliers: [Int: String]
        public var customers: [Int: String]
    }

    public var names: Names {
        func table(_ choices: [Choice]) -> [Int: String] {
            Dictionary(choices.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        }
        return Names(categories: table(categories), types: table(types), priorities: table(priorities), staff: table(staff),
                     suppliers: table(suppliers), customers: table(customers))
    }

    private enum Kind: Int {
        case category, type, priority, staff, supplier, customer
    }

    public static func load(on db: any Database) async throws -> StaffCatalogue {
        // Each branch's own order (sort order, rank, name) is carried in `ord`; the customers' by-name
        // order is their row number in the first 1 000 by name.
        let rows = try await db.requireSQL().raw("""
            SELECT 0 AS kind, id, name, is_active, sort_order AS ord FROM categories
            UNION ALL SELECT 1, id, name, is_active, sort_order FROM case_types
            UNION ALL SELECT 2, id, name, is_active, rank FROM priorities
            UNION ALL SELECT 3, id, name, is_active, 0 FROM staff_users WHERE is_active = \(true)
            UNION ALL SELECT 4, id, name, is_active, 0 FROM suppliers WHERE is_active = \(true)
            UNION ALL SELECT 5, id, name, \(true), ROW_NUMBER() OVER (ORDER BY name, id)
                FROM (SELECT id, name FROM customers ORDER BY name, id LIMIT \(literal: customerLimit)) first_customers
            ORDER BY kind, ord, name, id
            """).all()
        var catalogue = StaffCatalogue()
        for row in rows {
            let choice = Choice(id: try row.decode(column: "id", as: Int.self), name: try row.decode(column: "name", as: String.self),
                                isActive: try row.decode(column: "is_active", as: Bool.self))
            switch Kind(rawValue: try row.decode(column: "kind", as: Int.self)) {
            case .category: catalogue.categories.append(choice)
            case .type: catalogue.types.append(choice)
            case .priority: catalogue.priorities.append(choice)
            case .staff: catalogue.staff.append(choice)
            case .supplier: catalogue.suppliers.append(choice)
            case .customer: catalogue.customers.append(choice)
            case nil: continue
            }
        }
        return catalogue
    }

    /// The active staff, by name: the staff case list's handler filter.
    public static func activeStaff(on db: any Database) async throws -> [Choice] {
        try await db.requireSQL().raw("SELECT id, name FROM staff_users WHERE is_active = \(true) ORDER BY name, id").all().map {
            Choice(id: try $0.decode(column: "id", as: Int.self), name: try $0.decode(column: "name", as: String.self))
        }
    }

    /// The active suppliers, by name: the staff case page's document form (as `suppliers`).
    public static func activeSuppliers(on db: any Database) async throws -> [Choice] {
        try await db.requireSQL().raw("SELECT id, name FROM suppliers WHERE is_active = \(true) ORDER BY name, id").all().map {
            Choice(id: try $0.decode(column: "id", as: Int.self), name: try $0.decode(column: "name", as: String.self))
        }
    }

    /// Adds a customer beyond the first 1 000 (a case's own, or one a form names) to `customers`, so
    /// that it is offered, accepted and named; does nothing when it is listed already or does not exist.
    public mutating func include(customer id: Int?, on db: any Database) async throws {
        guard let id, !customers.contains(where: { $0.id == id }) else { return }
        if let row = try await db.requireSQL().raw("SELECT name FROM customers WHERE id = \(bind: id)").first() {
            customers.append(Choice(id: id, name: try row.decode(column: "name", as: String.self)))
        }
    }
}
