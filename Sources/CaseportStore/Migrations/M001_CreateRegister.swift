import FluentKit
import SQLKit

/// Customers, objects, contacts and the contacts' links (SPEC A6, A7).
struct M001_CreateRegister: AsyncMigration {
    var name: String { "001_create_register" }

    func prepare(on database: any Database) async throws {
        try await database.schema(CustomerRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("name", .string, .required)
            .field("name_key", .string, .required)
            .field("short_code", .string, .required)
            .field("short_code_key", .string, .required)
            .field("customer_number", .string, .required)
            .field("single_user", .bool, .required, .sql(.default(false)))
            .field("created_at", .datetime)
            .unique(on: "short_code_key")
            .unique(on: "customer_number")
            .create()
        try await database.schema(ObjectRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("customer_id", .int, .required, .references(CustomerRecord.schema, "id"))
            .field("name", .string, .required)
            .field("address", .string, .required)
            .field("created_at", .datetime)
            .create()
        try await database.schema(ContactRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("first_name", .string, .required)
            .field("last_name", .string, .required)
            .field("email", .string)
            .field("phone", .string)
            .field("created_at", .datetime)
            .create()
        try await database.schema(ContactCustomerLink.schema)
            .field("id", .int, .identifier(auto: true))
            .field("contact_id", .int, .required, .references(ContactRecord.schema, "id", onDelete: .cascade))
            .field("customer_id", .int, .required, .references(CustomerRecord.schema, "id", onDelete: .cascade))
            .unique(on: "contact_id", "customer_id")
            .create()
        try await database.schema(ContactObjectLink.schema)
            .field("id", .int, .identifier(auto: true))
            .field("contact_id", .int, .required, .references(ContactRecord.schema, "id", onDelete: .cascade))
            .field("object_id", .int, .required, .references(ObjectRecord.schema, "id", onDelete: .cascade))
            .unique(on: "contact_id", "object_id")
            .create()
        let sql = try database.requireSQL()
        try await sql.create(index: "customers_name_key").on(CustomerRecord.schema).column("name_key").run()
        try await sql.create(index: "objects_customer").on(ObjectRecord.schema).column("customer_id").run()
        try await sql.create(index: "contacts_email").on(ContactRecord.schema).column("email").run()
    }

    func revert(on database: any Database) async throws {
        for table in [ContactObjectLink.schema, ContactCustomerLink.schema, ContactRecord.schema,
                      ObjectRecord.schema, CustomerRecord.schema] {
            try await database.schema(table).delete()
        }
    }
}

public enum StoreError: Error, CustomStringConvertible {
    case notSQL
    case counterMissing(String)
    /// An INSERT … RETURNING gave no row (cannot happen unless the table is not what the code expects).
    case insertReturnedNothing(String)

    public var description: String {
        switch self {
        case .notSQL: return "the configured database does not speak SQL"
        case .counterMissing(let name): return "the counter \(name) is missing; run `caseport migrate`"
        case .insertReturnedNothing(let table): return "an insert into \(table) returned no row"
        }
    }
}
