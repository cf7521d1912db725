import CaseportCore
import CaseportStore
import CaseportTestSupport
import FluentKit
import SQLKit
import XCTest

/// Case numbers: sequential from 1001, unique under concurrency; on SQLite no gap is left by a rolled-back
/// case, on PostgreSQL (a sequence, M041_UnqueuedCaseWrites, so creations do not queue on one row) its number stays unused.
final class CaseNumbersTests: StoreTestCase {
    func testManyCasesCreatedAtOnceGetUniqueSequentialNumbers() async throws {
        let db = harness.database
        let numbers = try await withThrowingTaskGroup(of: Int.self) { group in
            for n in 0..<40 {
                group.addTask {
                    try await CaseCreation.create(
                        NewCase(subject: "Samtidig \(n)", description: "", createdByName: "T", origin: .portal), on: db
                    ).number
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        XCTAssertEqual(numbers.sorted(), Array(CaseNumbers.firstNumber..<(CaseNumbers.firstNumber + 40)))
    }

    func testANumberTakenInARolledBackTransactionIsHandedOutAgain() async throws {
        struct Abort: Error {}
        let first = try await CaseNumbers.next(on: db)
        XCTAssertEqual(first, CaseNumbers.firstNumber)
        do {
            try await db.transaction { tx in
                let taken = try await CaseNumbers.next(on: tx)
                XCTAssertEqual(taken, CaseNumbers.firstNumber + 1)
                throw Abort()
            }
        } catch is Abort {}
        let next = try await CaseNumbers.next(on: db)
        if TestDatabase.isPostgres {
            XCTAssertEqual(next, CaseNumbers.firstNumber + 2, "PostgreSQL's sequence does not hand a number out twice")
        } else {
            XCTAssertEqual(next, CaseNumbers.firstNumber + 1, "numbers have no gaps")
        }
    }

    func testCasesWrittenWithNumbersOfTheirOwnAreFollowedByTheNextNumber() async throws {
        try await CaseNumbers.resume(after: 5_000, on: db)
        let created = try await CaseCreation.create(NewCase(subject: "Efter", description: "", createdByName: "T", origin: .portal), on: db)
        XCTAssertEqual(created.number, 5_001)
    }
}
