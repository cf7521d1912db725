import Foundation
import PostgresKit
import PostgresNIO
import SQLKit

/// A PostgreSQL row as SQLKit's `SQLRow` that decodes the store's everyday column types (integers, text,
/// booleans, times, doubles, and optionals of them) straight from the cell. PostgresKit's row asks at run
/// time, for every value, whether the type can decode itself, builds a coding path and checks its own
/// workarounds; that was 8.7 % of the server's CPU under the realistic mix on PostgreSQL (perf, issue 17,
/// session 24), most of it for these types. Every other type, and the cases PostgresKit has a workaround
/// for (text from an enum type, a `numeric` read as a double), go PostgresKit's way.
struct PostgresStoreRow: SQLRow {
    let row: PostgresRow
    let cells: PostgresRandomAccessRow

    init(_ row: PostgresRow) {
        self.row = row
        cells = row.makeRandomAccess()
    }

    var allColumns: [String] { cells.map(\.columnName) }

    func contains(column: String) -> Bool { cells.contains(column) }

    func decodeNil(column: String) throws -> Bool {
        !cells.contains(column) || cells[column].bytes == nil
    }

    func decode<T: Decodable>(column: String, as type: T.Type) throws -> T {
        // A missing column: PostgresKit's error.
        guard cells.contains(column) else { return try row.sql().decode(column: column, as: T.self) }
        let cell = cells[column]
        if let value = try Self.directly(T.self, from: cell) { return value }
        return try row.sql().decode(column: column, as: T.self)
    }

    /// The value when `T` is one of the everyday types and PostgreSQL sent it as one, else nil.
    private static func directly<T>(_: T.Type, from cell: PostgresCell) throws -> T? {
        if T.self == Int.self { return try cell.decode(Int.self) as? T }
        if T.self == Int?.self { return try cell.decode(Int?.self) as? T }
        if T.self == String.self || T.self == String?.self {
            // An enum type's text is PostgresKit's workaround.
            guard !cell.dataType.isUserDefined else { return nil }
            return T.self == String.self ? try cell.decode(String.self) as? T : try cell.decode(String?.self) as? T
        }
        if T.self == Bool.self { return try cell.decode(Bool.self) as? T }
        if T.self == Bool?.self { return try cell.decode(Bool?.self) as? T }
        if T.self == Date.self { return try cell.decode(Date.self) as? T }
        if T.self == Date?.self { return try cell.decode(Date?.self) as? T }
        if T.self == Double.self || T.self == Double?.self {
            // A `numeric` read as a double is PostgresKit's workaround.
            guard cell.dataType != .numeric else { return nil }
            return T.self == Double.self ? try cell.decode(Double.self) as? T : try cell.decode(Double?.self) as? T
        }
        return nil
    }
}
