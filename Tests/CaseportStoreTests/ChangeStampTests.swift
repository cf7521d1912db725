import CaseportStore
import FluentKit
import XCTest

/// The change stamp (M014) rises with every change to what portal pages show, and only then.
final class ChangeStampTests: StoreTestCase {
    func testTheStampRisesWhenACaseOrMessageChangesAndNotOnReads() async throws {
        let before = try await ChangeStamp.current(on: db)
        let record = try await make.case("Fall")
        let afterCase = try await ChangeStamp.current(on: db)
        XCTAssertGreaterThan(afterCase, before)
        _ = try await CaseRecord.query(on: db).all()
        _ = try await StaffCases(database: db).page(.init(), offset: 0, limit: 10)
        let afterReads = try await ChangeStamp.current(on: db)
        XCTAssertEqual(afterReads, afterCase, "reading changes nothing")
        let berit = try await make.authors().staff
        try await CaseConversation(database: db).add(caseId: record.id!, author: berit, body: "Hej")
        let afterMessage = try await ChangeStamp.current(on: db)
        XCTAssertGreaterThan(afterMessage, afterCase)
    }
}
