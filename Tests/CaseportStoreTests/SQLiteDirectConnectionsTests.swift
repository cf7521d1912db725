@testable import CaseportStore
import FluentKit
import CaseportTestSupport
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SQLKit
import SQLiteNIO
import XCTest

/// SQLite's own connections (readers and the writer) and the one-writer gate (`SQLiteRoutedDatabase`). The
/// rest of the suite runs every store query through them on SQLite; these tests look at what each part does.
final class SQLiteDirectConnectionsTests: StoreTestCase {
    private var routed: SQLiteRoutedDatabase? { db as? SQLiteRoutedDatabase }

    override func setUp() async throws {
        try await super.setUp()
        if routed == nil { throw XCTSkip("SQLite only") }
    }

    /// A read comes back as Fluent's connection gives it: integers, text, real numbers, NULL and blobs, and
    /// the values decode to the same Swift values (dates, booleans, optionals).
    func testReadsGiveTheSameRowsAsFluentsConnection() async throws {
        let customer = try await make.customer("7101", name: "Läs AB")
        let query: SQLQueryString = """
            SELECT id, name, customer_number, created_at, 1.5 AS ratio, NULL AS absent, x'00ff' AS bytes,
                   1 AS yes, \(bind: "bunden") AS bound
            FROM customers WHERE id = \(bind: customer.id!)
            """
        let direct = try await routed!.raw(query).all()
        let plain = try await routed!.fluent.raw(query).all()
        XCTAssertEqual(direct.count, 1)
        XCTAssertTrue(direct.first is SQLiteDirectRow, "the read ran on a direct connection")
        XCTAssertFalse(plain.first is SQLiteDirectRow)
        for row in [direct[0], plain[0]] {
            XCTAssertEqual(try row.decode(column: "id", as: Int.self), customer.id)
            XCTAssertEqual(try row.decode(column: "name", as: String.self), "Läs AB")
            XCTAssertEqual(try row.decode(column: "ratio", as: Double.self), 1.5)
            XCTAssertTrue(try row.decodeNil(column: "absent"))
            XCTAssertNil(try row.decodeOptional(column: "absent", as: String.self))
            XCTAssertEqual(try row.decode(column: "bytes", as: Data.self), Data([0x00, 0xFF]))
            XCTAssertEqual(try row.decode(column: "yes", as: Bool.self), true)
            XCTAssertEqual(try row.decode(column: "bound", as: String.self), "bunden")
            XCTAssertFalse(row.contains(column: "missing"))
            XCTAssertThrowsError(try row.decode(column: "missing", as: String.self))
        }
        XCTAssertEqual(try direct[0].decode(column: "created_at", as: Date.self),
                       try plain[0].decode(column: "created_at", as: Date.self))
        XCTAssertEqual(direct[0].allColumns, plain[0].allColumns)
        // Every column read as each common type converts (or fails) as SQLiteKit's decoder does it.
        let (a, b) = (direct[0], plain[0])
        for column in b.allColumns {
            XCTAssertEqual(try? a.decode(column: column, as: Int.self), try? b.decode(column: column, as: Int.self), column)
            XCTAssertEqual(try? a.decode(column: column, as: String.self), try? b.decode(column: column, as: String.self), column)
            XCTAssertEqual(try? a.decode(column: column, as: Double.self), try? b.decode(column: column, as: Double.self), column)
            XCTAssertEqual(try? a.decode(column: column, as: Bool.self), try? b.decode(column: column, as: Bool.self), column)
            XCTAssertEqual(try? a.decode(column: column, as: Date.self), try? b.decode(column: column, as: Date.self), column)
            XCTAssertEqual(try? a.decode(column: column, as: Int?.self), try? b.decode(column: column, as: Int?.self), column)
        }
    }

