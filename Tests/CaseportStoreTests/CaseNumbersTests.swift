import CaseportCore
import CaseportStore
import CaseportTestSupport
import FluentKit
import SQLKit
import XCTest

/// Case numbers: sequential from 1001, unique under concurrency, no gap left by a rolled-back case.
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
        XCTAssertEqual(next, CaseNumbers.firstNumber + 1, "numbers have no gaps")
    }
}
