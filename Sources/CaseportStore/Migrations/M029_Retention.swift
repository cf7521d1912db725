import FluentKit
import SQLKit

/// E3, personal data: a legal hold per case (staff set it with a reason; the retention run never
/// touches a held case) and, per kind of data, when the retention run last cleared the case (Unix
/// seconds; a case closed again after that is a candidate again). The audit log stays append-only
/// except for one thing: a line's actor name, subject or details may be replaced by `[removed]`
/// (`AuditLog.redacted`), so a person's name can leave the log while the line itself stays.
struct M029_Retention: AsyncMigration {
    var name: String { "029_retention" }

    static let caseColumns: [(String, DatabaseSchema.DataType)] = [
        ("legal_hold_reason", .string), ("legal_hold_by", .string), ("legal_hold_at", .double),
        ("retention_contacts_at", .double), ("retention_texts_at", .double), ("retention_files_at", .double),
        ("retention_chat_at", .double),
    ]

    func prepare(on database: any Database) async throws {
        // One column per ALTER: SQLite adds a single column per statement.
        for (column, type) in Self.caseColumns {
            try await database.schema(CaseRecord.schema).field(.string(column), type).update()
        }
        let sql = try database.requireSQL()
        if sql.dialect.name == "sqlite" {
            try await sql.raw("DROP TRIGGER audit_events_no_update").run()
            try await sql.raw("""
                CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
                WHEN NOT (NEW.id = OLD.id AND NEW.at IS OLD.at AND NEW.actor_kind IS OLD.actor_kind
                  AND NEW.actor_id IS OLD.actor_id AND NEW.action IS OLD.action AND NEW.ip IS OLD.ip
                  AND (NEW.actor_name IS OLD.actor_name OR NEW.actor_name = '[removed]')
                  AND (NEW.subject IS OLD.subject OR NEW.subject = '[removed]')
                  AND (NEW.details IS OLD.details OR NEW.details = '[removed]'))
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
                """).run()
        } else {
            try await sql.raw("""
                CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.at IS NOT DISTINCT FROM OLD.at
                     AND NEW.actor_kind IS NOT DISTINCT FROM OLD.actor_kind AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
                     AND NEW.action IS NOT DISTINCT FROM OLD.action AND NEW.ip IS NOT DISTINCT FROM OLD.ip
                     AND (NEW.actor_name IS NOT DISTINCT FROM OLD.actor_name OR NEW.actor_name = '[removed]')
                     AND (NEW.subject IS NOT DISTINCT FROM OLD.subject OR NEW.subject = '[removed]')
                     AND (NEW.details IS NOT DISTINCT FROM OLD.details OR NEW.details = '[removed]') THEN
                    RETURN NEW;
                  END IF;
                  RAISE EXCEPTION 'the audit log is append-only';
                END $$
                """).run()
        }
        try await sql.create(index: "cases_legal_hold_at").on(CaseRecord.schema).column("legal_hold_at").run()
    }

    func revert(on database: any Database) async throws {
        let sql = try database.requireSQL()
        try await sql.drop(index: "cases_legal_hold_at").run()
        for (column, _) in Self.caseColumns {
            try await database.schema(CaseRecord.schema).deleteField(.string(column)).update()
        }
        if sql.dialect.name == "sqlite" {
            try await sql.raw("DROP TRIGGER audit_events_no_update").run()
            try await sql.raw("""
                CREATE TRIGGER audit_events_no_update BEFORE UPDATE
                ON audit_events BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
                """).run()
        } else {
            try await sql.raw("""
                CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$
                """).run()
        }
    }
}
