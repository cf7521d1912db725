@testable import CaseportStore
import FluentKit
import PostgresKit
import SQLKit
import XCTest

/// Statements prepared once per PostgreSQL connection (`PreparedPostgresSQL`). The rest of the suite runs
/// every store query through it on PostgreSQL; these tests pin one connection to look at what it holds.
final class PreparedPostgresSQLTests: StoreTestCase {
    func testOnlyPlainStatementsAreNamed() {
        XCTAssertTrue(PreparedStatementNames.isPlainStatement("SELECT 1"))
        XCTAssertTrue(PreparedStatementNames.isPlainStatement("\n  WITH x AS (SELECT 1) SELECT * FROM x"))
        XCTAssertTrue(PreparedStatementNames.isPlainStatement("(select 1) UNION (select 2)"))
        XCTAssertTrue(PreparedStatementNames.isPlainStatement("delete from cases"))
        XCTAssertFalse(PreparedStatementNames.isPlainStatement("CREATE INDEX i ON cases (id)"))
        XCTAssertFalse(PreparedStatementNames.isPlainStatement("SET LOCAL lock_timeout = 1000"))
        XCTAssertFalse(PreparedStatementNames.isPlainStatement("LISTEN chat"))
        XCTAssertFalse(PreparedStatementNames.isPlainStatement("BEGIN"))
    }

    func testNamesAreBoundedPerTextAndParameterTypes() {
        let names = PreparedStatementNames(limit: 2)
        let first = PreparedStatementNames.Key(sql: "SELECT $1", types: [.int8])
        let sameTextNull = PreparedStatementNames.Key(sql: "SELECT $1", types: [.null])
        XCTAssertEqual(names.name(for: first), "caseport_1")
        XCTAssertEqual(names.name(for: first), "caseport_1")
        XCTAssertEqual(names.name(for: sameTextNull), "caseport_2", "other parameter types are another statement")
        XCTAssertNil(names.name(for: .init(sql: "SELECT 2", types: [])), "beyond the limit the plain path is used")
        XCTAssertEqual(names.issued, 2)
    }

    /// A statement marked `genericPlan()` runs on the connections opened with `plan_cache_mode =
    /// force_generic_plan`; an unmarked one on Fluent's, which leave the choice to PostgreSQL; and in a
    /// transaction a marked one too stays on the transaction's connection (it must see what was written there).
    func testMarkedStatementsRunOnTheGenericPlanConnections() async throws {
        guard (db as? any SQLDatabase)?.dialect.name == "postgresql" else { return }
        let mode: SQLQueryString = "SELECT current_setting('plan_cache_mode') AS mode"
        let sql = try db.requireSQL()
        let marked = try await sql.raw(mode.genericPlan()).first()
        XCTAssertEqual(try marked?.decode(column: "mode", as: String.self), "force_generic_plan")
        let unmarked = try await sql.raw(mode).first()
        XCTAssertEqual(try unmarked?.decode(column: "mode", as: String.self), "auto")

        let customer = try await make.customer("7002", name: "Ogjord AB")
        try await db.transaction { transaction in
            let inTransaction = try transaction.requireSQL()
            let row = try await inTransaction.raw(mode.genericPlan()).first()
            XCTAssertEqual(try row?.decode(column: "mode", as: String.self), "auto")
            try await inTransaction.raw("UPDATE customers SET name = 'Ändrad AB' WHERE id = \(bind: customer.id!)").run()
            let seen: SQLQueryString = "SELECT name FROM customers WHERE id = \(bind: customer.id!)"
            let name = try await inTransaction.raw(seen.genericPlan()).first()
            XCTAssertEqual(try name?.decode(column: "name", as: String.self), "Ändrad AB", "its own write, uncommitted")
        }
    }

