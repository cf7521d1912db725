import FluentKit
import SQLKit

/// Issue 11 (points 2 and 11): a portal user's "no case mail" choice, a case type's approval button
/// ("approved" or "tested_ok"; nil reads as "approved") and when the approval round found that nobody
/// could be reminded about a resolved case (it then stays resolved for staff to see, instead of closing).
/// All three are nullable, so existing rows need no value. The staff start page lists the unreached
/// cases on every view: a partial index holds just those few rows instead of a scan of every resolved case.
struct M021_CustomerMail: AsyncMigration {
    var name: String { "021_customer_mail" }

    func prepare(on database: any Database) async throws {
        try await database.schema(PortalUserRecord.schema).field("case_mail_off", .bool).update()
        try await database.schema(CaseTypeRecord.schema).field("approval_label", .string).update()
        try await database.schema(CaseRecord.schema).field("approval_unreached_at", .double).update()
        try await database.requireSQL().raw("""
            CREATE INDEX cases_approval_unreached ON cases (approval_unreached_at) WHERE approval_unreached_at IS NOT NULL
            """).run()
    }

    func revert(on database: any Database) async throws {
        try await database.requireSQL().raw("DROP INDEX cases_approval_unreached").run()
        try await database.schema(CaseRecord.schema).deleteField("approval_unreached_at").update()
        try await database.schema(CaseTypeRecord.schema).deleteField("approval_label").update()
        try await database.schema(PortalUserRecord.schema).deleteField("case_mail_off").update()
    }
}
