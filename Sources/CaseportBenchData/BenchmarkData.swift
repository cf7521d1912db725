import CaseportCore
import CaseportStore
import FluentKit
import Foundation
import SQLKit

/// Seeds a large, realistic data set for `caseport-bench cases`, generated inside the database with set-based
/// SQL (a recursive CTE on SQLite, generate_series on PostgreSQL) so a million cases load in a minute or two.
///
/// Shape: `customers` customers with four objects each and one contact linked to the customer;
/// `cases` cases spread evenly over the customers and their objects, one every 30 seconds back in time;
/// a public message on every second case; the full-text index for all of them.
public enum BenchmarkData {
    public struct Shape: Sendable {
        public var customers: Int
        public var cases: Int
        public init(customers: Int, cases: Int) {
            self.customers = customers
            self.cases = cases
        }
    }

    static let words = ["läckage", "kran", "element", "hiss", "ventilation", "fönster", "dörr", "lås", "tak", "fasad",
                        "värme", "belysning", "trapphus", "tvättstuga", "källare", "balkong", "garage", "avlopp",
                        "brandlarm", "entré", "soprum", "cykelrum", "lekplats", "gräsmatta", "snöröjning", "ström",
                        "säkring", "fukt", "mögel", "klotter", "porttelefon", "nyckel", "parkering", "vatten",
                        "radiator", "kyla", "golv", "vägg", "målning", "städning", "skadedjur", "ljud", "glas",
                        "ränna", "stuprör", "grind", "staket", "förråd", "bastu", "tvättmaskin"]

    public static func seed(_ shape: Shape, passwordHash: String, on database: any Database,
                            progress: @Sendable (String) -> Void) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        let postgres = sql.dialect.name == "postgresql"
        let now = Date().timeIntervalSince1970
        let series = postgres
            ? { (n: Int) -> String in "generate_series(1, \(n)) AS s(n)" }
            : { (n: Int) -> String in "seq" }
        func withSeries(_ n: Int, _ body: String) -> SQLQueryString {
            postgres ? SQLQueryString(body.replacingOccurrences(of: "FROM_SERIES", with: "FROM \(series(n))"))
                : SQLQueryString("WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < \(n)) "
                                 + body.replacingOccurrences(of: "FROM_SERIES", with: "FROM seq"))
        }
        func time(_ seconds: String) -> String { postgres ? "to_timestamp(\(seconds))" : "(\(seconds))" }

        progress("customers, objects, contacts")
        try await sql.raw(withSeries(shape.customers, """
            INSERT INTO customers (id, name, name_key, short_code, short_code_key, customer_number, single_user, created_at)
            SELECT n, 'Bench kund ' || n, 'bench kund ' || n, 'bench' || n, 'bench' || n, CAST(100000 + n AS TEXT), \(postgres ? "false" : "0"), \(time("\(now)"))
            FROM_SERIES
            """)).run()
        try await sql.raw(withSeries(shape.customers * 4, """
            INSERT INTO objects (id, customer_id, name, address, created_at)
            SELECT n, ((n - 1) / 4) + 1, 'Objekt ' || n, 'Benchgatan ' || n, \(time("\(now)"))
            FROM_SERIES
            """)).run()
        try await sql.raw(withSeries(shape.customers, """
            INSERT INTO contacts (id, first_name, last_name, email, created_at)
            SELECT n, 'Kontakt', 'Nr ' || n, 'kontakt' || n || '@bench.example', \(time("\(now)"))
            FROM_SERIES
            """)).run()
        try await sql.raw(withSeries(shape.customers, """
            INSERT INTO contact_customers (contact_id, customer_id) SELECT n, n FROM_SERIES
            """)).run()
        try await sql.raw("""
            INSERT INTO portal_users (organisation_id, username, username_key, login_kind, contact_id, first_name, last_name,
                                      password_hash, is_admin, is_shared, is_active, created_at)
            VALUES (1, 'bench', 'bench', 'contact', 1, 'Bench', 'User', \(bind: passwordHash), \(true), \(false), \(true), \(unsafeRaw: time("\(now)")))
            """).run()

        // A small catalogue and four handlers, so back-office filters have realistic selectivity.
        for n in 1...10 {
            try await sql.raw("INSERT INTO categories (id, name, sort_order, is_active) VALUES (\(bind: n), \(bind: "Kategori \(n)"), \(bind: n), \(true))").run()
        }
        for n in 1...4 {
            try await sql.raw("INSERT INTO priorities (id, name, rank) VALUES (\(bind: n), \(bind: "Prioritet \(n)"), \(bind: n))").run()
            try await sql.raw("INSERT INTO case_types (id, name, description, is_billable, is_active, sort_order) VALUES (\(bind: n), \(bind: "Typ \(n)"), '', \(false), \(true), \(bind: n))").run()
            try await sql.raw("""
                INSERT INTO staff_users (id, email, email_key, name, role, password_hash, is_active)
                VALUES (\(bind: n), \(bind: "handler\(n)@bench.example"), \(bind: "handler\(n)@bench.example"), \(bind: "Handläggare \(n)"), 'handler', \(bind: passwordHash), \(true))
                """).run()
        }
        try await sql.raw("CREATE TABLE bench_words (id INTEGER PRIMARY KEY, word TEXT NOT NULL)").run()
        for (index, word) in words.enumerated() {
            try await sql.raw("INSERT INTO bench_words (id, word) VALUES (\(bind: index), \(bind: word))").run()
        }

