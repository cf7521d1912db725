import FluentKit
import SQLKit

/// Hands out case numbers: sequential, human-readable and unique however many cases are created at once.
/// The counter row is updated with UPDATE … RETURNING inside the caller's transaction, so PostgreSQL
/// row-locks it until that transaction ends and SQLite serialises writers anyway.
public enum CaseNumbers {
    public static let counterName = "case_number"
    public static let firstNumber = 1001

    public static func next(on database: any Database) async throws -> Int {
        let sql = try database.requireSQL()
        let row = try await sql.raw("""
            UPDATE counters SET value = value + 1 WHERE id = \(bind: counterName) RETURNING value
            """).first()
        guard let value = try row?.decode(column: "value", as: Int.self) else {
            throw StoreError.counterMissing(counterName)
        }
        return value
    }
}
