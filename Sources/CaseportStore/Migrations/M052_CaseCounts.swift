import FluentKit
import SQLKit

/// Issue 17, session 26: the number of cases per customer, object and status (`case_counts`), and per contact
/// of the cases linked to them (`case_contact_counts`), kept by the database as cases and links are written.
/// Every portal page counts the viewer's cases that wait for them (the menu's "needs your action") and a list
/// counts its total; each count walked the index entries of every visible case (a customer's 2 000, their
/// objects' 2 000, and the cases their contact is linked to one by one: 319 in the benchmark for a user who
/// reported many, 1.0 ms of a count's 1.1 once the rest was kept). At people's pace, when no count is still kept
/// from a few seconds before, the counts cost about a fifth of the portal's throughput on either database. With
/// these tables a count narrowed by nothing but the state adds a few rows (`VisibleCases.disjointCount`).
///
/// `customer_id` and `object_id` are 0 where the case has none, so that the key is never NULL: the rule's
/// branches then read the same on these tables as on `cases` (0 is in no viewer's sets). A row whose `n` fell
/// to 0 stays; it costs nothing.
///
/// Triggers keep them, so no write path can forget them (a new case, a status change, a case moved to another
/// customer or object, a contact linked or unlinked). Before a case is deleted its links are deleted, so that
/// each link's trigger still finds the case it counted (the cascade would otherwise run after the case was
/// gone). On PostgreSQL a statement's new cases are added grouped (the benchmark's seed inserts 100 000 at a
/// time), and an update of a case touches its old and new rows in key order, its contacts' rows contact by
/// contact in ascending order, so two transactions moving cases in opposite directions cannot deadlock. On
/// SQLite the triggers are row by row (one writer at a time). A migration that rebuilds `cases` or
/// `case_contacts` on SQLite must create them again.
struct M052_CaseCounts: AsyncMigration {
    var name: String { "052_case_counts" }

    func prepare(on database: any Database) async throws {
        // One transaction (the migrator runs a migration's statements one by one): creating the triggers locks
        // `cases` and `case_contacts` against writes until the counts are filled, so a case written by another
        // server during an upgrade is counted once, by the backfill or by a trigger, never by both or neither.
        try await database.transaction { tx in try await Self.create(on: tx) }
    }

    static func create(on database: any Database) async throws {
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
        try await sql.raw("""
            CREATE TABLE case_contact_counts (
                contact_id \(unsafeRaw: id) NOT NULL, customer_id \(unsafeRaw: id) NOT NULL, object_id \(unsafeRaw: id) NOT NULL,
                status TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (contact_id, customer_id, object_id, status))
            """).run()
        if postgres {
            try await Self.createPostgresTriggers(sql)
        } else {
            try await Self.createSQLiteTriggers(sql)
        }
        let upsert = postgres ? "ON CONFLICT (customer_id, object_id, status) DO UPDATE SET n = case_counts.n + EXCLUDED.n" : ""
        try await sql.raw("""
            INSERT INTO case_counts (customer_id, object_id, status, n)
            SELECT COALESCE(customer_id, 0), COALESCE(object_id, 0), status, COUNT(*) FROM cases
            GROUP BY COALESCE(customer_id, 0), COALESCE(object_id, 0), status
            \(unsafeRaw: upsert)
            """).run()
        let contactUpsert = postgres
            ? "ON CONFLICT (contact_id, customer_id, object_id, status) DO UPDATE SET n = case_contact_counts.n + EXCLUDED.n" : ""
        try await sql.raw("""
            INSERT INTO case_contact_counts (contact_id, customer_id, object_id, status, n)
            SELECT cc.contact_id, COALESCE(c.customer_id, 0), COALESCE(c.object_id, 0), c.status, COUNT(*)
            FROM case_contacts cc JOIN cases c ON c.id = cc.case_id
            GROUP BY cc.contact_id, COALESCE(c.customer_id, 0), COALESCE(c.object_id, 0), c.status
            \(unsafeRaw: contactUpsert)
            """).run()
    }

    /// The key of a case's row (`OLD` or `NEW`): customer, object (0 for none) and status.
    static func key(_ row: String) -> String {
        "COALESCE(\(row).customer_id, 0), COALESCE(\(row).object_id, 0), \(row).status"
    }

