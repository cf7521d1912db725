import FluentKit
import PostgresKit
import SQLKit

extension Database {
    /// Both supported drivers speak SQL; raw SQL is used for indexes and the scoped case queries. On
    /// PostgreSQL statements are prepared once per connection.
    func requireSQL() throws -> any SQLDatabase {
        guard let sql = self as? any SQLDatabase else { throw StoreError.notSQL }
        if PreparedStatementNames.shared.isEnabled, let postgres = self as? any PostgresDatabase {
            // In a transaction, or on a connection held for a series of statements, every statement stays there.
            return PreparedPostgresSQL(sql: sql, postgres: postgres, configuration: inTransaction ? nil : context.configuration,
                                       names: .shared)
        }
        return sql
    }
}

extension String {
    /// A statement's first word, upper-cased (blanks and opening parentheses before it skipped): enough to
    /// tell a query from a write without parsing the SQL (`PreparedStatementNames`, `SQLiteDirectConnections`).
    var sqlLeadingKeyword: String {
        let start = utf8.drop(while: { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 || $0 == 0x28 })
        let word = start.prefix(while: { ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A })
        return String(decoding: word, as: UTF8.self).uppercased()
    }
}