    /// A connection keeps a statement it ran and runs it again with new values; a statement that writes, or
    /// that does not prepare there, is refused (the caller's own connection runs it).
    func testStatementsAreKeptAndOnlyReadsRun() throws {
        guard case .sqlite(let path) = harness.location else { return }
        let connection = try SQLiteDirectConnection(path: path, role: .reader)
        defer { connection.close() }
        let sql = "SELECT ? + 1 AS n"
        XCTAssertEqual(try connection.rows(of: sql, binds: [.integer(1)])?.first?.decode(column: "n", as: Int.self), 2)
        XCTAssertEqual(try connection.rows(of: sql, binds: [.integer(41)])?.first?.decode(column: "n", as: Int.self), 42)
        XCTAssertEqual(connection.keptStatements, 1)
        XCTAssertNil(connection.rows(of: "WITH x AS (SELECT 1) INSERT INTO settings (id, value) SELECT 'k', 'v' FROM x", binds: []))
        XCTAssertNil(connection.rows(of: "SELECT * FROM no_such_table", binds: []))
        XCTAssertEqual(connection.keptStatements, 1, "refused texts are remembered, not kept prepared")
        XCTAssertEqual(connection.rows(of: "SELECT 1 AS n WHERE 0", binds: [])?.count, 0)
    }

    /// A kept statement runs again with other values without being prepared afresh (SQLite does so for a
    /// statement whose plan weighed a value, `case_id = ?` among them, whenever values are cleared),
    /// and a parameter given no value reads as NULL, not as the previous run's value.
    func testKeptStatementsAreNotPreparedAgainForNewValues() throws {
        guard case .sqlite(let path) = harness.location else { return }
        let connection = try SQLiteDirectConnection(path: path, role: .reader)
        defer { connection.close() }
        // One of the statements the mix prepared afresh on every run while values were cleared after each.
        let sql = "SELECT id FROM chat_conversations WHERE case_id = ?1 ORDER BY created_at, id"
        for id in [7, 8, 7, 12, 9] {  // (a change to or from 0 or 1 does count)
            XCTAssertEqual(try XCTUnwrap(connection.rows(of: sql, binds: [.integer(id)])).count, 0)
        }
        XCTAssertEqual(connection.timesPreparedAgain(sql), 0)

        let pair = "SELECT ?1 AS a, ?2 AS b"
        _ = connection.rows(of: pair, binds: [.integer(1), .text("kvar")])
        let row = try XCTUnwrap(connection.rows(of: pair, binds: [.integer(2)])?.first)
        XCTAssertEqual(try row.decode(column: "a", as: Int.self), 2)
        XCTAssertTrue(try row.decodeNil(column: "b"), "a value of the previous run is not left in place")
    }

    /// Every page of a list is one statement on SQLite (the offset is bound), so it is prepared once; the
    /// limit stays written in (SQLite plans a bound LIMIT afresh whenever it is bound).
    func testEveryPageOfAListIsOneStatement() throws {
        let sql = try db.requireSQL()
        let second = sql.serialize(PageWindowSQL.limit(25, offset: 25, dialect: sql.dialect.name))
        let ninth = sql.serialize(PageWindowSQL.limit(25, offset: 200, dialect: sql.dialect.name))
        XCTAssertEqual(second.sql, ninth.sql)
        XCTAssertEqual(second.sql, "LIMIT 25 OFFSET ?1")
        XCTAssertEqual(ninth.binds.count, 1)
        XCTAssertEqual(ninth.binds.first as? Int, 200)
    }

