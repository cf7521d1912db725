import FluentKit
import SQLKit

/// Delivery of the outbox (E1), approval state of resolved cases (B6) and mail that the mail gate
/// could not place (B7). Times compared in raw SQL are Unix seconds.
struct M010_CreateDelivery: AsyncMigration {
    var name: String { "010_create_delivery" }

    func prepare(on database: any Database) async throws {
        let sql = try database.requireSQL()
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        let columns: [(String, String)] = [
            ("outbox", "next_attempt_at DOUBLE PRECISION NOT NULL DEFAULT 0"),
            ("outbox", "claimed_until DOUBLE PRECISION"),
            ("outbox", "sent_at DOUBLE PRECISION"),
            ("cases", "resolved_at DOUBLE PRECISION"),
            ("cases", "approval_reminded_at DOUBLE PRECISION"),
        ]
        for (table, column) in columns {
            try await sql.raw("ALTER TABLE \(unsafeRaw: table) ADD COLUMN \(unsafeRaw: column)").run()
        }
        try await sql.create(index: "outbox_due").on("outbox").column("status").column("next_attempt_at").run()
        try await database.schema(UnplacedMailRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("received_at", .double, .required)
            .field("sender", .string, .required)
            .field("subject", .string, .required)
            .field("reason", .string, .required)
            .field("raw", .string, .required)
            .field("handled_at", .double)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(UnplacedMailRecord.schema).delete()
    }
}