    /// On one pinned connection: a statement run twice is prepared once under its name and gives the same
    /// rows as the plain path; one that fails to prepare is named anew, and after three failures sent the
    /// plain way; one whose values fail keeps its name.
    func testStatementsArePreparedOncePerConnectionAndFailuresAreNamedAnew() async throws {
        guard (db as? any SQLDatabase)?.dialect.name == "postgresql" else { return }
        let customer = try await make.customer("7001", name: "Förberedd AB")
        let names = PreparedStatementNames(limit: 7)
        try await (db as! any PostgresDatabase).withConnection { connection in
            connection.eventLoop.makeFutureWithTask {
                let plain = connection.sql()
                let prepared = PreparedPostgresSQL(sql: plain, postgres: connection, names: names)
                let query: SQLQueryString = "SELECT name, customer_number FROM customers WHERE id = \(bind: customer.id!)"
                for _ in 0..<2 {
                    let row = try await prepared.raw(query).first()
                    XCTAssertEqual(try row?.decode(column: "name", as: String.self), "Förberedd AB")
                    XCTAssertEqual(try row?.decode(column: "customer_number", as: String.self), "7001")
                }
                let optionalNil: String? = nil
                let nulls = try await prepared.raw("SELECT count(*) AS n FROM customers WHERE \(bind: optionalNil)::text IS NULL").first()
                XCTAssertEqual(try nulls?.decode(column: "n", as: Int.self), 1)

                let held = try await plain.raw("SELECT name FROM pg_prepared_statements ORDER BY name").all()
                let heldNames = try held.map { try $0.decode(column: "name", as: String.self) }
                XCTAssertEqual(heldNames, ["caseport_1", "caseport_2"], "each text prepared once on this connection")

                // A failure caused by the values (division by zero) keeps the name: the statement itself is fine.
                for divisor in [0, 0, 0, 0] {
                    do {
                        _ = try await prepared.raw("SELECT 1 / \(bind: divisor) AS n").all()
                        XCTFail("division by zero")
                    } catch {}
                }
                let fine = try await prepared.raw("SELECT 1 / \(bind: 1) AS n").first()
                XCTAssertEqual(try fine?.decode(column: "n", as: Int.self), 1)
                XCTAssertEqual(names.issued, 3, "one name for the division, however often its values failed")
                // A statement that cannot be prepared (no such table), four times: names 4, 5 and 6 (a new one
                // after each of the first two failures), then the plain way (no further name).
                for _ in 0..<4 {
                    do {
                        _ = try await prepared.raw("SELECT n FROM no_such_table WHERE n = \(bind: 1)").all()
                        XCTFail("no such table")
                    } catch {}
                }
                XCTAssertEqual(names.issued, 6)
                let other = try await prepared.raw("SELECT 6 / \(bind: 2) AS n").first()
                XCTAssertEqual(try other?.decode(column: "n", as: Int.self), 3, "the seventh and last name")
                let beyond = try await prepared.raw("SELECT 8 / \(bind: 2) AS n").first()
                XCTAssertEqual(try beyond?.decode(column: "n", as: Int.self), 4, "past the limit, the plain path")
                XCTAssertEqual(names.issued, 7)
            }
        }.get()
    }

