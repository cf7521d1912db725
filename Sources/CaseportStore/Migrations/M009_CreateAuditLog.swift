import FluentKit
import SQLKit

/// The audit log (E5), append-only: a trigger on each database refuses UPDATE and DELETE.
struct M009_CreateAuditLog: AsyncMigration {
    var name: String { "009_create_audit_log" }

    func prepare(on database: any Database) async throws {
        try await database.schema(AuditEventRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("at", .datetime, .required)
            .field("actor_kind", .string, .required)
            .field("actor_id", .int)
            .field("actor_name", .string, .required)
            .field("action", .string, .required)
            .field("subject", .string)
            .field("details", .string)
            .field("ip", .string)
            .create()
        let sql = try database.requireSQL()
        try await sql.create(index: "audit_events_at").on(AuditEventRecord.schema).column("at").column("id").run()
        try await sql.create(index: "audit_events_action").on(AuditEventRecord.schema)
            .column("action").column("at").run()
        if sql.dialect.name == "sqlite" {
            for operation in ["UPDATE", "DELETE"] {
                try await sql.raw("""
                    CREATE TRIGGER audit_events_no_\(unsafeRaw: operation.lowercased()) BEFORE \(unsafeRaw: operation)
                    ON audit_events BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
                    """).run()
            }
        } else {
            try await sql.raw("""
                CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$
                """).run()
            try await sql.raw("""
                CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
                FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()
                """).run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = try database.requireSQL()
        try await database.schema(AuditEventRecord.schema).delete()
        if sql.dialect.name != "sqlite" {
            try await sql.raw("DROP FUNCTION IF EXISTS audit_events_append_only()").run()
        }
    }
}
