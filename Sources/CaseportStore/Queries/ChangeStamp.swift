import FluentKit
import SQLKit

/// The database's change stamp (M014): raised by triggers whenever a table portal pages are built
/// from changes. Equal stamps mean nothing those pages show has changed in between.
public enum ChangeStamp {
    public static func current(on database: any Database) async throws -> Int64 {
        let row = try await database.requireSQL().raw("SELECT n FROM change_stamp WHERE id = 1").first()
        return try row?.decode(column: "n", as: Int64.self) ?? 0
    }
}
