import FluentKit
import SQLKit

/// Issue 17: the change stamp (M014) no longer moves when a case changes. Until now every write to a
/// case, a message, a read marker, a file or a money row raised the one counter, which emptied every
/// user's kept values on every server and, on PostgreSQL, made every writing transaction queue on the
/// counter's row at commit. What is kept per stamp now (`StampedCache`: the signed-in user with their
/// access links, the settings, the filter choices and the catalogue names) is read only from master
/// data and configuration, so the stamp watches only those tables; the case list is no longer kept
/// at all (it did not pay in real use, see docs/PERFORMANCE.md).
///
/// It also adds `cases (customer_id, status)` and `cases (object_id, status)`: every portal page view
/// counts the viewer's cases that wait for them (the menu's "needs your action"), and with only the
/// `(customer_id, created_at/last_activity_at)` indexes that count read the row of each of the
/// viewer's cases for its status (2 000 rows for a customer with 2 000 cases: most of a list page's
/// time on SQLite, measured with `perf`). With these it is answered from the indexes.
///
/// `portal_users.last_login_at` is written at every sign-in and is not part of anything kept, so an
/// update that touches only it does not raise the stamp (the trigger lists the other columns; a
/// migration that adds a column a kept value reads must recreate it, as this one does).
struct M039_ScopedChangeStamp: AsyncMigration {
    var name: String { "039_scoped_change_stamp" }

    /// Tables whose changes no longer raise the stamp: the cases and what hangs off them.
    static let unwatchedTables = ["cases", "case_contacts", "case_messages", "case_reads", "files", "case_field_values", "article_rows"]

    static func portalUserColumns(on sql: any SQLDatabase) async throws -> [String] {
        let names: [String]
        if sql.dialect.name == "sqlite" {
            names = try await sql.raw("SELECT name FROM pragma_table_info('portal_users')").all()
                .map { try $0.decode(column: "name", as: String.self) }
        } else {
            names = try await sql.raw("""
                SELECT column_name AS name FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = 'portal_users' ORDER BY ordinal_position
                """).all().map { try $0.decode(column: "name", as: String.self) }
        }
        return names.filter { $0 != "last_login_at" }
    }

    func prepare(on database: any Database) async throws {
        let sql = try database.requireSQL()
        let columns = try await Self.portalUserColumns(on: sql).map { "\"\($0)\"" }.joined(separator: ", ")
        try await sql.raw("CREATE INDEX IF NOT EXISTS cases_customer_status ON cases (customer_id, status)").run()
        try await sql.raw("CREATE INDEX IF NOT EXISTS cases_object_status ON cases (object_id, status)").run()
        if sql.dialect.name == "sqlite" {
            for table in Self.unwatchedTables {
                for operation in ["insert", "update", "delete"] {
                    try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: table)_stamp_\(unsafeRaw: operation)").run()
                }
            }
            try await sql.raw("DROP TRIGGER IF EXISTS portal_users_stamp_update").run()
            try await sql.raw("""
                CREATE TRIGGER portal_users_stamp_update AFTER UPDATE OF \(unsafeRaw: columns) ON portal_users
                BEGIN UPDATE change_stamp SET n = n + 1 WHERE id = 1; END
                """).run()
        } else {
            for table in Self.unwatchedTables {
                try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: table)_stamp ON \(unsafeRaw: table)").run()
            }
            try await sql.raw("DROP TRIGGER IF EXISTS portal_users_stamp ON portal_users").run()
            try await sql.raw("""
                CREATE CONSTRAINT TRIGGER portal_users_stamp AFTER INSERT OR DELETE OR UPDATE OF \(unsafeRaw: columns)
                ON portal_users DEFERRABLE INITIALLY DEFERRED
                FOR EACH ROW EXECUTE FUNCTION caseport_raise_change_stamp()
                """).run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = try database.requireSQL()
        try await sql.raw("DROP INDEX IF EXISTS cases_customer_status").run()
        try await sql.raw("DROP INDEX IF EXISTS cases_object_status").run()
        if sql.dialect.name == "sqlite" {
            try await sql.raw("DROP TRIGGER IF EXISTS portal_users_stamp_update").run()
            for table in Self.unwatchedTables + ["portal_users"] {
                for operation in ["INSERT", "UPDATE", "DELETE"] where table != "portal_users" || operation == "UPDATE" {
                    try await sql.raw("""
                        CREATE TRIGGER \(unsafeRaw: table)_stamp_\(unsafeRaw: operation.lowercased())
                        AFTER \(unsafeRaw: operation) ON \(unsafeRaw: table)
                        BEGIN UPDATE change_stamp SET n = n + 1 WHERE id = 1; END
                        """).run()
                }
            }
        } else {
            try await sql.raw("DROP TRIGGER IF EXISTS portal_users_stamp ON portal_users").run()
            for table in Self.unwatchedTables + ["portal_users"] {
                try await sql.raw("""
                    CREATE CONSTRAINT TRIGGER \(unsafeRaw: table)_stamp AFTER INSERT OR UPDATE OR DELETE
                    ON \(unsafeRaw: table) DEFERRABLE INITIALLY DEFERRED
                    FOR EACH ROW EXECUTE FUNCTION caseport_raise_change_stamp()
                    """).run()
            }
        }
    }
}
