import FluentKit
import SQLKit

/// Issue 17, session 26: the number of cases per customer, object and status, kept by the database as cases
/// are written. Every portal page counts the viewer's cases that wait for them (the menu's "needs your
/// action") and a list counts its total; each count walked the index entries of every visible case (a
/// customer's 2 000 and their objects' 2 000: 0.5–0.6 ms on PostgreSQL under the mix, and at people's pace,
/// when no count is still kept from a few seconds before, about a fifth of the portal's throughput on either
/// database). With this table a count without other filters than the state adds a few rows
/// (`VisibleCases.disjointCount`); only the cases the viewer's contact is linked to one by one are still
/// walked.
///
/// `customer_id` and `object_id` are 0 where the case has none, so that the key is never NULL (the rule's
/// branches then read the same on this table as on `cases`: 0 is in no viewer's sets). A row whose `n`
/// fell to 0 stays; it costs nothing.
///
/// Triggers keep it, so no write path can forget it (a new case, a status change, a case moved to another
/// customer or object). On PostgreSQL a statement's new cases are added GROUPed (the benchmark's seed inserts
/// 100 000 at a time), and an update of one case touches its two rows in key order, so two transactions
/// moving cases in opposite directions between the same two states cannot deadlock. On SQLite the triggers are
/// row by row (one writer at a time). A migration that rebuilds `cases` on SQLite must create them again.
struct M052_CaseCounts: AsyncMigration {
    var name: String { "052_case_counts" }

    func prepare(on database: any Database) async throws {
        let sql = try database.requireSQL()
        let postgres = sql.dialect.name == "postgresql"
        let id = postgres ? "BIGINT" : "INTEGER"
        try await sql.raw("""
            CREATE TABLE case_counts (
                customer_id \(unsafeRaw: id) NOT NULL, object_id \(unsafeRaw: id) NOT NULL, status TEXT NOT NULL,
                n INTEGER NOT NULL, PRIMARY KEY (customer_id, object_id, status))
            """).run()
        // The object branches of the rule look the rows up by object.
        try await sql.raw("CREATE INDEX case_counts_object ON case_counts (object_id, customer_id, status)").run()
        if postgres {
            try await Self.createPostgresTriggers(sql)
        } else {
            try await Self.createSQLiteTriggers(sql)
        }
        // Triggers first, then the backfill: on PostgreSQL a case written in between would otherwise be missed
        // (the migration runs in a transaction on both, so no case is written in between on SQLite either).
        try await sql.raw("""
            INSERT INTO case_counts (customer_id, object_id, status, n)
            SELECT COALESCE(customer_id, 0), COALESCE(object_id, 0), status, COUNT(*) FROM cases
            GROUP BY COALESCE(customer_id, 0), COALESCE(object_id, 0), status
            \(unsafeRaw: postgres ? "ON CONFLICT (customer_id, object_id, status) DO UPDATE SET n = case_counts.n + EXCLUDED.n" : "")
            """).run()
    }

    static func createSQLiteTriggers(_ sql: any SQLDatabase) async throws {
        let add = { (row: String) in """
            INSERT INTO case_counts (customer_id, object_id, status, n)
            VALUES (COALESCE(\(row).customer_id, 0), COALESCE(\(row).object_id, 0), \(row).status, 1)
            ON CONFLICT (customer_id, object_id, status) DO UPDATE SET n = n + 1;
            """ }
        let remove = { (row: String) in """
            UPDATE case_counts SET n = n - 1 WHERE customer_id = COALESCE(\(row).customer_id, 0)
                AND object_id = COALESCE(\(row).object_id, 0) AND status = \(row).status;
            """ }
        try await sql.raw("CREATE TRIGGER cases_count_insert AFTER INSERT ON cases BEGIN \(unsafeRaw: add("NEW")) END").run()
        try await sql.raw("CREATE TRIGGER cases_count_delete AFTER DELETE ON cases BEGIN \(unsafeRaw: remove("OLD")) END").run()
        try await sql.raw("""
            CREATE TRIGGER cases_count_update AFTER UPDATE OF customer_id, object_id, status ON cases
            WHEN OLD.customer_id IS NOT NEW.customer_id OR OLD.object_id IS NOT NEW.object_id OR OLD.status IS NOT NEW.status
            BEGIN \(unsafeRaw: remove("OLD")) \(unsafeRaw: add("NEW")) END
            """).run()
    }

