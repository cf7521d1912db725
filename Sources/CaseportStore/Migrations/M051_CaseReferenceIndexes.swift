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

    static let indexes: [(name: String, table: String)] = [
        ("case_contacts_case", "case_contacts"),
        ("outbox_case", "outbox"),
        ("case_reads_case", "case_reads"),
        ("inquiries_case", "inquiries"),
        ("specification_rows_case", "specification_rows"),
    ]

    func prepare(on database: any Database) async throws {
        let sql = try database.requireSQL()
        for index in Self.indexes {
            try await sql.raw("CREATE INDEX IF NOT EXISTS \(unsafeRaw: index.name) ON \(unsafeRaw: index.table) (case_id)").run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = try database.requireSQL()
        for index in Self.indexes {
            try await sql.raw("DROP INDEX IF EXISTS \(unsafeRaw: index.name)").run()
        }
    }
}
