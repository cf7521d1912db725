@testable import CaseportWeb
import CaseportCore
import Foundation
import Vapor
import XCTest

/// Issue 17 (session 17): the back office's case list is written by `ListPage.bodyHTML` inside
/// `Layout.pageHTML` instead of `staff/cases.leaf`. The template below is the file as it was; Leaf renders
/// it (with the real layout, CSRF field, notice and pagination partials and the app's form tags) for many
/// lists — empty and full, filters open or not, sorted by each column, unread or not, with and without a
/// notice, first, middle and last pages, strings of a language, strings full of characters to escape and
/// none — and the Swift page must be the same bytes.
final class StaffCaseListHTMLTests: XCTestCase {
    static let template = ##"""
#extend("shared/layout"):
#export("body"):
<div class="page-head">
  <h1>#(layout.t.staff_cases_title)</h1>
  <form method="post" action="#route("staff.casesMarkAllRead")">
    #extend("shared/csrf")
    <a href="#route("staff.cases")?unread=1">#(layout.t.staff_unread_cases): <strong>#(unreadTotal)</strong></a>
    #if(hasUnread):<button type="submit" class="button button-small">#(layout.t.staff_mark_all_read_mine)</button>#endif
  </form>
  <a class="button button-primary" href="#route("staff.newCase")">#(layout.t.staff_new_case_title)</a>
</div>
#extend("shared/notice")
<form class="card search" method="get" action="#route("staff.cases")" role="search" aria-label="#(layout.t.search_label)">
  <div class="search-main">
    <div class="field grow">
      <label for="q">#(layout.t.search_text)</label>
      <input id="q" name="q" type="search" value="#(q)" maxlength="200" placeholder="#(layout.t.search_placeholder)">
    </div>
    <button type="submit" class="button button-primary">#(layout.t.search_submit)</button>
  </div>
  #if(sort.key):<input type="hidden" name="sort" value="#(sort.key)"><input type="hidden" name="dir" value="#(sort.dir)">#endif
  <details class="filters"#if(panelOpen): open#endif>
  <summary>#if(panelOpen):#(layout.t.list_filters_active)#else:#(layout.t.list_filters)#endif</summary>
  <div class="filter-grid">
    <div class="field"><label for="status">#(layout.t.case_status)</label>
      <select id="status" name="status"><option value="">#(layout.t.filter_any)</option>#options(statuses)</select></div>
    <div class="field"><label for="handler">#(layout.t.staff_field_handler)</label>
      <select id="handler" name="handler"><option value="">#(layout.t.filter_any)</option>#options(handlers)</select></div>
    <div class="field"><label for="customer">#(layout.t.case_customer)</label>
      <select id="customer" name="customer"><option value="">#(layout.t.filter_any)</option>#options(customers)</select></div>
    <div class="field"><label for="category">#(layout.t.case_category)</label>
      <select id="category" name="category"><option value="">#(layout.t.filter_any)</option>#options(categories)</select></div>
    <div class="field"><label for="type">#(layout.t.case_type)</label>
      <select id="type" name="type"><option value="">#(layout.t.filter_any)</option>#options(types)</select></div>
    <div class="field"><label for="priority">#(layout.t.case_priority)</label>
      <select id="priority" name="priority"><option value="">#(layout.t.filter_any)</option>#options(priorities)</select></div>
  </div>
  <label class="check"><input type="checkbox" name="unread" value="1"#if(unreadOnly): checked#endif> #(layout.t.staff_unread_only)</label>
  <p><button type="submit" class="button">#(layout.t.list_filters_apply)</button></p>
  </details>
</form>
<p class="muted result-count" role="status">#(layout.t.cases_total): #(total)#if(filtered): · <a href="#route("staff.cases")">#(layout.t.search_clear)</a>#endif</p>
#if(rowCount == 0):<div class="empty">#(layout.t.search_no_hits)</div>#else:
<div class="table-scroll" role="region" aria-labelledby="staff-cases-caption" tabindex="0">
<table class="table table-cards case-list-table">
  <caption id="staff-cases-caption" class="visually-hidden">#(layout.t.staff_cases_title)</caption>
  <thead><tr>
    <th scope="col"#if(sort.number.ariaSort): aria-sort="#(sort.number.ariaSort)"#endif><a class="sort-link" href="#(sort.number.href)">#(layout.t.case_number)#if(sort.number.arrow): <span aria-hidden="true">#(sort.number.arrow)</span>#endif</a></th>
    <th scope="col"#if(sort.subject.ariaSort): aria-sort="#(sort.subject.ariaSort)"#endif><a class="sort-link" href="#(sort.subject.href)">#(layout.t.case_subject)#if(sort.subject.arrow): <span aria-hidden="true">#(sort.subject.arrow)</span>#endif</a></th>
    <th scope="col">#(layout.t.case_customer)</th><th scope="col">#(layout.t.case_object)</th><th scope="col">#(layout.t.staff_field_handler)</th><th scope="col">#(layout.t.case_priority)</th>
    <th scope="col"#if(sort.created.ariaSort): aria-sort="#(sort.created.ariaSort)"#endif><a class="sort-link" href="#(sort.created.href)">#(layout.t.case_created)#if(sort.created.arrow): <span aria-hidden="true">#(sort.created.arrow)</span>#endif</a></th>
    <th scope="col"#if(sort.activity.ariaSort): aria-sort="#(sort.activity.ariaSort)"#endif><a class="sort-link" href="#(sort.activity.href)">#(layout.t.list_last_updated)#if(sort.activity.arrow): <span aria-hidden="true">#(sort.activity.arrow)</span>#endif</a></th>
    <th scope="col">#(layout.t.case_status)</th></tr></thead>
  <tbody>
  #unsafeHTML(rowsHTML)
  </tbody>
</table>
</div>
#extend("shared/pagination")
#endif
#endexport
#endextend

"""##

    func testTheListIsTheBytesTheTemplateWrote() async throws {
        let harness = try await WebHarness(loadDemo: false)
        do {
            let (odd, sorts) = (PageHTMLFixtures.odd, PageHTMLFixtures.sorts)
            let base = Layout(PageHTMLFixtures.request(harness, "/staff/cases"), title: "Ärenden", area: "staff", wide: true)
            let tables = PageHTMLFixtures.stringTables(harness)
            XCTAssertFalse(tables[0].isEmpty)
            XCTAssertEqual(PageHTMLFixtures.keysMissingInSomeLanguage(Self.template, harness), [])
            var pages: [StaffCasesController.ListPage] = []
            var index = 0
            for rowCount in [0, 2] {
                for (filtered, panelOpen) in [(false, false), (true, false), (true, true)] {
                    for (total, requested) in [(0, 1), (120, 2), (1_000, 1), (1_000, 20)] {
                        for notice in [nil, "", "Klart \(odd)"] as [String?] {
                            var layout = base
                            layout.t = PageStrings(tables[index % tables.count])
                            let sort = sorts[index % sorts.count]
                            let paging = Paging(requested: requested, total: total, pageSize: 50) { "/staff/cases?q=\(odd)&page=\($0)" }
                            pages.append(StaffCasesController.ListPage(
                                layout: layout, rowCount: rowCount, rowsHTML: rowCount == 0 ? "" : "\n    <tr><td>\(odd)</td></tr>\n  ",
                                total: index % 2 == 0 ? String(total) : "fler än 1 000 \(odd)", unreadTotal: index % 3 == 0 ? "0" : "12 \(odd)",
                                hasUnread: index % 3 != 0, paging: paging,
                                sort: SortHeaders(current: sort) { "/staff/cases?sort=\($0.key.rawValue)&dir=\($0.direction.rawValue)&q=\(odd)" },
                                q: index % 4 == 0 ? "" : "läcka \(odd)",
                                statuses: PageHTMLFixtures.options("status", 7, selected: index % 7), handlers: PageHTMLFixtures.options("handler", 3, selected: nil),
                                categories: PageHTMLFixtures.options("cat", index % 3, selected: 1), types: PageHTMLFixtures.options("type", 2, selected: index % 2),
                                priorities: PageHTMLFixtures.options("prio", 3, selected: 0), customers: PageHTMLFixtures.options("cust", index % 2 == 0 ? 0 : 40, selected: 7),
                                unreadOnly: index % 2 == 1, filtered: filtered, panelOpen: panelOpen, notice: notice))
                            index += 1
                        }
                    }
                }
            }
            for page in pages {
                let expected = try LeafLoopRendering.render(Self.template, page, partials: ["shared/layout", "shared/chat-corner", "shared/csrf",
                                                                                           "shared/notice", "shared/pagination"])
                let swift = page.layout.pageHTML(body: page.bodyHTML())
                if swift != expected {
                    XCTFail("rows \(page.rowCount) filtered \(page.filtered) total \(page.total) page \(page.paging.page) notice \(page.notice ?? "nil") \(LeafLoopRendering.difference(swift, expected))")
                    break
                }
            }
            // What the comparison covered, and nothing is left unescaped but the rows (written by `rowsHTML`).
            let all = pages.map { $0.layout.pageHTML(body: $0.bodyHTML()) }
            XCTAssertTrue(all.contains { $0.contains(#"aria-sort="descending""#) && $0.contains(#"rel="next""#) && $0.contains(#"rel="prev""#) })
            XCTAssertTrue(all.contains { $0.contains("alert-success") } && all.contains { $0.contains(#"class="empty""#) })
            XCTAssertTrue(all.contains { $0.contains(#"<details class="filters" open>"#) && $0.contains(" checked>") })
            XCTAssertFalse(all.contains { $0.replacingOccurrences(of: "<td><b>", with: "").contains("<b>") }, "every value is escaped")
        } catch {
            try await harness.shutdown()
            throw error
        }
        try await harness.shutdown()
    }
}
