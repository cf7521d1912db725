import FluentKit
import SQLKit

/// Issue 17, session 28: the change stamp (M014, M039) also moves when a staff account is added or removed, or
/// its name or its being active changes. Every back-office list and case page offers the active handlers (the
/// list's handler filter, the case form's handler choice) and read them on every view because staff accounts
/// were not watched: a quarter of the statements of a staff page view under the realistic mix. Now they are
/// kept at the stamp like the rest of the catalogue (`StaffCasesController.activeStaff`). A sign-in writes only
/// `last_login_at`, a password change only the hash: neither moves the stamp.
struct M053_StaffNamesStamp: AsyncMigration {
    var name: String { "053_staff_names_stamp" }

    /// The columns of `staff_users` that what is kept at the stamp reads.
    static let keptColumns = "name, is_active"

    func prepare(on database: any Database) async throws {
        let sql = try database.requireSQL()
        if sql.dialect.name == "sqlite" {
            for (operation, suffix) in [("INSERT", "insert"), ("DELETE", "delete"), ("UPDATE OF \(Self.keptColumns)", "update")] {
                try await sql.raw("""
                    CREATE TRIGGER staff_users_stamp_\(unsafeRaw: suffix) AFTER \(unsafeRaw: operation) ON staff_users
                    BEGIN UPDATE change_stamp SET n = n + 1 WHERE id = 1; END
                    """).run()
            }
        } else {
            try await sql.raw("""
                CREATE CONSTRAINT TRIGGER staff_users_stamp AFTER INSERT OR DELETE OR UPDATE OF \(unsafeRaw: Self.keptColumns)
                ON staff_users DEFERRABLE INITIALLY DEFERRED
                FOR EACH ROW EXECUTE FUNCTION caseport_raise_change_stamp()
                """).run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = try database.requireSQL()
        if sql.dialect.name == "sqlite" {
            for suffix in ["insert", "delete", "update"] {
                try await sql.raw("DROP TRIGGER IF EXISTS staff_users_stamp_\(unsafeRaw: suffix)").run()
            }
        } else {
            try await sql.raw("DROP TRIGGER IF EXISTS staff_users_stamp ON staff_users").run()
        }
    }
}
