import FluentKit
import SQLKit

/// One counter, `change_stamp.n`, that the database itself raises whenever a table a portal page is
/// built from changes (triggers, so no write path can forget it). Servers keep what they read for a
/// page view in memory together with the stamp it was read at, and read the stamp along with the
/// session on every request: an unchanged stamp means the kept values are still true, on any number
/// of servers sharing the database (`ChangeStamp`, `StampedCache`).
///
/// SQLite raises it per row (its writers are serialised anyway). PostgreSQL raises it once per
/// transaction, in a constraint trigger deferred to commit, so the counter row is locked last and
/// only for the moment of commit: concurrent writers queue there briefly but cannot deadlock on it.
struct M014_CreateChangeStamp: AsyncMigration {
    var name: String { "014_create_change_stamp" }

    /// Tables whose rows the cached portal values (signed-in user, case lists, settings and
    /// catalogue) are read from. A table added later that such a value reads must be added here by
    /// a new migration.
    static let watchedTables = [
        "customers", "objects", "contacts", "contact_customers", "contact_objects", "portal_users",
        "settings", "cases", "case_contacts", "case_messages", "case_reads", "files", "categories",
        "priorities", "case_types", "case_type_fields", "case_field_values", "suppliers", "account_people",
    ]

    func prepare(on database: any Database) async throws {
        let sql = try database.requireSQL()
        try await sql.raw("CREATE TABLE change_stamp (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)").run()
        try await sql.raw("INSERT INTO change_stamp (id, n) VALUES (1, 1)").run()
        if sql.dialect.name == "sqlite" {
            for table in Self.watchedTables {
                for operation in ["INSERT", "UPDATE", "DELETE"] {
                    try await sql.raw("""
                        CREATE TRIGGER \(unsafeRaw: table)_stamp_\(unsafeRaw: operation.lowercased())
                        AFTER \(unsafeRaw: operation) ON \(unsafeRaw: table)
                        BEGIN UPDATE change_stamp SET n = n + 1 WHERE id = 1; END
                        """).run()
                }
            }
        } else {
            try await sql.raw("""
                CREATE FUNCTION caseport_raise_change_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF COALESCE(current_setting('caseport.stamp_raised', true), '') <> '1' THEN
                        UPDATE change_stamp SET n = n + 1 WHERE id = 1;
                        PERFORM set_config('caseport.stamp_raised', '1', true);
                    END IF;
                    RETURN NULL;
                END $$
                """).run()
            for table in Self.watchedTables {
                try await sql.raw("""
                    CREATE CONSTRAINT TRIGGER \(unsafeRaw: table)_stamp AFTER INSERT OR UPDATE OR DELETE
                    ON \(unsafeRaw: table) DEFERRABLE INITIALLY DEFERRED
                    FOR EACH ROW EXECUTE FUNCTION caseport_raise_change_stamp()
                    """).run()
            }
        }
    }

    func revert(on database: any Database) async throws {
        let sql = try database.requireSQL()
        if sql.dialect.name == "sqlite" {
            for table in Self.watchedTables {
                for operation in ["insert", "update", "delete"] {
                    try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: table)_stamp_\(unsafeRaw: operation)").run()
                }
            }
        } else {
            for table in Self.watchedTables {
                try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: table)_stamp ON \(unsafeRaw: table)").run()
            }
            try await sql.raw("DROP FUNCTION IF EXISTS caseport_raise_change_stamp()").run()
        }
        try await sql.raw("DROP TABLE change_stamp").run()
    }
}
