import FluentKit
import FluentSQL
import SQLKit

/// Fluent's model queries as SQL for the direct connections: converted as fluent-sqlite-driver converts them
/// (SQLite's column types; a new row answers its id through `RETURNING`), and rows read back as Fluent's
/// output.
enum SQLiteFluentQueries {
    static func sql(for query: DatabaseQuery) -> any SQLExpression {
        let converted = SQLQueryConverter(delegate: SQLiteColumnTypes()).convert(query)
        // An empty custom id key is Fluent's sign for a composite id, for which no id is returned.
        guard case .create = query.action, query.customIDKey != .some(.string("")) else { return converted }
        return SQLList([converted, SQLReturning(.init((query.customIDKey ?? .id).description))], separator: SQLRaw(" "))
    }

    /// A query that only reads.
    static func isRead(_ query: DatabaseQuery) -> Bool {
        switch query.action {
        case .read, .aggregate: true
        case .create, .update, .delete, .custom: false
        }
    }
}

/// SQLite's names for Fluent's column types.
private struct SQLiteColumnTypes: SQLConverterDelegate {
    func customDataType(_ dataType: DatabaseSchema.DataType) -> (any SQLExpression)? {
        switch dataType {
        case .string, .enum: SQLRaw("TEXT")
        case .datetime: SQLRaw("REAL")
        case .int64: SQLRaw("INTEGER")
        default: nil
        }
    }
}

/// A row as Fluent's model decoding reads it: a field's column, prefixed with the schema when one is set
/// (joined models).
struct SQLRowOutput: DatabaseOutput {
    let row: any SQLRow
    var schema: String?

    var description: String { String(describing: row) }

    func schema(_ schema: String) -> any DatabaseOutput {
        SQLRowOutput(row: row, schema: schema)
    }

    func contains(_ key: FieldKey) -> Bool { row.contains(column: column(key)) }
    func decodeNil(_ key: FieldKey) throws -> Bool { try row.decodeNil(column: column(key)) }
    func decode<T: Decodable>(_ key: FieldKey, as type: T.Type) throws -> T {
        try row.decode(column: column(key), as: T.self)
    }

    private func column(_ key: FieldKey) -> String {
        (schema.map { FieldKey.prefix(.prefix(.string($0), "_"), key) } ?? key).description
    }
}
