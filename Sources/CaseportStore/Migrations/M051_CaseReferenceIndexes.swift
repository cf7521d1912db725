import FluentKit
import SQLKit

/// Issue 17, session 25: every column that points at a case leads an index. Five did not, and each was read
/// by case: a staff case page's contacts and the search index's refresh after every public message and new
/// case (`CaseSearchIndex.refresh` reads the case's contacts) read the whole of `case_contacts` (0.6 ms with
/// 8 000 links in the benchmark's data, growing with every case that has one); retention's clearing of a case
/// read the whole outbox and inquiries, and deleting a case (its cascade) the whole of `case_reads` and
/// `specification_rows`. `StoreSchemaTests` checks that no reference to a case is left without one.
struct M051_CaseReferenceIndexes: AsyncMigration {
    var name: String { "051_case_reference_indexes" }

    /// `case_reads` by case and user: the list's "new information" marker reads one user's row of a case, and
    /// with `(case_id)` alone PostgreSQL chose it over the unique `(user_id, case_id)` and filtered the user
    /// from all of the case's readers (a board of fifty reads the same cases).
    static let indexes: [(name: String, table: String, columns: String)] = [
        ("case_contacts_case", "case_contacts", "case_id"),
        ("outbox_case", "outbox", "case_id"),
        ("case_reads_case_user", "case_reads", "case_id, user_id"),
        ("inquiries_case", "inquiries", "case_id"),
        ("specification_rows_case", "specification_rows", "case_id"),
    ]

    func prepare(on database: any Database) async throws {
        let sql = try database.requireSQL()
        for index in Self.indexes {
            try await sql.raw("CREATE INDEX IF NOT EXISTS \(unsafeRaw: index.name) ON \(unsafeRaw: index.table) (\(unsafeRaw: index.columns))").run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = try database.requireSQL()
        for index in Self.indexes {
            try await sql.raw("DROP INDEX IF EXISTS \(unsafeRaw: index.name)").run()
        }
    }
}
