import CaseportCore
import FluentKit
import SQLKit

/// What the portal's new-case form (B4) offers, read as plain SQL with its columns decoded one by one
/// (issue 17 point 5): the form's three pages and "Confirm" each read these, and decoding them as
/// Fluent models (the case type, its fields, the categories, the viewer's customers and objects) went
/// through Fluent's reflection every time — measured with `perf`.
public enum NewCaseChoices {
    /// An active case type as the type page and the form show it.
    public struct CaseType: Sendable, Equatable {
        public var id: Int
        public var name: String
        public var description: String
        public var isBillable: Bool

        public init(id: Int, name: String, description: String = "", isBillable: Bool = false) {
            (self.id, self.name, self.description, self.isBillable) = (id, name, description, isBillable)
        }
    }

    /// An active extra field of a case type.
    public struct Field: Sendable, Equatable {
        public var id: Int
        public var label: String
        public var kind: CaseFieldKind
        public var isRequired: Bool
        /// For `choice`: the options (stored one per line).
        public var choiceList: [String]

        public init(id: Int, label: String, kind: CaseFieldKind, isRequired: Bool = false, choiceList: [String] = []) {
            (self.id, self.label, self.kind, self.isRequired, self.choiceList) = (id, label, kind, isRequired, choiceList)
        }
    }

    /// An id and its name: an active category, or a customer within the viewer's reach.
    public struct Named: Sendable, Equatable {
        public var id: Int
        public var name: String

        public init(id: Int, name: String) {
            (self.id, self.name) = (id, name)
        }
    }

    /// The catalogue part, the same for every user: the active case types (by sort order), each active
    /// type's active fields (by sort order) and the active categories (by sort order). Read in one
    /// statement.
    public struct Catalogue: Sendable, Equatable {
        public var types: [CaseType] = []
        public var fields: [Int: [Field]] = [:]
        public var categories: [Named] = []

        public init(types: [CaseType] = [], fields: [Int: [Field]] = [:], categories: [Named] = []) {
            (self.types, self.fields, self.categories) = (types, fields, categories)
        }

        public func type(_ id: Int?) -> CaseType? { id.flatMap { id in types.first { $0.id == id } } }

        public static func load(on db: any Database) async throws -> Catalogue {
            // kind 0: a type, 1: a field of an active type (`ref` its type), 2: a category. Unused columns
            // are filled with constants of the same type in every branch (PostgreSQL's UNION needs them).
            let rows = try await db.requireSQL().raw("""
                SELECT 0 AS kind, id, 0 AS ref, name, description AS text, '' AS choices, is_billable AS flag, sort_order AS ord
                    FROM case_types WHERE is_active = \(true)
                UNION ALL
                SELECT 1, f.id, f.case_type_id, f.label, f.kind, f.choices, f.is_required, f.sort_order
                    FROM case_type_fields f JOIN case_types t ON t.id = f.case_type_id
                    WHERE f.is_active = \(true) AND t.is_active = \(true)
                UNION ALL
                SELECT 2, id, 0, name, '', '', \(false), sort_order FROM categories WHERE is_active = \(true)
                ORDER BY kind, ref, ord, id
                """).all()
            var catalogue = Catalogue()
            for row in rows {
                let id = try row.decode(column: "id", as: Int.self), name = try row.decode(column: "name", as: String.self)
                switch try row.decode(column: "kind", as: Int.self) {
                case 0:
                    catalogue.types.append(CaseType(id: id, name: name, description: try row.decode(column: "text", as: String.self),
                                                    isBillable: try row.decode(column: "flag", as: Bool.self)))
                case 1:
                    // A kind this build does not know is read as text, as Fluent's model would fail to decode it.
                    let kind = CaseFieldKind(rawValue: try row.decode(column: "text", as: String.self)) ?? .text
                    let choices = try row.decode(column: "choices", as: String.self).split(separator: "\n").map(String.init)
                    catalogue.fields[try row.decode(column: "ref", as: Int.self), default: []]
                        .append(Field(id: id, label: name, kind: kind, isRequired: try row.decode(column: "flag", as: Bool.self),
                                      choiceList: choices))
                case 2:
                    catalogue.categories.append(Named(id: id, name: name))
                default:
                    continue
                }
            }
            return catalogue
        }
    }

    /// An object within the viewer's reach.
    public struct Object: Sendable, Equatable {
        public var id: Int
        public var customerId: Int
        public var name: String
        public var address: String
        public var isActive: Bool

        public init(id: Int, customerId: Int, name: String, address: String, isActive: Bool = true) {
            (self.id, self.customerId, self.name, self.address, self.isActive) = (id, customerId, name, address, isActive)
        }
    }

    /// The customers and objects a viewer works with — the same as `Reach.of` (the ones the access rule
    /// names, the objects of those customers and the owners of those objects; each list by name, at most
    /// 2 000), read in one statement with ids, names and what the form checks.
    public struct Reach: Sendable, Equatable {
        public var customers: [Named] = []
        public var objects: [Object] = []

        public init(customers: [Named] = [], objects: [Object] = []) {
            (self.customers, self.objects) = (customers, objects)
        }

        public static let limit = 2_000

        public static func of(_ visibility: CaseVisibility, on db: any Database) async throws -> Reach {
            let owners = visibility.objectOwnerIds.union(visibility.customerIds)
            let named = visibility.objectIds
            guard !owners.isEmpty || !named.isEmpty || !visibility.customerIds.isEmpty else { return Reach() }
            func list(_ ids: Set<Int>) -> SQLExpression { SQLList(ids.sorted().map { SQLBind($0) }) }
            var objectWhere: [SQLExpression] = []
            if !owners.isEmpty { objectWhere.append(SQLQueryString("customer_id IN (\(list(owners)))")) }
            if !named.isEmpty { objectWhere.append(SQLQueryString("id IN (\(list(named)))")) }
            let objectFilter = objectWhere.isEmpty ? SQLQueryString("1 = 0")
                : SQLQueryString("(\(SQLList(objectWhere, separator: SQLRaw(" OR "))))")
            let customerFilter = visibility.customerIds.isEmpty
                ? SQLQueryString("id IN (SELECT customer_id FROM o)")
                : SQLQueryString("(id IN (\(list(visibility.customerIds))) OR id IN (SELECT customer_id FROM o))")
            let rows = try await db.requireSQL().raw("""
                WITH o AS (SELECT id, customer_id, name, address, is_active FROM objects WHERE \(objectFilter)
                           ORDER BY name, id LIMIT \(literal: limit))
                SELECT 0 AS kind, id, customer_id, name, address, is_active FROM o
                UNION ALL
                SELECT 1, id, id, name, '', is_active FROM (SELECT id, name, is_active FROM customers WHERE \(customerFilter)
                                                         ORDER BY name, id LIMIT \(literal: limit)) c
                ORDER BY kind, name, id
                """).all()
            var reach = Reach()
            for row in rows {
                let id = try row.decode(column: "id", as: Int.self), name = try row.decode(column: "name", as: String.self)
                if try row.decode(column: "kind", as: Int.self) == 0 {
                    reach.objects.append(Object(id: id, customerId: try row.decode(column: "customer_id", as: Int.self), name: name,
                                                address: try row.decode(column: "address", as: String.self),
                                                isActive: try row.decode(column: "is_active", as: Bool.self)))
                } else {
                    reach.customers.append(Named(id: id, name: name))
                }
            }
            return reach
        }
    }
}