    /// A statement that fails in a transaction (here: one that runs after the transaction failed) is named
    /// anew, so the connection where its preparation failed prepares it again once the transaction is over.
    func testAStatementThatFailedInATransactionIsPreparedAgainAfterIt() async throws {
        guard (db as? any SQLDatabase)?.dialect.name == "postgresql", PreparedStatementNames.shared.isEnabled else { return }
        XCTAssertTrue(try db.requireSQL() is PreparedPostgresSQL)
        let customer = try await make.customer("7002", name: "Transaktion AB")
        let read: SQLQueryString = "SELECT name FROM customers WHERE id = \(bind: customer.id!) AND 'transaction-test' <> ''"
        do {
            try await db.transaction { tx in
                XCTAssertTrue(try tx.requireSQL() is PreparedPostgresSQL, "transactions use prepared statements too")
                _ = try? await tx.requireSQL().raw("SELECT 1 / \(bind: 0) AS n").all()
                _ = try await tx.requireSQL().raw(read).first()  // the transaction is aborted: its preparation fails
                XCTFail("ran in an aborted transaction")
            }
        } catch {}
        for _ in 0..<3 {
            let row = try await db.requireSQL().raw(read).first()
            XCTAssertEqual(try row?.decode(column: "name", as: String.self), "Transaktion AB")
        }
    }
    /// The prepared path's rows (`PostgresStoreRow`) decode the everyday types straight from the cell and
    /// every other type, and PostgresKit's workarounds, as PostgresKit does: the same values either way.
    func testRowsDecodeEveryTypeAsThePlainPathDoes() async throws {
        guard (db as? any SQLDatabase)?.dialect.name == "postgresql" else { return }
        let query: SQLQueryString = """
            SELECT 42::int8 AS big, 7::int4 AS small, NULL::int8 AS no_int, 'Vägen 1'::text AS words,
                   NULL::text AS no_words, 'ok'::varchar AS short_words, true AS yes, NULL::bool AS no_bool,
                   '2026-12-06 18:30:15.25+00'::timestamptz AS at, NULL::timestamptz AS no_at, 2.5::float8 AS ratio,
                   12.75::numeric AS amount, ARRAY[3, 4]::int8[] AS ids, \(bind: 1) AS bound
            """
        try await (db as! any PostgresDatabase).withConnection { connection in
            connection.eventLoop.makeFutureWithTask {
                let plain = connection.sql()
                let prepared = PreparedPostgresSQL(sql: plain, postgres: connection, names: PreparedStatementNames(limit: 5))
                let fast = try await prepared.raw(query).first()!
                let slow = try await plain.raw(query).first()!
                XCTAssertTrue(fast is PostgresStoreRow)
                for row in [fast, slow] {
                    XCTAssertEqual(try row.decode(column: "big", as: Int.self), 42)
                    XCTAssertEqual(try row.decode(column: "small", as: Int.self), 7)
                    XCTAssertEqual(try row.decode(column: "small", as: Int?.self), 7)
                    XCTAssertNil(try row.decode(column: "no_int", as: Int?.self))
                    XCTAssertEqual(try row.decode(column: "words", as: String.self), "Vägen 1")
                    XCTAssertEqual(try row.decode(column: "words", as: String?.self), "Vägen 1")
                    XCTAssertNil(try row.decode(column: "no_words", as: String?.self))
                    XCTAssertEqual(try row.decode(column: "short_words", as: String.self), "ok")
                    XCTAssertEqual(try row.decode(column: "yes", as: Bool.self), true)
                    XCTAssertNil(try row.decode(column: "no_bool", as: Bool?.self))
                    XCTAssertEqual(try row.decode(column: "at", as: Date.self).timeIntervalSince1970, 1_796_581_815.25)
                    XCTAssertNil(try row.decode(column: "no_at", as: Date?.self))
                    XCTAssertEqual(try row.decode(column: "ratio", as: Double.self), 2.5)
                    XCTAssertEqual(try row.decode(column: "amount", as: Double.self), 12.75, "numeric as a double: PostgresKit's way")
                    XCTAssertEqual(try row.decode(column: "amount", as: Decimal.self), Decimal(string: "12.75"))
                    XCTAssertEqual(try row.decode(column: "ids", as: [Int].self), [3, 4])
                    XCTAssertEqual(try row.decode(column: "bound", as: Int.self), 1)
                    XCTAssertTrue(try row.decodeNil(column: "no_int"))
                    XCTAssertFalse(try row.decodeNil(column: "big"))
                    XCTAssertTrue(row.contains(column: "ratio"))
                    XCTAssertFalse(row.contains(column: "nothing"))
                    XCTAssertThrowsError(try row.decode(column: "nothing", as: Int.self))
                    XCTAssertThrowsError(try row.decode(column: "words", as: Int.self), "text is not a number")
                    XCTAssertThrowsError(try row.decode(column: "no_int", as: Int.self), "NULL is not a number")
                }
                XCTAssertEqual(fast.allColumns, slow.allColumns)
            }
        }.get()
    }
}
