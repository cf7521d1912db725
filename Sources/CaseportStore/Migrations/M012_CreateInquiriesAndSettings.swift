import FluentKit
import SQLKit

/// The inquiry inbox (D2) and what the settings pages (D5) need: priorities and case-type fields can
/// be deactivated instead of deleted once cases use them.
struct M012_CreateInquiriesAndSettings: AsyncMigration {
    var name: String { "012_create_inquiries_and_settings" }

    func prepare(on database: any Database) async throws {
        try await database.schema(InquiryRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("status", .string, .required)
            .field("created_at", .datetime, .required)
            .field("subject", .string, .required)
            .field("description", .string, .required)
            .field("case_type_id", .int, .references(CaseTypeRecord.schema, "id", onDelete: .setNull))
            .field("category_id", .int, .references(CategoryRecord.schema, "id", onDelete: .setNull))
            .field("customer_id", .int, .references(CustomerRecord.schema, "id", onDelete: .setNull))
            .field("object_id", .int, .references(ObjectRecord.schema, "id", onDelete: .setNull))
            .field("primary_contact_id", .int, .references(ContactRecord.schema, "id", onDelete: .setNull))
            .field("work_site_address", .string)
            .field("reference_name", .string)
            .field("copy_email", .string)
            .field("sms_phone", .string)
            .field("field_values", .string, .required)
            .field("created_by_user_id", .int, .references(PortalUserRecord.schema, "id", onDelete: .setNull))
            .field("created_by_person_id", .int)
            .field("sender_name", .string, .required)
            .field("sender_email", .string)
            .field("sender_phone", .string)
            .field("case_id", .int, .references(CaseRecord.schema, "id", onDelete: .setNull))
            .field("processed_at", .datetime)
            .field("processed_by_name", .string)
            .create()
        let sql = try database.requireSQL()
        // The header badge counts unprocessed inquiries on every staff page: one index lookup.
        try await sql.create(index: "inquiries_status_created").on(InquiryRecord.schema)
            .column("status").column("created_at").run()
        // "What I sent" in the portal reads by sender.
        try await sql.create(index: "inquiries_sender").on(InquiryRecord.schema)
            .column("created_by_user_id").column("created_at").run()
        // "Is this field in use?" decides between deleting and deactivating it.
        try await sql.create(index: "case_field_values_field").on(CaseFieldValueRecord.schema).column("field_id").run()
        try await sql.raw("ALTER TABLE priorities ADD COLUMN is_active BOOLEAN NOT NULL DEFAULT TRUE").run()
        try await sql.raw("ALTER TABLE case_type_fields ADD COLUMN is_active BOOLEAN NOT NULL DEFAULT TRUE").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(InquiryRecord.schema).delete()
    }
}