    /// A value at the portal's limits goes through the writer and back through a reader unchanged: a
    /// 10 000-character message with non-ASCII letters and a NUL, a 1 MB blob.
    func testValuesAtTheirLimitsGoThroughUnchanged() async throws {
        let sql = try db.requireSQL()
        let text = String(repeating: "Läckage i kök – ÆØÅ ✓ ", count: 460) + "\u{0}slut"
        XCTAssertGreaterThan(text.count, 10_000)
        let blob = Data((0..<1_048_576).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try await sql.raw("INSERT INTO settings (id, value) VALUES ('lång.text', \(bind: text))").run()
        let row = try await sql.raw("SELECT value, \(bind: blob) AS bytes FROM settings WHERE id = 'lång.text'").first()
        XCTAssertTrue(row is SQLiteDirectRow)
        XCTAssertEqual(try row?.decode(column: "value", as: String.self), text)
        XCTAssertEqual(try row?.decode(column: "bytes", as: Data.self), blob)
    }

    func testAStatementsFirstKeywordIsReadWithoutParsing() {
        XCTAssertEqual("\n\t ( select 1)".sqlLeadingKeyword, "SELECT")
        XCTAssertEqual("With x AS (SELECT 1) INSERT INTO t SELECT * FROM x".sqlLeadingKeyword, "WITH")
        XCTAssertEqual("PRAGMA journal_mode = WAL".sqlLeadingKeyword, "PRAGMA")
        XCTAssertEqual("".sqlLeadingKeyword, "")
        XCTAssertTrue(SQLiteDirectConnections.isQuery("(select 1) UNION (select 2)"))
        XCTAssertFalse(SQLiteDirectConnections.isQuery("SELECTED"), "a whole word, not a prefix")
        XCTAssertFalse(SQLiteDirectConnections.isQuery("INSERT INTO t VALUES (1)"))
    }

    /// When no one writes the writer answers reads too, but never runs a statement that writes outside the
    /// gate: that goes back to the caller (and on to the writer through the gate).
    func testTheWriterAnswersOnlyReadsOutsideTheGate() async throws {
        try await make.customer("7301")  // opens the writer
        let connections = routed!.connections
        let count = connections.rows(of: "SELECT count(*) AS n FROM customers", binds: [])
        XCTAssertEqual(try count?.first?.decode(column: "n", as: Int.self), 1)
        let sneaky = "WITH x AS (SELECT 'utan.grind' AS k) INSERT INTO settings (id, value) SELECT k, 'ja' FROM x"
        for _ in 0..<3 { XCTAssertNil(connections.rows(of: sneaky, binds: [])) }
        let written = try await db.requireSQL().raw("SELECT count(*) AS n FROM settings WHERE id = 'utan.grind'").first()
        XCTAssertEqual(try written?.decode(column: "n", as: Int.self), 0)
    }

    /// Reads see what was just committed on Fluent's connections; inside a transaction reads run on the
    /// transaction's connection and see its own uncommitted writes.
    func testReadsSeeCommittedWritesAndTransactionsReadTheirOwn() async throws {
        let sql = try db.requireSQL()
        func count() async throws -> Int {
            try await sql.raw("SELECT count(*) AS n FROM customers").first()!.decode(column: "n", as: Int.self)
        }
        let before = try await count()
        XCTAssertEqual(before, 0)
        try await make.customer("7102")
        let after = try await count()
        XCTAssertEqual(after, 1, "a write committed on Fluent's connection is seen at once")

        try await db.transaction { transaction in
            try await CustomerRecord(name: "I transaktion", shortCode: "t1", customerNumber: "7103").create(on: transaction)
            let inside = try await transaction.requireSQL().raw("SELECT count(*) AS n FROM customers").first()!
            XCTAssertEqual(try inside.decode(column: "n", as: Int.self), 2)
            XCTAssertTrue(transaction is SQLiteDirectTransaction, "the transaction runs on the writer")
        }
        let committed = try await count()
        XCTAssertEqual(committed, 2)
    }

    /// A statement that starts like a query but writes goes to the writer and writes; a read that fails
    /// fails as it did before.
    func testWritingQueriesAndFailuresGoTheOrdinaryWay() async throws {
        let sql = try db.requireSQL()
        try await sql.raw("WITH x AS (SELECT 'direct.test' AS k) INSERT INTO settings (id, value) SELECT k, 'ja' FROM x").run()
        let row = try await sql.raw("SELECT value FROM settings WHERE id = 'direct.test'").first()
        XCTAssertEqual(try row?.decode(column: "value", as: String.self), "ja")
        do {
            _ = try await sql.raw("SELECT * FROM no_such_table").all()
            XCTFail("a missing table is an error")
        } catch {
            XCTAssertTrue(error is SQLiteError, "the error is SQLiteNIO's, as before: \(error)")
        }
    }

    /// On the writer: a broken unique key is a Fluent constraint failure (operations turn it into a message);
    /// a transaction that throws leaves nothing behind; foreign keys are enforced and cascade as on Fluent's
    /// connections; readers see a transaction's rows only once it committed.
    func testTheWriterKeepsFluentsRules() async throws {
        try await make.customer("7201", name: "Först AB")
        do {
            try await CustomerRecord(name: "Dubblett", shortCode: "k7201", customerNumber: "7201").create(on: db)
            XCTFail("the customer number is unique")
        } catch let error as any DatabaseError {
            XCTAssertTrue(error.isConstraintFailure, "\(error)")
        }

        struct Abandoned: Error {}
        do {
            try await db.transaction { transaction in
                try await CustomerRecord(name: "Ångrad", shortCode: "a1", customerNumber: "7202").create(on: transaction)
                throw Abandoned()
            }
        } catch is Abandoned {}
        let abandoned = try await CustomerRecord.query(on: db).filter(\.$customerNumber == "7202").count()
        XCTAssertEqual(abandoned, 0, "rolled back")

        do {
            try await db.requireSQL().raw("INSERT INTO objects (customer_id, name, address) VALUES (999999, 'Ingen', 'x')").run()
            XCTFail("objects need their customer")
        } catch let error as any DatabaseError {
            XCTAssertTrue(error.isConstraintFailure, "\(error)")
        }

        let sql = try db.requireSQL()
        let seenInside = NIOLockedValueBox(-1)
        try await db.transaction { transaction in
            try await CustomerRecord(name: "Ny", shortCode: "n1", customerNumber: "7203").create(on: transaction)
            let outside = try await sql.raw("SELECT count(*) AS n FROM customers").first()!.decode(column: "n", as: Int.self)
            seenInside.withLockedValue { $0 = outside }
        }
        XCTAssertEqual(seenInside.withLockedValue { $0 }, 1, "a reader does not see the open transaction's row")
        let committed = try await sql.raw("SELECT count(*) AS n FROM customers").first()!.decode(column: "n", as: Int.self)
        XCTAssertEqual(committed, 2)
    }

    /// No connection left open once the databases shut down; none opened when the limit is zero.
    func testConnectionsCloseWithTheDatabasesAndRespectTheLimit() async throws {
        guard case .sqlite(let path) = harness.location else { return }
        _ = try await db.requireSQL().raw("SELECT 1 AS n").all()
        XCTAssertGreaterThan(routed!.connections.openConnections, 0)
        let reads = routed!.connections
        await harness.databases.shutdownAsync()
        XCTAssertEqual(reads.openConnections, 0)
        XCTAssertNil(reads.rows(of: "SELECT 1", binds: []), "closed: reads go the ordinary way")

        let none = SQLiteDirectConnections(path: path, readerLimit: 0)
        XCTAssertNil(none.rows(of: "SELECT 1", binds: []))
        XCTAssertEqual(none.openConnections, 0)
        harness = try await StoreHarness()
    }

    /// Two transactions at once: the second starts when the first committed, without SQLite's busy handler.
    func testTransactionsWaitForEachOtherAtTheGate() async throws {
        let gate = routed!.gate
        let db = self.db
        let firstStarted = expectation(description: "first transaction started")
        let releaseFirst = MultiThreadedEventLoopGroup.singleton.any().makePromise(of: Void.self)
        let first = Task {
            try await db.transaction { transaction in
                try await CustomerRecord(name: "Först", shortCode: "f1", customerNumber: "7104").create(on: transaction)
                firstStarted.fulfill()
                try await releaseFirst.futureResult.get()
            }
        }
        await fulfillment(of: [firstStarted], timeout: 10)
        let second = Task {
            try await db.transaction { transaction in
                try await transaction.requireSQL().raw("SELECT count(*) AS n FROM customers").first()!.decode(column: "n", as: Int.self)
            }
        }
        for _ in 0..<200 where gate.waitingCount == 0 { try await Task.sleep(for: .milliseconds(10)) }
        XCTAssertEqual(gate.waitingCount, 1, "the second transaction waits at the gate")
        releaseFirst.succeed(())
        try await first.value
        let seen = try await second.value
        XCTAssertEqual(seen, 1, "the second transaction began after the first committed")
        XCTAssertEqual(gate.waitingCount, 0)
    }

    /// A writer that waited its patience goes on (SQLite's own lock still guards the data); a holder that
    /// finishes lets the next writer in, in the order they came.
    func testTheGateLetsWritersInInOrderAndAfterItsPatience() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.any()
        let gate = SQLiteWriteGate(patience: .milliseconds(200))
        let holder = loop.makePromise(of: Void.self)
        let held = gate.run(on: loop) { holder.futureResult }
        let order = NIOLockedValueBox<[Int]>([])
        let waiters = (1...2).map { number in
            gate.run(on: loop) { () -> EventLoopFuture<Void> in
                order.withLockedValue { $0.append(number) }
                return loop.makeSucceededVoidFuture()
            }
        }
        let started = ContinuousClock.now
        try await waiters[0].get()
        try await waiters[1].get()
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - started, .milliseconds(150), "let through after the patience")
        XCTAssertEqual(order.withLockedValue { $0 }, [1, 2])
        holder.succeed(())
        try await held.get()

