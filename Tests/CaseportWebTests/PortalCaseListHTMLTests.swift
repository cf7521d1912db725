@testable import CaseportWeb
import CaseportCore
import Foundation
import Vapor
import XCTest

/// Issue 17 (session 17): the portal's case list is written by `ListPage.bodyHTML` instead of
/// `portal/case-list.leaf`. The template below is the file as it was; Leaf renders it (with the real
/// `shared/pagination` partial and the app's form tags) for many lists — empty and full, filtered or not,
/// sorted by each column, with and without customers and objects to choose, date errors, first, middle
/// and last pages, strings of a language, strings full of characters to escape and none — and the Swift
/// list must be the same bytes.
final class PortalCaseListHTMLTests: XCTestCase {
    static let template = ##"""
<div class="page-head">
  <h1>#(layout.t.cases_title)</h1>
  <a class="button button-primary" href="#route("portal.newCase")">#(layout.t.new_case_button)</a>
</div>
<form class="card search" method="get" action="#route("portal.cases")" role="search" aria-label="#(layout.t.search_label)">
  <div class="search-main">
    <div class="field grow">
      <label for="q">#(layout.t.search_text)</label>
      <input id="q" name="q" type="search" value="#(q)" maxlength="200" placeholder="#(layout.t.search_placeholder)">
    </div>
    <div class="field">
      <label for="state">#(layout.t.filter_state)</label>
      <select id="state" name="state">#options(states)</select>
    </div>
    <button type="submit" class="button button-primary">#(layout.t.search_submit)</button>
  </div>
  #if(sort.key):<input type="hidden" name="sort" value="#(sort.key)"><input type="hidden" name="dir" value="#(sort.dir)">#endif
  <details class="filters"#if(filtered): open#endif>
    <summary>#(layout.t.search_more_filters)</summary>
    <div class="filter-grid">
      <div class="field">
        <label for="status">#(layout.t.case_status)</label>
        <select id="status" name="status"><option value="">#(layout.t.filter_any)</option>#options(statuses)</select>
      </div>
      <div class="field">
        <label for="category">#(layout.t.case_category)</label>
        <select id="category" name="category"><option value="">#(layout.t.filter_any)</option>#options(categories)</select>
      </div>
      <div class="field">
        <label for="type">#(layout.t.case_type)</label>
        <select id="type" name="type"><option value="">#(layout.t.filter_any)</option>#options(types)</select>
      </div>
      #if(count(customers) > 0):<div class="field">
        <label for="customer">#(layout.t.case_customer)</label>
        <select id="customer" name="customer"><option value="">#(layout.t.filter_any)</option>#options(customers)</select>
      </div>#endif
      #if(count(objects) > 0):<div class="field">
        <label for="object">#(layout.t.case_object)</label>
        <select id="object" name="object"><option value="">#(layout.t.filter_any)</option>#options(objects)</select>
      </div>#endif
      <div class="field">
        <label for="from">#(layout.t.filter_from)</label>
        <input id="from" name="from" type="text" inputmode="numeric" autocomplete="off" maxlength="10" value="#(from)"#if(errors.from):#invalid(errors.from, "from-error")#else: aria-describedby="date-pattern"#endif>
        #fieldError(errors.from, "from-error")
      </div>
      <div class="field">
        <label for="to">#(layout.t.filter_to)</label>
        <input id="to" name="to" type="text" inputmode="numeric" autocomplete="off" maxlength="10" value="#(to)"#if(errors.to):#invalid(errors.to, "to-error")#else: aria-describedby="date-pattern"#endif>
        #fieldError(errors.to, "to-error")
      </div>
      <p class="hint" id="date-pattern">#(layout.t.date_format_hint) #(datePattern)</p>
    </div>
    #if(filtered):<p><a href="#route("portal.cases")">#(layout.t.search_clear)</a></p>#endif
  </details>
</form>
<p class="muted result-count" role="status">#(layout.t.cases_total): #(paging.total)</p>
#if(caseCount == 0):
<div class="empty">#if(filtered):#(layout.t.search_no_hits)#else:#(layout.t.cases_empty)#endif</div>
#else:
<div class="table-scroll" role="region" aria-labelledby="cases-caption" tabindex="0">
<table class="table table-cards case-cards case-list-table">
  <caption id="cases-caption" class="visually-hidden">#(layout.t.cases_title)</caption>
  <thead>
    <tr>
      <th scope="col"#if(sort.number.ariaSort): aria-sort="#(sort.number.ariaSort)"#endif><a class="sort-link" href="#(sort.number.href)">#(layout.t.case_number)#if(sort.number.arrow): <span aria-hidden="true">#(sort.number.arrow)</span>#endif</a></th>
      <th scope="col"#if(sort.subject.ariaSort): aria-sort="#(sort.subject.ariaSort)"#endif><a class="sort-link" href="#(sort.subject.href)">#(layout.t.case_subject)#if(sort.subject.arrow): <span aria-hidden="true">#(sort.subject.arrow)</span>#endif</a></th>
      <th scope="col">#(layout.t.case_description)</th>
      <th scope="col"#if(sort.created.ariaSort): aria-sort="#(sort.created.ariaSort)"#endif><a class="sort-link" href="#(sort.created.href)">#(layout.t.case_created)#if(sort.created.arrow): <span aria-hidden="true">#(sort.created.arrow)</span>#endif</a></th>
      <th scope="col"#if(sort.activity.ariaSort): aria-sort="#(sort.activity.ariaSort)"#endif><a class="sort-link" href="#(sort.activity.href)">#(layout.t.list_last_updated)#if(sort.activity.arrow): <span aria-hidden="true">#(sort.activity.arrow)</span>#endif</a></th>
      <th scope="col">#(layout.t.case_status)</th>
      #for(column in columns):<th scope="col">#(column.label)</th>#endfor
    </tr>
  </thead>
  <tbody>
  #unsafeHTML(rowsHTML)
  </tbody>
</table>
</div>
#extend("shared/pagination")
#endif

"""##

    func testTheListIsTheBytesTheTemplateWrote() async throws {
        let harness = try await WebHarness(loadDemo: false)
        do {
            let (odd, sorts) = (PageHTMLFixtures.odd, PageHTMLFixtures.sorts)
            let base = Layout(PageHTMLFixtures.request(harness, "/cases"), title: "Ärenden", wide: true)
            let tables = PageHTMLFixtures.stringTables(harness)
            XCTAssertFalse(tables[0].isEmpty)
            XCTAssertEqual(PageHTMLFixtures.keysMissingInSomeLanguage(Self.template, harness), [])
            var pages: [PortalCaseListController.ListPage] = []
            var index = 0
            for caseCount in [0, 3] {
                for filtered in [false, true] {
                    for (total, requested) in [(0, 1), (30, 2), (1_000, 1), (1_000, 20), (1_000, 40), (1_000, 39)] {
                        for errors in [[:], ["from": "Fel \(odd)"], ["to": "", "from": "x"]] as [[String: String]] {
                            var layout = base
                            layout.t = PageStrings(tables[index % tables.count])
                            let sort = sorts[index % sorts.count]
                            let paging = Paging(requested: requested, total: total, pageSize: 25, withEnds: true) { "/cases?q=\(odd)&page=\($0)" }
                            pages.append(PortalCaseListController.ListPage(
                                layout: layout, caseCount: caseCount,
                                columns: index % 2 == 0 ? [] : [.init(key: "category", label: "Kategori \(odd)"), .init(key: "object", label: "Objekt")],
                                paging: paging, sort: SortHeaders(current: sort) { "/cases?sort=\($0.key.rawValue)&dir=\($0.direction.rawValue)&q=\(odd)" },
                                q: index % 3 == 0 ? "" : "läcka \(odd)", from: index % 4 == 0 ? "" : "2026-12-01", to: index % 5 == 0 ? "" : odd,
                                datePattern: "ÅÅÅÅ-MM-DD \(odd)",
                                states: PageHTMLFixtures.options("state", 4, selected: index % 4), statuses: PageHTMLFixtures.options("status", 6, selected: nil),
                                categories: PageHTMLFixtures.options("cat", index % 3, selected: 1), types: PageHTMLFixtures.options("type", 2, selected: index % 2),
                                customers: PageHTMLFixtures.options("cust", index % 2 == 0 ? 0 : 3, selected: 2), objects: PageHTMLFixtures.options("obj", index % 3 == 0 ? 0 : 2, selected: nil),
                                filtered: filtered, errors: errors,
                                rowsHTML: caseCount == 0 ? "" : "\n    <tr><td>\(odd)</td></tr>\n  "))
                            index += 1
                        }
                    }
                }
            }
            for page in pages {
                let expected = try LeafLoopRendering.render(Self.template, page, partials: ["shared/pagination"])
                let swift = page.bodyHTML()
                if swift != expected {
                    XCTFail("cases \(page.caseCount) filtered \(page.filtered) total \(page.paging.total) page \(page.paging.page) errors \(page.errors) \(LeafLoopRendering.difference(swift, expected))")
                    break
                }
            }
            // What the comparison covered, and nothing is left unescaped but the rows (written by `rowsHTML`).
            let all = pages.map { $0.bodyHTML() }
            XCTAssertTrue(all.contains { $0.contains(#"aria-invalid="true""#) && $0.contains(#"class="field-error""#) })
            XCTAssertTrue(all.contains { $0.contains(#"aria-sort="ascending""#) && $0.contains(#"rel="next""#) && $0.contains(#"rel="prev""#) })
            XCTAssertTrue(all.contains { $0.contains(#"id="customer""#) } && all.contains { !$0.contains(#"id="customer""#) })
            XCTAssertTrue(all.contains { $0.contains(#"class="empty""#) } && all.contains { $0.contains("<table") })
            XCTAssertFalse(all.contains { $0.replacingOccurrences(of: "<td><b>", with: "").contains("<b>") }, "every value is escaped")
        } catch {
            try await harness.shutdown()
            throw error
        }
        try await harness.shutdown()
    }
}
