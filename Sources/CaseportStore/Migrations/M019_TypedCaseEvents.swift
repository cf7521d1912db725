import CaseportCore
import FluentKit
import SQLKit

/// Case events become a typed stream (issue 10): each row gets who may see it (`audience`), its data as
/// a JSON `payload` per kind (`CaseEvent`), and the portal user who caused it; the old
/// `field`/`before`/`after` columns are converted into payloads and dropped. From now on ids are handed
/// out by the `case_event` counter inside the writing transaction, so they increase in commit order
/// and a reader that resumes after the last id it saw misses nothing.
struct M019_TypedCaseEvents: AsyncMigration {
    var name: String { "019_typed_case_events" }

    func prepare(on database: any Database) async throws {
        let sql = try database.requireSQL()
        try await sql.raw("ALTER TABLE case_events ADD COLUMN audience VARCHAR(16) NOT NULL DEFAULT 'staff'").run()
        try await sql.raw("ALTER TABLE case_events ADD COLUMN payload TEXT").run()
        try await sql.raw("ALTER TABLE case_events ADD COLUMN portal_user_id INTEGER").run()

        // Convert in batches by id, so a long history never sits in memory at once.
        struct Old: Decodable {
            var id: Int
            var kind: String
            var field: String?
            var before: String?
            var after: String?
        }
        var last = 0
        while true {
            let rows = try await sql.raw("""
                SELECT id, kind, field, before, after FROM case_events WHERE id > \(bind: last) ORDER BY id LIMIT 500
                """).all(decoding: Old.self)
            guard let end = rows.last else { break }
            for row in rows {
                let event = Self.convert(kind: row.kind, field: row.field, before: row.before, after: row.after)
                try await sql.raw("""
                    UPDATE case_events SET payload = \(bind: event?.encodedPayload()),
                    audience = \(bind: (event?.defaultAudience ?? .staff).rawValue) WHERE id = \(bind: row.id)
                    """).run()
            }
            last = end.id
        }
        try await sql.raw("ALTER TABLE case_events DROP COLUMN field").run()
        try await sql.raw("ALTER TABLE case_events DROP COLUMN before").run()
        try await sql.raw("ALTER TABLE case_events DROP COLUMN after").run()

        let highest = try await sql.raw("SELECT COALESCE(MAX(id), 0) AS n FROM case_events").first()?
            .decode(column: "n", as: Int.self) ?? 0
        try await sql.insert(into: "counters").columns("id", "value").values(CaseEvents.counterName, highest).run()
    }

    /// What an event written before typed events means. Kinds keep their stored names.
    static func convert(kind: String, field: String?, before: String?, after: String?) -> CaseEvent? {
        switch kind {
        case "status":
            guard let from = before.flatMap(CaseStatus.init(rawValue:)), let to = after.flatMap(CaseStatus.init(rawValue:))
            else { return nil }
            return .statusChanged(from: from, to: to)
        case "field":
            guard let field = field.flatMap(CaseEventField.init(rawValue:)) else { return nil }
            return .fieldChanged(field, before: before, after: after)
        case "handler": return .handlerChanged(before: before, after: after)
        case "supplier": return .supplierChanged(before: before, after: after)
        default: return try? CaseEvent(kind: kind, payload: nil)
        }
    }

    func revert(on database: any Database) async throws {
        let sql = try database.requireSQL()
        try await sql.raw("DELETE FROM counters WHERE id = \(bind: CaseEvents.counterName)").run()
        try await sql.raw("ALTER TABLE case_events ADD COLUMN field VARCHAR(255)").run()
        try await sql.raw("ALTER TABLE case_events ADD COLUMN before VARCHAR(255)").run()
        try await sql.raw("ALTER TABLE case_events ADD COLUMN after VARCHAR(255)").run()
        try await sql.raw("ALTER TABLE case_events DROP COLUMN portal_user_id").run()
        try await sql.raw("ALTER TABLE case_events DROP COLUMN payload").run()
        try await sql.raw("ALTER TABLE case_events DROP COLUMN audience").run()
    }
}
