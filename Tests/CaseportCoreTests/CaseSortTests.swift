import CaseportCore
import XCTest

/// Issue 12 point 4: the list order read from the URL is validated; anything unknown is the default.
final class CaseSortTests: XCTestCase {
    func testUnknownOrMissingValuesAreTheDefaultLastActivity() {
        XCTAssertEqual(CaseSort(key: nil, direction: nil), CaseSort.lastActivity)
        XCTAssertEqual(CaseSort(key: "bogus", direction: "asc"), CaseSort.lastActivity)
        XCTAssertEqual(CaseSort(key: "'; DROP TABLE cases; --", direction: "desc"), CaseSort.lastActivity)
        XCTAssertEqual(CaseSort(key: "", direction: ""), CaseSort.lastActivity)
        XCTAssertEqual(CaseSort(key: "SUBJECT", direction: "asc"), CaseSort.lastActivity, "keys are exact")
        XCTAssertTrue(CaseSort(key: nil, direction: nil).isDefault)
        XCTAssertEqual(CaseSort.lastActivity.key, .activity)
        XCTAssertEqual(CaseSort.lastActivity.direction, .descending)
    }

    func testAKnownKeyWithABadDirectionTakesTheKeysFirstDirection() {
        XCTAssertEqual(CaseSort(key: "subject", direction: nil), CaseSort(key: .subject, direction: .ascending))
        XCTAssertEqual(CaseSort(key: "subject", direction: "sideways"), CaseSort(key: .subject, direction: .ascending))
        XCTAssertEqual(CaseSort(key: "created", direction: "up"), CaseSort(key: .created, direction: .descending))
        XCTAssertEqual(CaseSort(key: "number", direction: "asc"), CaseSort(key: .number, direction: .ascending))
        XCTAssertEqual(CaseSort(key: "activity", direction: "asc"), CaseSort(key: .activity, direction: .ascending))
    }

    func testAColumnHeaderTogglesTheCurrentColumnAndStartsAnotherInItsFirstDirection() {
        let current = CaseSort(key: .created, direction: .descending)
        XCTAssertEqual(current.toggled(to: .created), CaseSort(key: .created, direction: .ascending))
        XCTAssertEqual(current.toggled(to: .subject), CaseSort(key: .subject, direction: .ascending))
        XCTAssertEqual(current.toggled(to: .number), CaseSort(key: .number, direction: .descending))
        XCTAssertEqual(CaseSort.lastActivity.toggled(to: .activity), CaseSort(key: .activity, direction: .ascending))
    }

    func testTheDefaultOrderLeavesNoTraceInLinksAndIsNoFilter() {
        XCTAssertTrue(CaseSort.lastActivity.queryItems.allSatisfy { $0.1 == nil })
        let bySubject = CaseSort(key: .subject, direction: .descending).queryItems
        XCTAssertEqual(bySubject.map(\.0), ["sort", "dir"])
        XCTAssertEqual(bySubject.map(\.1), ["subject", "desc"])
        var filter = CaseFilter()
        filter.sort = CaseSort(key: .subject, direction: .ascending)
        XCTAssertTrue(filter.isEmpty, "an order is not a filter")
        filter.text = "kran"
        XCTAssertFalse(filter.isEmpty)
        var staff = StaffCaseFilter()
        staff.base.sort = CaseSort(key: .number, direction: .ascending)
        XCTAssertTrue(staff.isEmpty)
    }
}
