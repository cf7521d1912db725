import SQLKit
import SQLiteKit
import SQLiteNIO
import VaporCSQLite

/// A statement's column names and where each is, built once per prepared statement and shared by its rows.
/// A name that appears twice finds its first column, as with SQLiteNIO's rows.
final class SQLiteColumnIndex: Sendable {
    let names: [String]
    let positions: [String: Int]

    init(names: [String]) {
        self.names = names
        var positions: [String: Int] = [:]
        for (offset, name) in names.enumerated() where positions[name] == nil {
            positions[name] = offset
        }
        self.positions = positions
    }

    convenience init(statement: OpaquePointer) {
        let count = sqlite_nio_sqlite3_column_count(statement)
        self.init(names: (0..<count).map { column in
            sqlite_nio_sqlite3_column_name(statement, column).map { String(cString: $0) } ?? ""
        })
    }
}

/// A row read on a `SQLiteReadConnection`, decoded as SQLiteKit decodes its own rows (`SQLiteDataDecoder`).
struct SQLiteDirectRow: SQLRow {
    let columns: SQLiteColumnIndex
    let values: [SQLiteData]

    private static let decoder = SQLiteDataDecoder()

    var allColumns: [String] { columns.names }

    func contains(column: String) -> Bool { columns.positions[column] != nil }

    func decodeNil(column: String) throws -> Bool {
        guard let position = columns.positions[column] else { return true }
        return values[position] == .null
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let position = columns.positions[column] else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "no column \(column) in the row"))
        }
        return try Self.decoder.decode(D.self, from: values[position])
    }
}
