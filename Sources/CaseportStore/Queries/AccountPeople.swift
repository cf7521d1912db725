import FluentKit
import Foundation

/// The people saved on a shared account (A8).
public struct AccountPeople: Sendable {
    let database: any Database
    public init(database: any Database) { self.database = database }

    public func list(userId: Int) async throws -> [AccountPersonRecord] {
        try await AccountPersonRecord.query(on: database).filter(\.$userId == userId)
            .sort(\.$firstName).sort(\.$lastName).limit(500).all()
    }

    public func find(id: Int, userId: Int) async throws -> AccountPersonRecord? {
        try await AccountPersonRecord.query(on: database).filter(\.$id == id).filter(\.$userId == userId).first()
    }

    public func add(userId: Int, firstName: String, lastName: String, email: String?, phone: String?) async throws -> AccountPersonRecord {
        let person = AccountPersonRecord()
        person.userId = userId
        person.firstName = firstName
        person.lastName = lastName
        person.email = email
        person.phone = phone
        person.createdAt = Date()
        try await person.create(on: database)
        return person
    }
}
