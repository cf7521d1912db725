import FluentKit
import SQLKit

/// Master data in the back office (D6): customers, objects and contacts can be deactivated
/// (kept for the cases that refer to them, no longer offered), the lists staff page through are
/// sorted by name with an index each, so a page never reads a whole table, and staff accounts get
/// one-time set-password links (D1).
struct M011_MasterData: AsyncMigration {
    var name: String { "011_master_data" }

    func prepare(on database: any Database) async throws {
        for table in [CustomerRecord.schema, ObjectRecord.schema, ContactRecord.schema] {
            try await database.schema(table)
                .field("is_active", .bool, .required, .sql(.default(true)))
                .update()
        }
        let sql = try database.requireSQL()
        try await sql.create(index: "customers_name_sort").on(CustomerRecord.schema).column("name").column("id").run()
        try await sql.create(index: "objects_name_sort").on(ObjectRecord.schema).column("name").column("id").run()
        try await sql.create(index: "contacts_name_sort").on(ContactRecord.schema)
            .column("last_name").column("first_name").column("id").run()
        try await sql.create(index: "contact_customers_customer").on(ContactCustomerLink.schema).column("customer_id").run()
        try await sql.create(index: "contact_objects_object").on(ContactObjectLink.schema).column("object_id").run()
        try await sql.create(index: "portal_users_name_sort").on(PortalUserRecord.schema)
            .column("last_name").column("first_name").column("id").run()
        try await sql.create(index: "audit_events_actor").on(AuditEventRecord.schema).column("actor_name").run()
        // D1: set-password links for staff accounts.
        try await database.schema(StaffAccountTokenRecord.schema)
            .field("id", .string, .identifier(auto: false))
            .field("staff_user_id", .int, .required, .references(StaffUserRecord.schema, "id", onDelete: .cascade))
            .field("expires_at", .double, .required)
            .field("used_at", .double)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(StaffAccountTokenRecord.schema).delete()
        let sql = try database.requireSQL()
        for index in ["customers_name_sort", "objects_name_sort", "contacts_name_sort", "contact_customers_customer",
                      "contact_objects_object", "portal_users_name_sort", "audit_events_actor"] {
            try await sql.drop(index: index).run()
        }
        for table in [CustomerRecord.schema, ObjectRecord.schema, ContactRecord.schema] {
            try await database.schema(table).deleteField("is_active").update()
        }
    }
}
