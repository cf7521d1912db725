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
    let columns: PostgresColumnPositions

    /// `columns`: the result's column positions, made once from its first row and shared by the rest.
    init(_ row: PostgresRow, columns: PostgresColumnPositions) {
        self.row = row
        cells = row.makeRandomAccess()
        self.columns = columns
    }

    var allColumns: [String] { cells.map(\.columnName) }

    func contains(column: String) -> Bool { columns.positions[column] != nil }

    func decodeNil(column: String) throws -> Bool {
        guard let position = columns.positions[column] else { return true }
        return cells[position].bytes == nil
    }

    func decode<T: Decodable>(column: String, as type: T.Type) throws -> T {
        // A missing column: PostgresKit's error.
        guard let position = columns.positions[column] else { return try row.sql().decode(column: column, as: T.self) }
        let cell = cells[position]
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

/// A result's column positions by name, as PostgresNIO finds them (a later column of the same name wins). A
/// row's own lookup went through the name twice for each value (whether the column is there, then its cell):
/// with 25 rows of 17 columns on a list page, 1.4 % of the server's CPU under the mix on PostgreSQL (perf,
/// session 28). Here each value is one lookup and then a cell by position.
final class PostgresColumnPositions: Sendable {
    let positions: [String: Int]

    init(_ row: PostgresRow) {
        var positions = [String: Int]()
        for (position, cell) in row.enumerated() { positions[cell.columnName] = position }
        self.positions = positions
    }
}
