import FluentKit
import SQLKit

/// Issue 14 (B8, B10, D3): the price list (articles, action codes), work orders, article rows and
/// invoice specifications with their frozen rows. Money in integer minor units, quantities in
/// thousandths, VAT in basis points; times compared by SQL in Unix seconds (see `MoneyRecords.swift`
/// and docs/ARCHITECTURE.md, "Money"). The portal's case list shows whether a case has rows, so
/// `article_rows` joins the change stamp's watched tables (M014).
struct M024_MoneyRows: AsyncMigration {
    var name: String { "024_money_rows" }

    static let specificationCounter = "specification_number"

    func prepare(on database: any Database) async throws {
        try await database.schema(ArticleRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("unit", .string, .required)
            .field("article_type", .string, .required)
            .field("unit_price_minor", .int, .required)
            .field("vat_rate_bp", .int, .required)
            .field("is_active", .bool, .required)
            .field("updated_unix", .int, .required)
            .unique(on: "code")
            .create()
        try await database.schema(ActionCodeRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("is_active", .bool, .required)
            .unique(on: "code")
            .create()
        try await database.schema(WorkOrderRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("case_id", .int, .required, .references(CaseRecord.schema, "id", onDelete: .cascade))
            .field("work_order_type", .string, .required)
            .field("state", .string, .required)
            .field("supplier_id", .int, .references(SupplierRecord.schema, "id", onDelete: .setNull))
            .field("title", .string, .required)
            .field("description", .string, .required)
            .field("planned_start", .string)
            .field("planned_end", .string)
            .field("sent_unix", .int)
            .field("accepted_unix", .int)
            .field("done_unix", .int)
            .field("created_unix", .int, .required)
            .field("updated_unix", .int, .required)
            .field("created_by_staff_id", .int, .references(StaffUserRecord.schema, "id", onDelete: .setNull))
            .field("version", .int, .required)
            .create()
        try await database.schema(InvoiceSpecificationRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("number", .int, .required)
            .field("customer_id", .int, .required, .references(CustomerRecord.schema, "id"))
            .field("title", .string, .required)
            .field("state", .string, .required)
            .field("net_minor", .int, .required)
            .field("vat_minor", .int, .required)
            .field("gross_minor", .int, .required)
            .field("row_count", .int, .required)
            .field("created_unix", .int, .required)
            .field("created_by_staff_id", .int, .references(StaffUserRecord.schema, "id", onDelete: .setNull))
            .field("created_by_name", .string, .required)
            .field("answered_unix", .int)
            .field("answered_by_user_id", .int, .references(PortalUserRecord.schema, "id", onDelete: .setNull))
            .field("answered_by_name", .string)
            .field("answer_comment", .string)
            .field("reminded_unix", .int)
            .field("version", .int, .required)
            .unique(on: "number")
            .create()
        try await database.schema(ArticleRowRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("case_id", .int, .required, .references(CaseRecord.schema, "id", onDelete: .cascade))
            .field("work_order_id", .int, .references(WorkOrderRecord.schema, "id", onDelete: .setNull))
            .field("article_id", .int, .references(ArticleRecord.schema, "id", onDelete: .setNull))
            .field("action_code_id", .int, .references(ActionCodeRecord.schema, "id", onDelete: .setNull))
            .field("action_code", .string)
            .field("article_code", .string, .required)
            .field("article_name", .string, .required)
            .field("article_type", .string, .required)
            .field("unit", .string, .required)
            .field("quantity_milli", .int, .required)
            .field("unit_price_minor", .int, .required)
            .field("vat_rate_bp", .int, .required)
            .field("net_minor", .int, .required)
            .field("vat_minor", .int, .required)
            .field("gross_minor", .int, .required)
            .field("note", .string)
            .field("booked_on", .string, .required)
            .field("created_unix", .int, .required)
            .field("created_by_staff_id", .int, .references(StaffUserRecord.schema, "id", onDelete: .setNull))
            .field("created_by_name", .string, .required)
            .field("specification_id", .int, .references(InvoiceSpecificationRecord.schema, "id", onDelete: .setNull))
            .create()
        try await database.schema(SpecificationRowRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("specification_id", .int, .required, .references(InvoiceSpecificationRecord.schema, "id", onDelete: .cascade))
            .field("position", .int, .required)
            .field("article_row_id", .int, .references(ArticleRowRecord.schema, "id", onDelete: .setNull))
            .field("case_id", .int, .required, .references(CaseRecord.schema, "id"))
            .field("case_number", .int, .required)
            .field("work_order_id", .int)
            .field("booked_on", .string, .required)
            .field("action_code", .string)
            .field("article_code", .string, .required)
            .field("article_name", .string, .required)
            .field("article_type", .string, .required)
            .field("unit", .string, .required)
            .field("quantity_milli", .int, .required)
            .field("unit_price_minor", .int, .required)
            .field("vat_rate_bp", .int, .required)
            .field("net_minor", .int, .required)
            .field("vat_minor", .int, .required)
            .field("gross_minor", .int, .required)
            .field("note", .string)
            .create()

        let sql = try database.requireSQL()
        // A case's rows and work orders (case pages, "Actions", the report); the dashboards' time ranges.
        try await sql.create(index: "article_rows_case").on(ArticleRowRecord.schema).column("case_id").column("id").run()
        try await sql.create(index: "article_rows_created").on(ArticleRowRecord.schema).column("created_unix").run()
        try await sql.create(index: "article_rows_work_order").on(ArticleRowRecord.schema).column("work_order_id").run()
        try await sql.create(index: "work_orders_case").on(WorkOrderRecord.schema).column("case_id").column("id").run()
        try await sql.create(index: "work_orders_created").on(WorkOrderRecord.schema).column("created_unix").run()
        // A customer's specifications, newest first; the reminder round's waiting ones.
        try await sql.create(index: "invoice_specifications_customer").on(InvoiceSpecificationRecord.schema)
            .column("customer_id").column("created_unix").run()
        try await sql.create(index: "invoice_specifications_state").on(InvoiceSpecificationRecord.schema)
            .column("state").column("created_unix").run()
        try await sql.create(index: "specification_rows_spec").on(SpecificationRowRecord.schema)
            .column("specification_id").column("position").run()
        try await sql.insert(into: "counters").columns("id", "value").values(Self.specificationCounter, 0).run()

        try await Self.freezeApprovedSpecifications(sql)
        if sql.dialect.name == "sqlite" {
            for operation in ["INSERT", "UPDATE", "DELETE"] {
                try await sql.raw("""
                    CREATE TRIGGER article_rows_stamp_\(unsafeRaw: operation.lowercased())
                    AFTER \(unsafeRaw: operation) ON article_rows
                    BEGIN UPDATE change_stamp SET n = n + 1 WHERE id = 1; END
                    """).run()
            }
        } else {
            try await sql.raw("""
                CREATE CONSTRAINT TRIGGER article_rows_stamp AFTER INSERT OR UPDATE OR DELETE
                ON article_rows DEFERRABLE INITIALLY DEFERRED
                FOR EACH ROW EXECUTE FUNCTION caseport_raise_change_stamp()
                """).run()
        }
    }

    /// B10: an approved specification is final. The operations refuse a change and say why; these
    /// triggers make the database refuse one too, whatever path writes.
    static func freezeApprovedSpecifications(_ sql: any SQLDatabase) async throws {
        let refusal = "an approved invoice specification cannot change"
        if sql.dialect.name == "sqlite" {
            for operation in ["UPDATE", "DELETE"] {
                try await sql.raw("""
                    CREATE TRIGGER invoice_specifications_final_\(unsafeRaw: operation.lowercased())
                    BEFORE \(unsafeRaw: operation) ON invoice_specifications WHEN OLD.state = 'approved'
                    BEGIN SELECT RAISE(ABORT, '\(unsafeRaw: refusal)'); END
                    """).run()
            }
            for (operation, row) in [("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD")] {
                try await sql.raw("""
                    CREATE TRIGGER specification_rows_final_\(unsafeRaw: operation.lowercased())
                    BEFORE \(unsafeRaw: operation) ON specification_rows
                    WHEN (SELECT state FROM invoice_specifications WHERE id = \(unsafeRaw: row).specification_id) = 'approved'
                    BEGIN SELECT RAISE(ABORT, '\(unsafeRaw: refusal)'); END
                    """).run()
            }
        } else {
            try await sql.raw("""
                CREATE FUNCTION caseport_specification_final() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF OLD.state = 'approved' THEN RAISE EXCEPTION '\(unsafeRaw: refusal)'; END IF;
                    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
                    RETURN NEW;
                END $$
                """).run()
            try await sql.raw("""
                CREATE TRIGGER invoice_specifications_final BEFORE UPDATE OR DELETE ON invoice_specifications
                FOR EACH ROW EXECUTE FUNCTION caseport_specification_final()
                """).run()
            try await sql.raw("""
                CREATE FUNCTION caseport_specification_row_final() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE spec_id BIGINT;
                BEGIN
                    IF TG_OP = 'INSERT' THEN spec_id := NEW.specification_id; ELSE spec_id := OLD.specification_id; END IF;
                    IF (SELECT state FROM invoice_specifications WHERE id = spec_id) = 'approved' THEN
                        RAISE EXCEPTION '\(unsafeRaw: refusal)';
                    END IF;
                    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
                    RETURN NEW;
                END $$
                """).run()
            try await sql.raw("""
                CREATE TRIGGER specification_rows_final BEFORE INSERT OR UPDATE OR DELETE ON specification_rows
                FOR EACH ROW EXECUTE FUNCTION caseport_specification_row_final()
                """).run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = try database.requireSQL()
        try await sql.delete(from: "counters").where("id", .equal, Self.specificationCounter).run()
        // Dropping a table drops its triggers; the approved-specification guard would refuse a row delete.
        for table in ["specification_rows", "article_rows", "invoice_specifications", "work_orders", "action_codes", "articles"] {
            try await sql.raw("DROP TABLE IF EXISTS \(unsafeRaw: table)").run()
        }
        if sql.dialect.name != "sqlite" {
            try await sql.raw("DROP FUNCTION IF EXISTS caseport_specification_final()").run()
            try await sql.raw("DROP FUNCTION IF EXISTS caseport_specification_row_final()").run()
        }
    }
}
