import FluentKit
import SQLKit

/// Hands out case numbers: sequential, human-readable and unique however many cases are created at once.
///
/// PostgreSQL (M041_UnqueuedCaseWrites): `nextval` of the sequence `case_numbers`, which locks nothing, so creations on any
/// number of servers do not queue on one row. A creation that rolls back leaves its number unused.
/// SQLite: the counter row, updated with UPDATE … RETURNING inside the caller's transaction (SQLite
/// serialises writers anyway), so a rolled-back number is handed out again.
public enum CaseNumbers {
    public static let counterName = "case_number"
    public static let sequenceName = "case_numbers"
    public static let firstNumber = 1001

    public static func next(on database: any Database) async throws -> Int {
        let sql = try database.requireSQL()
        let row: (any SQLRow)?
        if sql.dialect.name == "sqlite" {
            row = try await sql.raw("""
                UPDATE counters SET value = value + 1 WHERE id = \(bind: counterName) RETURNING value
                """).first()
        } else {
            row = try await sql.raw("SELECT nextval('\(unsafeRaw: sequenceName)') AS value").first()
        }
        guard let value = try row?.decode(column: "value", as: Int.self) else {
            throw StoreError.counterMissing(counterName)
        }
        return value
    }

    /// After cases were written with numbers of their own (the benchmark's seed): the next number
    /// follows the highest.
    public static func resume(after highest: Int, on database: any Database) async throws {
        let sql = try database.requireSQL()
        try await sql.raw("UPDATE counters SET value = \(bind: highest) WHERE id = \(bind: counterName)").run()
        if sql.dialect.name != "sqlite" {
            try await sql.raw("SELECT setval('\(unsafeRaw: sequenceName)', \(bind: highest))").run()
        }
    }
}
