@testable import CaseportStore
import XCTest

/// Which rows a list page reads, and from which end (`VisibleCases.Window`): the page's cases are the
/// same either way, so the window read from the end must cover exactly the page.
final class ListWindowTests: XCTestCase {
    /// The window as [offset, limit, 1 when read from the end].
    func window(_ offset: Int, _ limit: Int, _ total: Int?) -> [Int] {
        let window = VisibleCases.Window(offset: offset, limit: limit, total: total)
        return [window.offset, window.limit, window.fromTheEnd ? 1 : 0]
    }

    func testAPageInTheFirstHalfIsReadAsAsked() {
        XCTAssertEqual(window(0, 25, 2_000), [0, 25, 0])
        XCTAssertEqual(window(975, 25, 2_000), [975, 25, 0])
    }

    func testAPagePastTheMiddleIsReadFromTheEnd() {
        // Cases 1 000–1 024 of 2 000 are the 976th to the 1 000th from the end.
        XCTAssertEqual(window(1_000, 25, 2_000), [975, 25, 1])
        XCTAssertEqual(window(1_975, 25, 2_000), [0, 25, 1])
    }

    func testAShortLastPageReadsOnlyWhatIsThere() {
        // 2 027 cases: the last page (offset 2 025) holds two.
        XCTAssertEqual(window(2_025, 25, 2_027), [0, 2, 1])
    }

    func testWithoutATotalOrPastTheEndThePageIsAsAsked() {
        XCTAssertEqual(window(1_975, 25, nil), [1_975, 25, 0])
        XCTAssertEqual(window(2_000, 25, 2_000), [2_000, 25, 0])
        XCTAssertEqual(window(Int.max - 3, 25, Int.max), [Int.max - 3, 25, 0])
    }

    /// Every window read from the end, walked for every page of small lists, is the page: same rows.
    func testEveryPageOfSmallListsIsCoveredExactly() {
        for total in 0...40 {
            let list = Array(0..<total)
            for limit in 1...8 {
                for offset in stride(from: 0, to: total + limit, by: limit) {
                    let asked = Array(list.dropFirst(offset).prefix(limit))
                    let window = VisibleCases.Window(offset: offset, limit: limit, total: total)
                    let read = window.fromTheEnd
                        ? Array(list.reversed().dropFirst(window.offset).prefix(window.limit).reversed())
                        : Array(list.dropFirst(window.offset).prefix(window.limit))
                    XCTAssertEqual(read, asked, "total \(total), limit \(limit), offset \(offset)")
                    if window.fromTheEnd { XCTAssertLessThan(window.offset, offset) }
                }
            }
        }
    }
}
