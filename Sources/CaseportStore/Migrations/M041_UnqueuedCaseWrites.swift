import FluentKit
import SQLKit

/// Issue 17 point 5: on PostgreSQL, case writes no longer queue on a counter row for most of their
/// transaction. Measured with pg_stat_statements and `log_lock_waits` (docs/PERFORMANCE.md): nearly all
/// lock waits of a write-only load were on two `counters` rows, taken with UPDATE … RETURNING and held
/// until commit, and the wait grew with the number of servers.
///
/// - Case numbers come from a sequence, `case_numbers` (`CaseNumbers.next`). The `case_number` row was
///   taken first in a new case's transaction and held through a dozen statements. `nextval` locks
///   nothing; numbers stay unique and increasing, and a creation that rolls back leaves its number
///   unused (the SPEC asks for nothing more). The sequence starts after the counter's value.
/// - Case-event ids are given at commit: `CaseEvents.append` inserts the row with a provisional negative
///   id (`case_event_provisional`), and a deferred constraint trigger, run by PostgreSQL as the
///   transaction commits, takes the next value of the `case_event` counter and gives it to the row. The
///   counter row is then held only from that moment to the end of the commit — no round trip to a
///   server in between — and ids still increase in commit order without gaps (`CaseEvents`). An event
///   with webhook subscribers takes its id at once, as before (its deliveries carry it).
///
/// SQLite keeps both counter rows as they were: it runs one writer at a time anyway, and there a
/// rolled-back case number is handed out again. The counter rows stay (SQLite, and a revert).
struct M041_UnqueuedCaseWrites: AsyncMigration {
    var name: String { "041_unqueued_case_writes" }

    func prepare(on database: any Database) async throws {
        let sql = try database.requireSQL()
        guard sql.dialect.name != "sqlite" else { return }
        try await sql.raw("CREATE SEQUENCE \(unsafeRaw: CaseNumbers.sequenceName) AS bigint MINVALUE 1").run()
        try await sql.raw("""
            SELECT setval('\(unsafeRaw: CaseNumbers.sequenceName)',
                          GREATEST((SELECT value FROM counters WHERE id = \(bind: CaseNumbers.counterName)),
                                   (SELECT COALESCE(MAX(number), 0) FROM cases), 1))
            """).run()
        try await sql.raw("CREATE SEQUENCE \(unsafeRaw: CaseEvents.provisionalSequence) AS bigint MINVALUE 1").run()
        try await sql.raw("""
            CREATE FUNCTION case_event_number() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE n bigint;
            BEGIN
                UPDATE counters SET value = value + 1 WHERE id = '\(unsafeRaw: CaseEvents.counterName)' RETURNING value INTO n;
                UPDATE case_events SET id = n WHERE id = NEW.id;
                RETURN NULL;
            END $$
            """).run()
        try await sql.raw("""
            CREATE CONSTRAINT TRIGGER case_event_number AFTER INSERT ON case_events
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.id < 0) EXECUTE FUNCTION case_event_number()
            """).run()
    }

    func revert(on database: any Database) async throws {
        let sql = try database.requireSQL()
        guard sql.dialect.name != "sqlite" else { return }
        try await sql.raw("DROP TRIGGER case_event_number ON case_events").run()
        try await sql.raw("DROP FUNCTION case_event_number()").run()
        try await sql.raw("DROP SEQUENCE \(unsafeRaw: CaseEvents.provisionalSequence)").run()
        try await sql.raw("""
            UPDATE counters SET value = GREATEST(value, (SELECT COALESCE(MAX(number), 0) FROM cases))
            WHERE id = \(bind: CaseNumbers.counterName)
            """).run()
        try await sql.raw("DROP SEQUENCE \(unsafeRaw: CaseNumbers.sequenceName)").run()
    }
}
