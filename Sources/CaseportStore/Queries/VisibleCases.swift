import CaseportCore
import FluentKit
import Foundation
import SQLKit

/// One row of the portal's case list.
public struct CaseListRow: Codable, Sendable, Equatable {
    public var id: Int
    public var number: Int
    public var subject: String
    public var description: String
    public var status: CaseStatus
    public var createdAt: Date
    public var createdByName: String
    public var origin: CaseOrigin
}

/// One case as the portal shows it.
public struct CaseDetail: Codable, Sendable, Equatable {
    public var id: Int
    public var number: Int
    public var subject: String
    public var description: String
    public var status: CaseStatus
    public var category: String?
    public var caseType: String?
    public var priority: String?
    public var customerId: Int?
    public var customerName: String?
    public var objectId: Int?
    public var objectName: String?
    public var objectAddress: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var createdByName: String
    public var origin: CaseOrigin
}

/// The portal's only way to read cases: every function takes the viewer's `CaseVisibility` and
/// filters in SQL, so a case outside the rule is indistinguishable from one that does not exist.
public struct VisibleCases: Sendable {
    let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    private var sql: any SQLDatabase { get throws { try database.requireSQL() } }

    /// A page of visible cases, newest first.
    public func page(for visibility: CaseVisibility, offset: Int, limit: Int) async throws -> [CaseListRow] {
        try await sql.raw("""
            SELECT c.id, c.number, c.subject, c.description, c.status, c.created_at, c.created_by_name, c.origin
            FROM cases c
            WHERE \(CaseVisibilitySQL.predicate(visibility))
            ORDER BY c.created_at DESC, c.id DESC
            LIMIT \(bind: limit) OFFSET \(bind: offset)
            """).all(decoding: CaseListRow.self, with: .init(keyDecodingStrategy: .convertFromSnakeCase))
    }

    public func count(for visibility: CaseVisibility) async throws -> Int {
        let row = try await sql.raw("""
            SELECT COUNT(*) AS n FROM cases c WHERE \(CaseVisibilitySQL.predicate(visibility))
            """).first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    /// Every visible case id; for tests and tools that compare the SQL scope with the Core rule.
    public func allIds(for visibility: CaseVisibility) async throws -> Set<Int> {
        let rows = try await sql.raw("""
            SELECT c.id FROM cases c WHERE \(CaseVisibilitySQL.predicate(visibility))
            """).all()
        return Set(try rows.map { try $0.decode(column: "id", as: Int.self) })
    }

    /// The case with this number, or nil when it does not exist or the viewer may not see it.
    public func find(number: Int, for visibility: CaseVisibility) async throws -> CaseDetail? {
        try await sql.raw("""
            SELECT c.id, c.number, c.subject, c.description, c.status, c.category, c.case_type, c.priority,
                   c.customer_id, cu.name AS customer_name, c.object_id, o.name AS object_name,
                   o.address AS object_address, c.created_at, c.updated_at, c.created_by_name, c.origin
            FROM cases c
            LEFT JOIN customers cu ON cu.id = c.customer_id
            LEFT JOIN objects o ON o.id = c.object_id
            WHERE c.number = \(bind: number) AND \(CaseVisibilitySQL.predicate(visibility))
            """).first(decoding: CaseDetail.self, with: .init(keyDecodingStrategy: .convertFromSnakeCase))
    }
}

/// The facts the Core rule needs about cases, read without any scope. Used to prove that the SQL
/// scope and `CaseVisibility.canSee` agree; never used to decide what a viewer gets.
public struct CaseAccessFactsQuery: Sendable {
    let database: any Database
    public init(database: any Database) { self.database = database }

    public func all() async throws -> [Int: CaseAccessFacts] {
        let sql = try database.requireSQL()
        struct Row: Decodable { var id: Int; var customer_id: Int?; var object_id: Int?; var owner_id: Int? }
        let rows = try await sql.raw("""
            SELECT c.id, c.customer_id, c.object_id, o.customer_id AS owner_id
            FROM cases c LEFT JOIN objects o ON o.id = c.object_id
            """).all(decoding: Row.self)
        let links = try await sql.raw("SELECT case_id, contact_id FROM case_contacts").all()
        var contactsByCase: [Int: Set<Int>] = [:]
        for link in links {
            let caseId = try link.decode(column: "case_id", as: Int.self)
            contactsByCase[caseId, default: []].insert(try link.decode(column: "contact_id", as: Int.self))
        }
        var facts: [Int: CaseAccessFacts] = [:]
        for row in rows {
            facts[row.id] = CaseAccessFacts(customerId: row.customer_id, objectId: row.object_id,
                                            objectCustomerId: row.owner_id,
                                            linkedContactIds: contactsByCase[row.id] ?? [])
        }
        return facts
    }
}