    static func createPostgresTriggers(_ sql: any SQLDatabase) async throws {
        try await sql.raw("""
            CREATE OR REPLACE FUNCTION caseport_case_counts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO case_counts (customer_id, object_id, status, n)
                SELECT COALESCE(customer_id, 0), COALESCE(object_id, 0), status, COUNT(*) FROM inserted_cases
                GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
                ON CONFLICT (customer_id, object_id, status) DO UPDATE SET n = case_counts.n + EXCLUDED.n;
                RETURN NULL;
            END $$
            """).run()
        try await sql.raw("""
            CREATE OR REPLACE FUNCTION caseport_case_counts_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE case_counts k SET n = k.n - d.n
                FROM (SELECT COALESCE(customer_id, 0) AS customer_id, COALESCE(object_id, 0) AS object_id, status,
                             COUNT(*) AS n FROM deleted_cases GROUP BY 1, 2, 3) d
                WHERE k.customer_id = d.customer_id AND k.object_id = d.object_id AND k.status = d.status;
                RETURN NULL;
            END $$
            """).run()
        // One case's old and new rows, in key order (see above).
        try await sql.raw("""
            CREATE OR REPLACE FUNCTION caseport_case_counts_moved() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                old_customer bigint := COALESCE(OLD.customer_id, 0);
                old_object bigint := COALESCE(OLD.object_id, 0);
                new_customer bigint := COALESCE(NEW.customer_id, 0);
                new_object bigint := COALESCE(NEW.object_id, 0);
                old_first boolean := (old_customer, old_object, OLD.status) < (new_customer, new_object, NEW.status);
            BEGIN
                IF (old_customer, old_object, OLD.status) = (new_customer, new_object, NEW.status) THEN
                    RETURN NULL;
                END IF;
                IF old_first THEN
                    UPDATE case_counts SET n = n - 1
                    WHERE customer_id = old_customer AND object_id = old_object AND status = OLD.status;
                END IF;
                INSERT INTO case_counts (customer_id, object_id, status, n) VALUES (new_customer, new_object, NEW.status, 1)
                ON CONFLICT (customer_id, object_id, status) DO UPDATE SET n = case_counts.n + 1;
                IF NOT old_first THEN
                    UPDATE case_counts SET n = n - 1
                    WHERE customer_id = old_customer AND object_id = old_object AND status = OLD.status;
                END IF;
                RETURN NULL;
            END $$
            """).run()
        try await sql.raw("""
            CREATE TRIGGER cases_count_insert AFTER INSERT ON cases REFERENCING NEW TABLE AS inserted_cases
            FOR EACH STATEMENT EXECUTE FUNCTION caseport_case_counts_inserted()
            """).run()
        try await sql.raw("""
            CREATE TRIGGER cases_count_delete AFTER DELETE ON cases REFERENCING OLD TABLE AS deleted_cases
            FOR EACH STATEMENT EXECUTE FUNCTION caseport_case_counts_deleted()
            """).run()
        try await sql.raw("""
            CREATE TRIGGER cases_count_update AFTER UPDATE OF customer_id, object_id, status ON cases FOR EACH ROW
            WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id OR OLD.object_id IS DISTINCT FROM NEW.object_id
                  OR OLD.status IS DISTINCT FROM NEW.status)
            EXECUTE FUNCTION caseport_case_counts_moved()
            """).run()
    }

    func revert(on database: any Database) async throws {
        let sql = try database.requireSQL()
        if sql.dialect.name == "postgresql" {
            for trigger in ["insert", "delete", "update"] {
                try await sql.raw("DROP TRIGGER IF EXISTS cases_count_\(unsafeRaw: trigger) ON cases").run()
            }
            for function in ["inserted", "deleted", "moved"] {
                try await sql.raw("DROP FUNCTION IF EXISTS caseport_case_counts_\(unsafeRaw: function)()").run()
            }
        } else {
            for trigger in ["insert", "delete", "update"] {
                try await sql.raw("DROP TRIGGER IF EXISTS cases_count_\(unsafeRaw: trigger)").run()
            }
        }
        try await sql.raw("DROP TABLE IF EXISTS case_counts").run()
    }
}
