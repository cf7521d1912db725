import FluentKit
import SQLKit

/// The case timeline (D3).
struct M008_CreateCaseEvents: AsyncMigration {
    var name: String { "008_create_case_events" }

    func prepare(on database: any Database) async throws {
        try await database.schema(CaseEventRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("case_id", .int, .required, .references(CaseRecord.schema, "id", onDelete: .cascade))
            .field("at", .datetime, .required)
            .field("staff_id", .int, .references(StaffUserRecord.schema, "id", onDelete: .setNull))
            .field("actor_name", .string, .required)
            .field("kind", .string, .required)
            .field("field", .string)
            .field("before", .string)
            .field("after", .string)
            .create()
        try await database.requireSQL().create(index: "case_events_case").on(CaseEventRecord.schema)
            .column("case_id").column("at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(CaseEventRecord.schema).delete()
    }
}
