import FluentKit
import SQLKit

/// Issue 12 point 4: the case lists sort by a column, and by default by last activity (newest first),
/// so a case with a new public message or a status change rises. `cases.last_activity_at` exists
/// since M004 and every public message (`CaseConversation.insert`), status change (`StaffCases`,
/// `CaseApproval`, `CaseWorkflow`) and the case's creation set it, so nothing needs backfilling; what
/// was missing are indexes that serve the orders:
///  - last activity (with the id that breaks ties), alone and behind each column a list filters on
///    alone (mirroring M004's `cases_<column>_created`), so the default order of a filtered list is an
///    index walk too;
///  - the portal's customer and object branches with `id` (as M013 did for `created_at`), so
///    PostgreSQL's per-branch scans stay index-only in the default order;
///  - the subject, for sorting A–Z. (`created_at` has M004's indexes, `number` its unique one.)
struct M032_CaseListOrders: AsyncMigration {
    var name: String { "032_case_list_orders" }

    static let filterColumns = ["status", "handler_id", "category_id", "case_type_id", "priority_id", "has_unread_activity"]

    func prepare(on database: any Database) async throws {
        let sql = try database.requireSQL()
        try await sql.create(index: "cases_activity").on("cases").column("last_activity_at").column("id").run()
        try await sql.create(index: "cases_customer_activity").on("cases")
            .column("customer_id").column("last_activity_at").column("id").run()
        try await sql.create(index: "cases_object_activity").on("cases")
            .column("object_id").column("last_activity_at").column("id").run()
        for column in Self.filterColumns {
            // `id` too: PostgreSQL's index does not end in the row id as SQLite's does, and the order's
            // tie-breaker is the id, so the index alone serves `ORDER BY last_activity_at, id`.
            try await sql.create(index: "cases_\(column)_activity").on("cases").column(column).column("last_activity_at").column("id").run()
        }
        try await sql.create(index: "cases_subject").on("cases").column("subject").column("id").run()
    }

    func revert(on database: any Database) async throws {
        let sql = try database.requireSQL()
        for name in ["cases_activity", "cases_customer_activity", "cases_object_activity", "cases_subject"]
            + Self.filterColumns.map({ "cases_\($0)_activity" }) {
            try await sql.drop(index: name).run()
        }
    }
}
