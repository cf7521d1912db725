@testable import CaseportWeb
import XCTest

/// Issue 17: the staff case list's rows are written by `StaffCasesController.rowsHTML` instead of the
/// template's loop. The loop below is `staff/cases.leaf`'s as it was (with the real status badge it
/// extended); Leaf renders it for rows full of characters that need escaping, and the Swift rows must
/// be the same bytes.
final class StaffCaseRowsHTMLTests: XCTestCase {
    /// The loop from `#for` to `#endfor` (the indentation before `#for` was written once, outside it).
    static let loop = #"""
#for(r in rows):<tr data-case-number="#(r.number)"#if(r.unread): class="has-news"#endif>
    <td data-label="#(layout.t.case_number)" class="nowrap"><a href="#route("staff.case", r.number)">#(r.number)</a>#if(r.unread): <span class="marker marker-news" title="#(layout.t.staff_unread_marker)"><span aria-hidden="true">●</span><span class="visually-hidden">#(layout.t.staff_unread_marker)</span></span>#endif</td>
    <td data-label="#(layout.t.case_subject)" class="subject"><a href="#route("staff.case", r.number)">#(r.subject)</a></td>
    <td data-label="#(layout.t.case_customer)">#(r.customer)</td>
    <td data-label="#(layout.t.case_object)">#(r.object)</td>
    <td data-label="#(layout.t.staff_field_handler)">#(r.handler)</td>
    <td data-label="#(layout.t.case_priority)">#(r.priority)</td>
    <td data-label="#(layout.t.case_created)" class="nowrap">#(r.createdAt)</td>
    <td data-label="#(layout.t.list_last_updated)" class="nowrap">#(r.updatedAt)</td>
    <td data-label="#(layout.t.case_status)">#extend("shared/status-badge", r)</td>
  </tr>#endfor
"""#

    private func leafRows(_ rows: [StaffCasesController.Row], strings: [String: String]) throws -> String {
        struct Context: Encodable {
            var rows: [StaffCasesController.Row]
            var layout: LeafLoopRendering.Strings
        }
        // The loop's file ends with a line break after `#endfor`, which the template's next line has too.
        let html = try LeafLoopRendering.render(Self.loop, Context(rows: rows, layout: .init(t: strings)))
        return html.hasSuffix("\n") ? String(html.dropLast()) : html
    }

    func testTheRowsAreTheBytesTheTemplatesLoopWrote() throws {
        let odd = #"<b> & "q" 'a' Ärende ●"#
        let keys = ["case_number", "staff_unread_marker", "case_subject", "case_customer", "case_object", "staff_field_handler",
                    "case_priority", "case_created", "list_last_updated", "case_status"]
        let strings = Dictionary(uniqueKeysWithValues: keys.map { ($0, "\($0) \(odd)") })
        func row(_ n: Int, unread: Bool) -> StaffCasesController.Row {
            StaffCasesController.Row(
                number: n, subject: "Läcka \(odd)", status: "Pågår \(odd)", closed: !unread, tone: "in-progress",
                createdAt: "2026-12-04 10:00", updatedAt: "04.12.2026 11.30", customer: "Brf \(odd)", object: "Hus \(odd)",
                handler: "Anna \(odd)", priority: "–", unread: unread)
        }
        let rows = [row(100_001, unread: true), row(100_002, unread: false), row(7, unread: true)]
        let swift = StaffCasesController.rowsHTML(rows, strings: strings)
        XCTAssertEqual(swift, try leafRows(rows, strings: strings))
        XCTAssertTrue(swift.contains("/staff/cases/100002"), "each row links to its case")
        XCTAssertFalse(swift.contains("<b>"), "every value is escaped")
        XCTAssertEqual(StaffCasesController.rowsHTML([], strings: strings), try leafRows([], strings: strings))
        // A missing string is empty, as Leaf shows a missing key.
        XCTAssertEqual(StaffCasesController.rowsHTML(rows, strings: [:]), try leafRows(rows, strings: [:]))
    }
}
