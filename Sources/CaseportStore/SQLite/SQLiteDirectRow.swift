import Foundation
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
        let value = values[position]
        // The common types without the decoder's generic path (a protocol cast per value, and a decoder
        // object for others: 4–6 % of a list page's CPU, perf, session 20); each converts as the decoder
        // would, and whatever they refuse goes to the decoder, which reports it.
        if D.self == Int.self, let integer = Int(sqliteData: value) { return unsafeBitCast(integer, to: D.self) }
        if D.self == String.self, let text = String(sqliteData: value) { return unsafeBitCast(text, to: D.self) }
        if D.self == Date.self, let date = Date(sqliteData: value) { return unsafeBitCast(date, to: D.self) }
        if D.self == Bool.self, let bool = Bool(sqliteData: value) { return unsafeBitCast(bool, to: D.self) }
        if D.self == Double.self, let double = Double(sqliteData: value) { return unsafeBitCast(double, to: D.self) }
        return try Self.decoder.decode(D.self, from: value)
    }
}
