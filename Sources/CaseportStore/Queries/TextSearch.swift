import FluentKit
import SQLKit

/// Substring search for the back office's lists: ILIKE on PostgreSQL, LIKE on SQLite (which folds
/// ASCII case only, so "åsa" does not find "Åsa" there; the lists are paged, never loaded whole).
public enum TextSearch {
    public static func like(_ database: any Database) -> DatabaseQuery.Filter.Method {
        (database as? any SQLDatabase)?.dialect.name == "postgresql" ? .custom("ILIKE") : .custom("LIKE")
    }

    public static func pattern(_ text: String) -> String { "%\(text)%" }
}
