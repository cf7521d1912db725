@testable import CaseportWeb
import Foundation
import XCTest

/// Issue 17: the portal list's rows are written by `PortalCaseListController.rowsHTML` instead of the
/// template's loop. The loop below is the template's as it was (with the real status badge it
/// extended); Leaf renders it for rows full of characters that need escaping, and the Swift rows must
/// be the same bytes.
final class CaseListRowsHTMLTests: XCTestCase {
    /// `portal/case-list.leaf`'s row loop before issue 17 (between `<tbody>` and `</tbody>`; its first
    /// line's indentation, written once before the rows, left out).
    static let loop = #"""
#for(row in cases):
    <tr data-case-number="#(row.number)"#if(row.hasNews): class="has-news"#endif>
      <td class="nowrap cell-number" data-label="#(layout.t.case_number)"><a href="#route("portal.case", row.number)">#(row.number)</a>#if(row.hasNews): <span class="marker marker-news" title="#(layout.t.marker_news)"><span aria-hidden="true">➜</span><span class="visually-hidden">#(layout.t.marker_news)</span></span>#endif</td>
      <td class="subject" data-label="#(layout.t.case_subject)"><a href="#route("portal.case", row.number)">#(row.subject)</a>#if(row.hasRows): <a class="actions-link" href="#route("portal.caseActions", row.number)">#(layout.t.actions_link)</a>#endif</td>
      <td class="description" data-label="#(layout.t.case_description)"><span class="preview" tabindex="0">#(row.summary)<span class="preview-full" role="tooltip">#(row.preview)</span></span></td>
      <td class="cell-created" data-label="#(layout.t.case_created)"><span class="nowrap">#(row.createdAt)</span><br><span class="muted">#(row.createdBy)</span>
        <span class="tag#if(row.fromPortal): tag-portal#endif">#if(row.fromPortal):#(layout.t.origin_portal)#else:#(layout.t.origin_company)#endif</span></td>
      <td class="nowrap cell-updated" data-label="#(layout.t.list_last_updated)">#(row.updatedAt)</td>
      <td class="cell-status" data-label="#(layout.t.case_status)">#extend("shared/status-badge", row)</td>
      #for(cell in row.extra):<td data-label="#(cell.label)">#(cell.value)</td>#endfor
    </tr>
  #endfor
"""#

    private func leafRows(_ rows: [PortalCaseListController.CaseRow], strings: [String: String]) throws -> String {
        struct Context: Encodable {
            var cases: [PortalCaseListController.CaseRow]
            var layout: LeafLoopRendering.Strings
        }
        return try LeafLoopRendering.render(Self.loop, Context(cases: rows, layout: .init(t: strings)))
    }

    func testTheRowsAreTheBytesTheTemplatesLoopWrote() throws {
        let odd = #"<b> & "q" 'a' Ärende ➜"#
        let keys = ["case_number", "marker_news", "case_subject", "actions_link", "case_description", "case_created",
                    "origin_portal", "origin_company", "list_last_updated", "case_status"]
        let strings = Dictionary(uniqueKeysWithValues: keys.map { ($0, "\($0) \(odd)") })
        func row(_ n: Int, news: Bool, portal: Bool, rows: Bool, extra: [PortalCaseListController.Cell]) -> PortalCaseListController.CaseRow {
            PortalCaseListController.CaseRow(
                number: n, subject: "Läcka \(odd)", summary: "Kort \(odd)", preview: "Lång\n\(odd)", status: "Pågår \(odd)",
                closed: !news, tone: "in-progress", createdAt: "2026-12-04 10:00", updatedAt: "04.12.2026 11.30",
                createdBy: "Anna \(odd)", fromPortal: portal, hasNews: news, extra: extra, hasRows: rows)
        }
        let rows = [
            row(100_001, news: true, portal: true, rows: true, extra: [.init(value: "Fukt \(odd)", label: "Kategori \(odd)"), .init(value: "–", label: "Objekt")]),
            row(100_002, news: false, portal: false, rows: false, extra: []),
            row(7, news: true, portal: false, rows: false, extra: [.init(value: "", label: "")]),
        ]
        let swift = PortalCaseListController.rowsHTML(rows, strings: strings)
        XCTAssertEqual(swift, try leafRows(rows, strings: strings))
        XCTAssertFalse(swift.contains("<b>"), "every value is escaped")
        XCTAssertEqual(PortalCaseListController.rowsHTML([], strings: strings), try leafRows([], strings: strings))
        // A missing string is empty, as Leaf shows a missing key.
        XCTAssertEqual(PortalCaseListController.rowsHTML(rows, strings: [:]), try leafRows(rows, strings: [:]))
    }
}