        // Cases in batches, so progress shows and no single statement holds too much.
        let batch = 100_000
        var start = 0
        while start < shape.cases {
            let count = min(batch, shape.cases - start)
            progress("cases \(start + 1)–\(start + count) of \(shape.cases)")
            let statuses = "CASE (n % 6) WHEN 0 THEN 'closed' WHEN 1 THEN 'closed' WHEN 2 THEN 'open' WHEN 3 THEN 'new' WHEN 4 THEN 'resolved' ELSE 'waiting_for_customer' END"
            let k = "(n + \(start))"
            try await sql.raw(withSeries(count, """
                INSERT INTO cases (number, subject, description, status, customer_id, object_id, created_by_name, origin,
                                   created_at, updated_at, last_activity_at, category_id, case_type_id, priority_id, handler_id,
                                   has_unread_activity)
                SELECT \(CaseNumbers.firstNumber - 1) + \(k),
                       w1.word || ' ' || w2.word,
                       'Ärende ' || \(k) || ': ' || w1.word || ' i ' || w3.word || ', behöver åtgärdas. Kontakta styrelsen vid frågor.',
                       \(statuses.replacingOccurrences(of: "(n %", with: "(\(k) %")),
                       ((\(k) - 1) % \(shape.customers)) + 1,
                       CASE WHEN \(k) % 10 = 0 THEN NULL ELSE (((\(k) - 1) % \(shape.customers)) * 4) + 1 + ((\(k) / \(shape.customers)) % 4) END,
                       'Bench', CASE WHEN \(k) % 3 = 0 THEN 'back_office' ELSE 'portal' END,
                       \(time("\(now) - (\(shape.cases) - \(k)) * 30")), \(time("\(now) - (\(shape.cases) - \(k)) * 30")),
                       \(time("\(now) - (\(shape.cases) - \(k)) * 30")),
                       (\(k) % 10) + 1, (\(k) % 4) + 1, ((\(k) / 3) % 4) + 1,
                       CASE WHEN \(k) % 5 = 0 THEN NULL ELSE ((\(k) / 7) % 4) + 1 END,
                       CASE WHEN \(k) % 97 = 0 THEN \(postgres ? "true" : "1") ELSE \(postgres ? "false" : "0") END
                FROM_SERIES
                JOIN bench_words w1 ON w1.id = \(k) % 50
                JOIN bench_words w2 ON w2.id = (\(k) / 50) % 50
                JOIN bench_words w3 ON w3.id = (\(k) / 7) % 50
                """)).run()
            start += count
        }
        try await CaseNumbers.resume(after: CaseNumbers.firstNumber - 1 + shape.cases, on: database)

        progress("messages on every second case")
        try await sql.raw("""
            INSERT INTO case_messages (case_id, author_kind, author_name, body, is_internal, created_at)
            SELECT id, 'staff', 'Bench', 'Tack för ert ärende, vi skickar en tekniker inom två arbetsdagar.', \(false), created_at
            FROM cases WHERE id % 2 = 0
            """).run()

        progress("full-text index")
        if postgres {
            try await sql.raw("""
                INSERT INTO case_search (case_id, document)
                SELECT c.id, to_tsvector('simple', lower(c.number || ' ' || c.subject || ' ' || c.description || ' ' || COALESCE(m.body, ''))
                       || ' zzc' || COALESCE(c.customer_id, 0) || COALESCE(' zzo' || c.object_id, '') || COALESCE(' zzw' || o.customer_id, ''))
                FROM cases c LEFT JOIN case_messages m ON m.case_id = c.id LEFT JOIN objects o ON o.id = c.object_id
                """).run()
            try await sql.raw("""
                INSERT INTO search_words (word)
                SELECT word FROM ts_stat('SELECT document FROM case_search') WHERE word !~ '^zz[cowk][0-9]+$'
                ON CONFLICT DO NOTHING
                """).run()
            try await sql.raw("SELECT setval(pg_get_serial_sequence('customers', 'id'), \(unsafeRaw: String(shape.customers)))").run()
            try await sql.raw("SELECT setval(pg_get_serial_sequence('objects', 'id'), \(unsafeRaw: String(shape.customers * 4)))").run()
            try await sql.raw("SELECT setval(pg_get_serial_sequence('contacts', 'id'), \(unsafeRaw: String(shape.customers)))").run()
            for table in ["categories", "priorities", "case_types", "staff_users"] {
                try await sql.raw("SELECT setval(pg_get_serial_sequence(\(bind: table), 'id'), (SELECT MAX(id) FROM \(unsafeRaw: table)))").run()
            }
            // Index-only scans need the visibility map that VACUUM writes (autovacuum does it in service).
            try await sql.raw("VACUUM ANALYZE").run()
        } else {
            try await sql.raw("""
                INSERT INTO case_search (rowid, body)
                SELECT c.id, lower(c.number || ' ' || c.subject || ' ' || c.description || ' ' || COALESCE(m.body, ''))
                       || ' zzc' || COALESCE(c.customer_id, 0) || COALESCE(' zzo' || c.object_id, '') || COALESCE(' zzw' || o.customer_id, '')
                FROM cases c LEFT JOIN case_messages m ON m.case_id = c.id LEFT JOIN objects o ON o.id = c.object_id
                """).run()
            try await CaseSearchIndex.fillSQLiteWords(on: sql)
            try await CaseSearchIndex.fillSQLiteScoped(on: sql)
            try await sql.raw("ANALYZE").run()
        }
        try await sql.raw("DROP TABLE bench_words").run()
    }
}
