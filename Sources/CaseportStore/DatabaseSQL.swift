import FluentKit
import PostgresKit
import SQLKit

extension Database {
    /// Both supported drivers speak SQL; raw SQL is used for indexes and the scoped case queries. On
    /// PostgreSQL statements are prepared once per connection.
    func requireSQL() throws -> any SQLDatabase {
        guard let sql = self as? any SQLDatabase else { throw StoreError.notSQL }
        if PreparedStatementNames.shared.isEnabled, let postgres = self as? any PostgresDatabase {
            return PreparedPostgresSQL(sql: sql, postgres: postgres, names: .shared)
        }
        return sql
    }
}
