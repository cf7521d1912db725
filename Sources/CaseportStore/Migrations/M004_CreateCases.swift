import FluentKit
import SQLKit

/// Cases, their contact links and the case-number counter (SPEC A7, B1).
struct M004_CreateCases: AsyncMigration {
    var name: String { "004_create_cases" }

    func prepare(on database: any Database) async throws {
        try await database.schema(CaseRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("number", .int, .required)
            .field("subject", .string, .required)
            .field("description", .string, .required)
            .field("status", .string, .required)
            .field("category_id", .int, .references(CategoryRecord.schema, "id"))
            .field("case_type_id", .int, .references(CaseTypeRecord.schema, "id"))
            .field("priority_id", .int, .references(PriorityRecord.schema, "id"))
            .field("work_site_address", .string)
            .field("reference_name", .string)
            .field("copy_email", .string)
            .field("sms_phone", .string)
            .field("customer_id", .int, .references(CustomerRecord.schema, "id"))
            .field("object_id", .int, .references(ObjectRecord.schema, "id"))
            .field("primary_contact_id", .int, .references(ContactRecord.schema, "id", onDelete: .setNull))
            .field("created_by_user_id", .int, .references(PortalUserRecord.schema, "id", onDelete: .setNull))
            .field("created_by_staff_id", .int, .references(StaffUserRecord.schema, "id", onDelete: .setNull))
            .field("handler_id", .int, .references(StaffUserRecord.schema, "id", onDelete: .setNull))
            .field("supplier_id", .int, .references(SupplierRecord.schema, "id", onDelete: .setNull))
            .field("has_unread_activity", .bool, .required, .sql(.default(false)))
            .field("version", .int, .required, .sql(.default(1)))
            .field("created_by_person_id", .int)
            .field("created_by_name", .string, .required)
            .field("origin", .string, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("last_activity_at", .datetime, .required)
            .unique(on: "number")
            .create()
        try await database.schema(CaseContactLink.schema)
            .field("id", .int, .identifier(auto: true))
            .field("case_id", .int, .required, .references(CaseRecord.schema, "id", onDelete: .cascade))
            .field("contact_id", .int, .required, .references(ContactRecord.schema, "id", onDelete: .cascade))
            .field("is_primary", .bool, .required)
            .unique(on: "contact_id", "case_id")
            .create()
        try await database.schema(CaseFieldValueRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("case_id", .int, .required, .references(CaseRecord.schema, "id", onDelete: .cascade))
            .field("field_id", .int, .references(CaseTypeFieldRecord.schema, "id", onDelete: .setNull))
            .field("label", .string, .required)
            .field("value", .string, .required)
            .field("sort_order", .int, .required)
            .create()
        try await database.schema("counters")
            .field("id", .string, .identifier(auto: false))
            .field("value", .int, .required)
            .create()

        let sql = try database.requireSQL()
        // The A7 scope filters on customer, object or contact link and sorts newest first:
        // each branch has an index that serves both the filter and the order.
        try await sql.create(index: "cases_customer_created").on(CaseRecord.schema)
            .column("customer_id").column("created_at").run()
        try await sql.create(index: "cases_object_created").on(CaseRecord.schema)
            .column("object_id").column("created_at").run()
        try await sql.create(index: "cases_created").on(CaseRecord.schema).column("created_at").run()
        // The back office filters on these alone; each index also serves the newest-first order.
        for column in ["status", "handler_id", "category_id", "case_type_id", "priority_id", "has_unread_activity"] {
            try await sql.create(index: "cases_\(column)_created").on(CaseRecord.schema).column(column).column("created_at").run()
        }
        try await sql.create(index: "case_field_values_case").on(CaseFieldValueRecord.schema).column("case_id").run()
        try await sql.insert(into: "counters").columns("id", "value").values(CaseNumbers.counterName, CaseNumbers.firstNumber - 1).run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(CaseFieldValueRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("case_id", .int, .required, .references(CaseRecord.schema, "id", onDelete: .cascade))
            .field("field_id", .int, .references(CaseTypeFieldRecord.schema, "id", onDelete: .setNull))
            .field("label", .string, .required)
            .field("value", .string, .required)
            .field("sort_order", .int, .required)
            .create()
        try await database.schema("counters").delete()
        try await database.schema(CaseFieldValueRecord.schema).delete()
        try await database.schema(CaseContactLink.schema).delete()
        try await database.schema(CaseRecord.schema).delete()
    }
}