        let next = loop.makePromise(of: Void.self)
        let first = gate.run(on: loop) { next.futureResult }
        let second = gate.run(on: loop) { loop.makeSucceededFuture(7) }
        XCTAssertEqual(gate.waitingCount, 1)
        next.succeed(())
        try await first.get()
        let value = try await second.get()
        XCTAssertEqual(value, 7)
    }

    /// A writer that asks to go first goes before the writers already waiting (the writer's checkpoint).
    func testAWriterAskingToGoFirstGoesBeforeThoseWaiting() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.any()
        let gate = SQLiteWriteGate()
        let holder = loop.makePromise(of: Void.self)
        let held = gate.run(on: loop) { holder.futureResult }
        let order = NIOLockedValueBox<[String]>([])
        let writers = ["later", "first"].map { name in
            gate.run(on: loop, first: name == "first") { () -> EventLoopFuture<Void> in
                order.withLockedValue { $0.append(name) }
                return loop.makeSucceededVoidFuture()
            }
        }
        XCTAssertEqual(gate.waitingCount, 2)
        holder.succeed(())
        try await held.get()
        for writer in writers { try await writer.get() }
        XCTAssertEqual(order.withLockedValue { $0 }, ["first", "later"])
    }

    /// Issue 17, session 23: the writer's commits do not checkpoint inside themselves; once the log holds
    /// 1 000 pages the writer copies it holding the write gate, off the event loop, and the log starts again
    /// from its beginning — with readers reading all along, it never grows far past 1 000 pages. (Session
    /// 22's checkpointer, beside a writer that kept appending, let it grow without bound.)
    func testTheWriterCheckpointsHoldingTheGateAndTheLogStaysShort() async throws {
        guard case .sqlite(let path) = harness.location else { return }
        let sql = try db.requireSQL()
        _ = try await sql.raw("SELECT 1 AS n").all()
        let text = String(repeating: "x", count: 5_000)
        let reading = Task {
            var reads = 0
            while !Task.isCancelled {
                _ = try await sql.raw("SELECT count(*) AS n FROM settings").all()
                reads += 1
                await Task.yield()
            }
            return reads
        }
        // 1 500 settings of 5 000 bytes (two pages each), one commit each: over 3 000 pages of log written.
        for n in 0..<1_500 {
            try await sql.raw("INSERT INTO settings (id, value) VALUES (\(bind: "logg.\(n)"), \(bind: text))").run()
        }
        reading.cancel()
        let reads = try await reading.value
        XCTAssertGreaterThan(reads, 0)
        let writer = try XCTUnwrap(routed!.connections.borrowWriter())
        let checkpoints = writer.checkpoints
        routed!.connections.giveBack(writer: writer)
        XCTAssertGreaterThanOrEqual(checkpoints, 2, "the writer checkpointed through the gate")
        // The log file is as long as the log ever was (SQLite writes it again from its beginning).
        let pageBytes = 4_096 + 24
        let logBytes = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int ?? 0
        XCTAssertLessThan(logBytes, 1_200 * pageBytes, "the log started again after each checkpoint")
        let count = try await sql.raw("SELECT count(*) AS n FROM settings WHERE id LIKE 'logg.%'").first()!.decode(column: "n", as: Int.self)
        XCTAssertEqual(count, 1_500)
    }
}