    static func createSQLiteTriggers(_ sql: any SQLDatabase) async throws {
        let add = { (row: String) in """
            INSERT INTO case_counts (customer_id, object_id, status, n) VALUES (\(key(row)), 1)
            ON CONFLICT (customer_id, object_id, status) DO UPDATE SET n = n + 1;
            """ }
        let remove = { (row: String) in """
            UPDATE case_counts SET n = n - 1 WHERE (customer_id, object_id, status) = (\(key(row)));
            """ }
        // A link counts its case's key; a link whose case is gone counts nothing (the subquery finds no row).
        let addLink = { (link: String) in """
            INSERT INTO case_contact_counts (contact_id, customer_id, object_id, status, n)
            SELECT \(link).contact_id, \(key("c")), 1 FROM cases c WHERE c.id = \(link).case_id
            ON CONFLICT (contact_id, customer_id, object_id, status) DO UPDATE SET n = n + 1;
            """ }
        let removeLink = { (link: String) in """
            UPDATE case_contact_counts SET n = n - 1 WHERE contact_id = \(link).contact_id
                AND (customer_id, object_id, status) = (SELECT \(key("c")) FROM cases c WHERE c.id = \(link).case_id);
            """ }
        try await sql.raw("CREATE TRIGGER cases_count_insert AFTER INSERT ON cases BEGIN \(unsafeRaw: add("NEW")) END").run()
        try await sql.raw("""
            CREATE TRIGGER cases_count_delete BEFORE DELETE ON cases
            BEGIN DELETE FROM case_contacts WHERE case_id = OLD.id; \(unsafeRaw: remove("OLD")) END
            """).run()
        try await sql.raw("""
            CREATE TRIGGER cases_count_update AFTER UPDATE OF customer_id, object_id, status ON cases
            WHEN OLD.customer_id IS NOT NEW.customer_id OR OLD.object_id IS NOT NEW.object_id OR OLD.status IS NOT NEW.status
            BEGIN
                \(unsafeRaw: remove("OLD")) \(unsafeRaw: add("NEW"))
                UPDATE case_contact_counts SET n = n - 1
                WHERE contact_id IN (SELECT contact_id FROM case_contacts WHERE case_id = OLD.id)
                  AND (customer_id, object_id, status) = (\(unsafeRaw: key("OLD")));
                INSERT INTO case_contact_counts (contact_id, customer_id, object_id, status, n)
                SELECT contact_id, \(unsafeRaw: key("NEW")), 1 FROM case_contacts WHERE case_id = NEW.id
                ON CONFLICT (contact_id, customer_id, object_id, status) DO UPDATE SET n = n + 1;
            END
            """).run()
        try await sql.raw("CREATE TRIGGER case_contacts_count_insert AFTER INSERT ON case_contacts BEGIN \(unsafeRaw: addLink("NEW")) END").run()
        try await sql.raw("CREATE TRIGGER case_contacts_count_delete AFTER DELETE ON case_contacts BEGIN \(unsafeRaw: removeLink("OLD")) END").run()
        try await sql.raw("""
            CREATE TRIGGER case_contacts_count_update AFTER UPDATE OF case_id, contact_id ON case_contacts
            WHEN OLD.case_id IS NOT NEW.case_id OR OLD.contact_id IS NOT NEW.contact_id
            BEGIN \(unsafeRaw: removeLink("OLD")) \(unsafeRaw: addLink("NEW")) END
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
        // Row by row, before the case goes: its links first (each link's trigger counts it out of its contact's
        // rows while the case is still there), then its own row.
        try await sql.raw("""
            CREATE OR REPLACE FUNCTION caseport_case_counts_deleting() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                DELETE FROM case_contacts WHERE case_id = OLD.id;
                UPDATE case_counts SET n = n - 1
                WHERE customer_id = COALESCE(OLD.customer_id, 0) AND object_id = COALESCE(OLD.object_id, 0) AND status = OLD.status;
                RETURN OLD;
            END $$
            """).run()
        // One case's old and new rows, in key order (see above), then its contacts' likewise.
        try await sql.raw("""
            CREATE OR REPLACE FUNCTION caseport_case_counts_moved() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                old_customer bigint := COALESCE(OLD.customer_id, 0);
                old_object bigint := COALESCE(OLD.object_id, 0);
                new_customer bigint := COALESCE(NEW.customer_id, 0);
                new_object bigint := COALESCE(NEW.object_id, 0);
                old_first boolean := (old_customer, old_object, OLD.status) < (new_customer, new_object, NEW.status);
                link record;
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
                FOR link IN SELECT contact_id FROM case_contacts WHERE case_id = NEW.id ORDER BY contact_id LOOP
                    IF old_first THEN
                        UPDATE case_contact_counts SET n = n - 1 WHERE contact_id = link.contact_id
                            AND customer_id = old_customer AND object_id = old_object AND status = OLD.status;
                    END IF;
                    INSERT INTO case_contact_counts (contact_id, customer_id, object_id, status, n)
                    VALUES (link.contact_id, new_customer, new_object, NEW.status, 1)
                    ON CONFLICT (contact_id, customer_id, object_id, status) DO UPDATE SET n = case_contact_counts.n + 1;
                    IF NOT old_first THEN
                        UPDATE case_contact_counts SET n = n - 1 WHERE contact_id = link.contact_id
                            AND customer_id = old_customer AND object_id = old_object AND status = OLD.status;
                    END IF;
                END LOOP;
                RETURN NULL;
            END $$
            """).run()
        // A link counts its case's key; a link whose case is gone counts nothing.
        try await sql.raw("""
            CREATE OR REPLACE FUNCTION caseport_case_contact_counts_linked() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP IN ('UPDATE', 'DELETE') THEN
                    UPDATE case_contact_counts k SET n = k.n - 1 FROM cases c
                    WHERE c.id = OLD.case_id AND k.contact_id = OLD.contact_id
                      AND k.customer_id = COALESCE(c.customer_id, 0) AND k.object_id = COALESCE(c.object_id, 0) AND k.status = c.status;
                END IF;
                IF TG_OP IN ('UPDATE', 'INSERT') THEN
                    INSERT INTO case_contact_counts (contact_id, customer_id, object_id, status, n)
                    SELECT NEW.contact_id, COALESCE(c.customer_id, 0), COALESCE(c.object_id, 0), c.status, 1 FROM cases c
                    WHERE c.id = NEW.case_id
                    ON CONFLICT (contact_id, customer_id, object_id, status) DO UPDATE SET n = case_contact_counts.n + 1;
                END IF;
                RETURN NULL;
            END $$
            """).run()
        try await sql.raw("""
            CREATE TRIGGER cases_count_insert AFTER INSERT ON cases REFERENCING NEW TABLE AS inserted_cases
            FOR EACH STATEMENT EXECUTE FUNCTION caseport_case_counts_inserted()
            """).run()
        try await sql.raw("""
            CREATE TRIGGER cases_count_delete BEFORE DELETE ON cases FOR EACH ROW EXECUTE FUNCTION caseport_case_counts_deleting()
            """).run()
        try await sql.raw("""
            CREATE TRIGGER cases_count_update AFTER UPDATE OF customer_id, object_id, status ON cases FOR EACH ROW
            WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id OR OLD.object_id IS DISTINCT FROM NEW.object_id
                  OR OLD.status IS DISTINCT FROM NEW.status)
            EXECUTE FUNCTION caseport_case_counts_moved()
            """).run()
        try await sql.raw("""
            CREATE TRIGGER case_contacts_count AFTER INSERT OR DELETE OR UPDATE OF case_id, contact_id ON case_contacts
            FOR EACH ROW EXECUTE FUNCTION caseport_case_contact_counts_linked()
            """).run()
    }

    func revert(on database: any Database) async throws {
        let sql = try database.requireSQL()
        if sql.dialect.name == "postgresql" {
            for trigger in ["insert", "delete", "update"] {
                try await sql.raw("DROP TRIGGER IF EXISTS cases_count_\(unsafeRaw: trigger) ON cases").run()
            }
            try await sql.raw("DROP TRIGGER IF EXISTS case_contacts_count ON case_contacts").run()
            for function in ["case_counts_inserted", "case_counts_deleting", "case_counts_moved", "case_contact_counts_linked"] {
                try await sql.raw("DROP FUNCTION IF EXISTS caseport_\(unsafeRaw: function)()").run()
            }
        } else {
            for trigger in ["cases_count_insert", "cases_count_delete", "cases_count_update",
                            "case_contacts_count_insert", "case_contacts_count_delete", "case_contacts_count_update"] {
                try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: trigger)").run()
            }
        }
        try await sql.raw("DROP TABLE IF EXISTS case_counts").run()
        try await sql.raw("DROP TABLE IF EXISTS case_contact_counts").run()
    }
}
