import FluentKit
import SQLKit

/// Issue 13: the claim behind the case's customer page (D3, C1–C9). Only adds: claim details, tasks,
/// calls and budget lines; on files the document library's category, title, sharing and task media;
/// the handler's mobile; a contact's role on a case; a customer's own customer-page settings.
/// Existing files keep `is_shared` true, so everything customers saw before they still see.
struct M034_Claims: AsyncMigration {
    var name: String { "034_claims" }

    func prepare(on database: any Database) async throws {
        try await database.schema(ClaimDetailsRecord.schema)
            .field("case_id", .int, .identifier(auto: false), .references(CaseRecord.schema, "id", onDelete: .cascade))
            .field("incident_at", .datetime)
            .field("damage_type", .string)
            .field("policyholder_type", .string, .required)
            .field("project_manager_name", .string)
            .field("project_manager_phone", .string)
            .field("project_office_id", .int, .references(SupplierRecord.schema, "id", onDelete: .setNull))
            .field("expert_name", .string)
            .field("expert_phone", .string)
            .field("appointment_at", .datetime)
            .field("decision", .string)
            .field("decision_at", .datetime)
            .field("first_inspection_at", .datetime)
            .field("positive_decision_at", .datetime)
            .field("reminder_on", .datetime)
            .field("reminder_note", .string)
            .field("page_settings", .string)
            .create()
        try await database.schema(ClaimTaskRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("case_id", .int, .required, .references(CaseRecord.schema, "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("title", .string, .required)
            .field("state", .string, .required)
            .field("supplier_id", .int, .references(SupplierRecord.schema, "id", onDelete: .setNull))
            .field("responsible_name", .string)
            .field("responsible_phone", .string)
            .field("starts_at", .datetime)
            .field("ends_at", .datetime)
            .field("description", .string, .required)
            .field("awaiting_supplier", .bool, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await database.schema(ClaimCallRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("case_id", .int, .required, .references(CaseRecord.schema, "id", onDelete: .cascade))
            .field("caller_name", .string, .required)
            .field("callee_name", .string, .required)
            .field("callee_number", .string, .required)
            .field("answered", .bool, .required)
            .field("seconds", .int, .required)
            .field("called_at", .datetime, .required)
            .field("staff_id", .int, .references(StaffUserRecord.schema, "id", onDelete: .setNull))
            .create()
        try await database.schema(BudgetLineRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("case_id", .int, .required, .references(CaseRecord.schema, "id", onDelete: .cascade))
            .field("position", .int, .required)
            .field("description", .string, .required)
            .field("quantity_milli", .int, .required)
            .field("unit_price_minor", .int, .required)
            .field("amount_minor", .int, .required)
            .field("created_at", .datetime, .required)
            .create()
        // Plain columns on existing tables (SQLite cannot add foreign keys to them), one statement each
        // (SQLite adds one column per ALTER TABLE).
        let files = StoredFileRecord.schema
        try await database.schema(files).field("category", .string).update()
        try await database.schema(files).field("title", .string).update()
        try await database.schema(files).field("is_shared", .bool, .required, .sql(.default(true))).update()
        try await database.schema(files).field("shared_at", .datetime).update()
        try await database.schema(files).field("task_id", .int).update()
        try await database.schema(files).field("supplier_id", .int).update()
        try await database.schema(files).field("reviewed_at", .datetime).update()
        try await database.schema(StaffUserRecord.schema).field("mobile", .string).update()
        try await database.schema(CaseContactLink.schema).field("role", .string).update()
        try await database.schema(CustomerRecord.schema).field("claim_page_settings", .string).update()

        let sql = try database.requireSQL()
        try await sql.create(index: "claim_tasks_case_starts").on(ClaimTaskRecord.schema).column("case_id").column("starts_at").run()
        try await sql.create(index: "claim_tasks_awaiting").on(ClaimTaskRecord.schema).column("awaiting_supplier").column("case_id").run()
        try await sql.create(index: "claim_calls_case").on(ClaimCallRecord.schema).column("case_id").column("called_at").run()
        try await sql.create(index: "budget_lines_case").on(BudgetLineRecord.schema).column("case_id").column("position").run()
        try await sql.create(index: "claim_details_reminder").on(ClaimDetailsRecord.schema).column("reminder_on").run()
        try await sql.create(index: "files_task").on(StoredFileRecord.schema).column("task_id").run()
        try await sql.create(index: "files_supplier_review").on(StoredFileRecord.schema).column("supplier_id").column("reviewed_at").run()
    }

    func revert(on database: any Database) async throws {
        let sql = try database.requireSQL()
        for index in ["files_supplier_review", "files_task"] { try await sql.drop(index: index).run() }
        try await database.schema(CustomerRecord.schema).deleteField("claim_page_settings").update()
        try await database.schema(CaseContactLink.schema).deleteField("role").update()
        try await database.schema(StaffUserRecord.schema).deleteField("mobile").update()
        for field in ["reviewed_at", "supplier_id", "task_id", "shared_at", "is_shared", "title", "category"] {
            try await database.schema(StoredFileRecord.schema).deleteField(FieldKey(stringLiteral: field)).update()
        }
        try await database.schema(BudgetLineRecord.schema).delete()
        try await database.schema(ClaimCallRecord.schema).delete()
        try await database.schema(ClaimTaskRecord.schema).delete()
        try await database.schema(ClaimDetailsRecord.schema).delete()
    }
}
