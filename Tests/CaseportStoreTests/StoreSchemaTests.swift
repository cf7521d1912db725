import FluentKit
import SQLKit
import XCTest

/// What the schema promises on both databases.
final class StoreSchemaTests: StoreTestCase {
    /// Pages, the search index and retention read a case's rows of other tables by the case: a column that
    /// references `cases` without an index of its own makes each such read (and each deletion of a case) read
    /// the whole table (M051).
    func testEveryColumnThatReferencesACaseLeadsAnIndex() async throws {
        let sql = try XCTUnwrap(db as? any SQLDatabase)
        let query: SQLQueryString = sql.dialect.name == "sqlite"
            ? """
              SELECT m.name AS tbl, f."from" AS col,
                     EXISTS (SELECT 1 FROM pragma_index_list(m.name) l, pragma_index_info(l.name) i
                             WHERE i.seqno = 0 AND i.name = f."from")
                     -- an INTEGER PRIMARY KEY is the table's rowid, in no index list
                     OR EXISTS (SELECT 1 FROM pragma_table_info(m.name) t WHERE t.pk = 1 AND t.name = f."from") AS indexed
              FROM sqlite_master m, pragma_foreign_key_list(m.name) f
              WHERE m.type = 'table' AND f."table" = 'cases'
              """
            : """
              SELECT c.conrelid::regclass::text AS tbl, a.attname::text AS col,
                     EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1]) AS indexed
              FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
              WHERE c.contype = 'f' AND c.confrelid = 'cases'::regclass
              """
        let rows = try await sql.raw(query).all()
        let references = try rows.map { (table: try $0.decode(column: "tbl", as: String.self),
                                         indexed: try $0.decode(column: "indexed", as: Bool.self)) }
        // The tables that hang off a case are all there (the query reads the schema, not a list of its own).
        XCTAssertTrue(Set(references.map(\.table)).isSuperset(of: ["case_contacts", "case_messages", "files", "outbox",
                                                                    "case_reads", "inquiries", "specification_rows"]))
        XCTAssertEqual(references.filter { !$0.indexed }.map(\.table).sorted(), [])
    }
}
