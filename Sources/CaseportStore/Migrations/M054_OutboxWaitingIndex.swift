import FluentKit
import SQLKit

/// Issue 17, session 29: the outbox's claim (`OutboxQueue.claim`) reads its rows along an index of only the
/// mails waiting or being sent, so its cost follows them, not the outbox's history of sent and failed mail.
/// PostgreSQL planned the claim from statistics: taken while many mails were pending and read after they had
/// been marked failed, they had it walk the whole table by id (90 000 rows, 50 ms alone and 200 ms a claim
/// with three nodes polling, until autovacuum analyzed the table again). SQLite gathered and sorted every
/// waiting mail for each claim (37 ms with a backlog of 80 000 after a mail-server outage); it walks this
/// index in id order instead (`INDEXED BY`, the claim stops after its batch).
struct M054_OutboxWaitingIndex: AsyncMigration {
    var name: String { "054_outbox_waiting_index" }

    static let index = "outbox_waiting"

    func prepare(on database: any Database) async throws {
        try await database.requireSQL().raw("""
            CREATE INDEX IF NOT EXISTS \(unsafeRaw: Self.index) ON outbox (id) WHERE status IN ('pending', 'sending')
            """).run()
    }

    func revert(on database: any Database) async throws {
        try await database.requireSQL().raw("DROP INDEX IF EXISTS \(unsafeRaw: Self.index)").run()
    }
}
