@testable import CaseportWeb
import CaseportCore
import LeafKit
import Vapor
import XCTest

/// Issue 17 (session 12): the top of every page's frame (skip link through `</header>`) is written by
/// `Layout.headerHTML` instead of `shared/layout.leaf`. The fragment below is the template's as it was
/// (with the real `shared/csrf` partial it extended and the real `#route` tag); Leaf renders it for
/// many frames — each area and menu section, administrators or not, badges with and without counts,
/// signed in or not, every language selected, values full of characters that need escaping — and the
/// Swift header must be the same bytes.
final class LayoutHeaderHTMLTests: XCTestCase {
    static let fragment = ##"""
<a class="skip-link" href="#main">#(layout.t.skip_to_content)</a>
<header class="topbar">
  <div class="topbar-inner">
    <a class="brand" href="#if(layout.area == "staff"):#route("staff.home")#elseif(layout.area == "claim"):#route("claim.overview")#else:#route("portal.home")#endif">#if(layout.logoURL):<img class="brand-logo" src="#(layout.logoURL)" alt="Caseport">#else:Caseport#endif#if(layout.area == "staff"): <span class="brand-area">#(layout.t.staff_area)</span>#endif</a>
    <button type="button" class="menu-button" id="menu-button" aria-expanded="false" aria-controls="menu-panel" hidden>#(layout.t.menu_button)</button>
    <div class="menu-panel" id="menu-panel">
    #if(layout.userName):
    <nav class="mainnav" aria-label="#(layout.t.nav_label)">
      #if(layout.area == "staff"):<a href="#route("staff.home")">#(layout.t.nav_staff_home)</a><a href="#route("staff.cases")"#if(layout.section == "staff-cases"): aria-current="page"#endif>#(layout.t.nav_cases)</a><a href="#route("staff.inbox")"#if(layout.section == "inbox"): aria-current="page"#endif>#(layout.t.inbox_nav)#if(layout.inboxCount > 0): <span class="badge" id="inbox-badge"><span class="visually-hidden">(</span>#(layout.inboxCount)<span class="visually-hidden"> #(layout.t.inbox_badge_unprocessed))</span></span>#endif</a><a href="#route("chat.console")"#if(layout.section == "staff-chat"): aria-current="page"#endif>#(layout.t.staff_chat_nav)</a><a href="#route("staff.customers")"#if(layout.section == "master"): aria-current="page"#endif>#(layout.t.nav_master_data)</a>#if(layout.staffAdmin):<a href="#route("staff.staffUsers")"#if(layout.section == "staff-users"): aria-current="page"#endif>#(layout.t.nav_staff_users)</a><a href="#route("staff.audit")"#if(layout.section == "audit"): aria-current="page"#endif>#(layout.t.nav_audit)</a><a href="#route("staff.settings")"#if(layout.section == "settings"): aria-current="page"#endif>#(layout.t.settings_nav)</a><a href="#route("staff.outbox")"#if(layout.section == "outbox"): aria-current="page"#endif>#(layout.t.outbox_title)</a><a href="#route("staff.priceList")"#if(layout.section == "price-list"): aria-current="page"#endif>#(layout.t.price_list_nav)</a>#endif<a href="#route("staff.dashboard", "cases")"#if(layout.section == "staff-dashboards"): aria-current="page"#endif>#(layout.t.dashboards_nav)</a><a href="#route("staff.specifications")"#if(layout.section == "specifications"): aria-current="page"#endif>#(layout.t.specs_nav)</a>#else:<a href="#route("portal.cases")"#if(layout.section == "cases"): aria-current="page"#endif>#(layout.t.nav_cases)</a>#if(layout.needsActionCount > 0):<a href="#route("portal.cases")?state=action" id="needs-action-link">#(layout.t.nav_needs_action) <span class="badge"><span class="visually-hidden">(</span>#(layout.needsActionCount)<span class="visually-hidden">)</span></span></a>#endif<a href="#route("portal.newCase")"#if(layout.section == "new"): aria-current="page"#endif>#(layout.t.nav_new_case)</a><a href="#route("portal.files")"#if(layout.section == "files"): aria-current="page"#endif>#(layout.t.nav_files)</a>#if(layout.showUsers):<a href="#route("portal.users")"#if(layout.section == "users"): aria-current="page"#endif>#(layout.t.nav_users)</a>#endif#if(layout.showInquiries):<a href="#route("portal.inquiries")"#if(layout.section == "inquiries"): aria-current="page"#endif>#(layout.t.inquiries_nav)</a>#endif#if(layout.showDashboards):<a href="#route("portal.dashboard", "cases")"#if(layout.section == "dashboards"): aria-current="page"#endif>#(layout.t.dashboards_nav)</a>#endif#if(layout.showReports):<a href="#route("portal.reports")"#if(layout.section == "reports"): aria-current="page"#endif>#(layout.t.reports_nav)</a>#endif#if(layout.showSpecifications):<a href="#route("portal.specifications")"#if(layout.section == "specifications"): aria-current="page"#endif>#(layout.t.specs_nav)</a>#endif#endif
    </nav>
    #endif
    <div class="topbar-tools">
      <form class="language-switch" method="post" action="#route("portal.language")">
        #extend("shared/csrf")
        <input type="hidden" name="returnTo" value="#(layout.path)">
        <span id="language-label" class="visually-hidden">#(layout.t.language_label)</span>
        <div class="language-buttons" role="group" aria-labelledby="language-label">
          #for(choice in layout.languages):<button type="submit" name="language" value="#(choice.code)" lang="#(choice.code)"#if(choice.selected): aria-current="true"#endif><span class="flag" aria-hidden="true">#(choice.flag)</span><span class="language-name">#(choice.name)</span></button>#endfor
        </div>
      </form>
      #if(layout.userName):
      <form method="post" action="#if(layout.area == "staff"):#route("staff.logout")#else:#route("portal.logout")#endif" class="logout-form">
        #extend("shared/csrf")
        #if(layout.accountPath):<a class="signed-in-as" href="#(layout.accountPath)">#(layout.userName)</a>#else:<span class="signed-in-as">#(layout.userName)</span>#endif
        <button type="submit" class="button button-small button-quiet">#(layout.t.logout)</button>
      </form>
      #endif
    </div>
    </div>
  </div>
</header>
"""##

    /// Between two rendered frames in one Leaf render (the fragment looped over every layout).
    private static let separator = "\n<!-- next frame -->\n"

    private func leafHeaders(_ layouts: [Layout]) throws -> [String] {
        let template = "#for(layout in layouts):" + Self.fragment + Self.separator + "#endfor"
        let html = try LeafLoopRendering.render(template, tags: ["route": RouteTag()], partials: ["shared/csrf"],
                                                context: ["layouts": .array(layouts.map(\.leafData))])
        var parts = html.components(separatedBy: Self.separator)
        XCTAssertEqual(parts.removeLast(), "", "the loop ends with a separator")
        return parts
    }

    func testTheHeaderIsTheBytesTheTemplateWrote() async throws {
        let harness = try await WebHarness(loadDemo: false)
        do {
            let odd = #"<b> & "q" 'a' Ärende ●"#
            let request = Request(application: harness.app, url: "/cases?page=2&q=l%C3%A4cka", on: harness.app.eventLoopGroup.next())
            request.language = .sv
            request.csrfToken = "tok&<en>\"'"
            let base = Layout(request, title: "Ärenden", wide: true)
            // Real strings of every language, strings with characters to escape, and none (a missing key is empty).
            var tables = Language.allCases.map { harness.app.caseport.pageStrings[$0]?.table ?? [:] }
            XCTAssertFalse(tables[0].isEmpty)
            tables.append(tables[0].mapValues { "\($0) \(odd)" })
            tables.append([:])
            let sections = ["", "cases", "new", "files", "users", "inquiries", "dashboards", "reports", "specifications",
                            "staff-cases", "inbox", "staff-chat", "master", "staff-users", "audit", "settings", "outbox",
                            "price-list", "staff-dashboards", "other"]
            var layouts: [Layout] = []
            var index = 0
            for area in ["portal", "staff", "claim"] {
                for section in sections {
                    for admin in [false, true] {
                        for counts in [(0, 0), (3, 12)] {
                            for userName in [nil, "", "Anna \(odd)"] as [String?] {
                                var layout = base
                                layout.area = area
                                layout.section = section
                                layout.staffAdmin = admin
                                layout.inboxCount = counts.0
                                layout.needsActionCount = counts.1
                                layout.userName = userName
                                layout.t = PageStrings(tables[index % tables.count])
                                layout.accountPath = index % 3 == 0 ? nil : index % 3 == 1 ? "/users/7" : "/users/\(odd)"
                                layout.logoURL = index % 4 < 2 ? nil : index % 4 == 2 ? "/branding/logo?v=2&x=1" : odd
                                layout.brandingStylesheet = index % 5 == 0 ? nil : "/branding.css?v=\(index)&a=<b>"
                                layout.showUsers = index & 1 != 0
                                layout.showInquiries = index & 2 != 0
                                layout.showDashboards = index & 4 != 0
                                layout.showReports = index & 8 != 0
                                layout.showSpecifications = index & 16 != 0
                                let selected = index % (Language.allCases.count + 1) // the last: none selected
                                layout.languages = Language.allCases.enumerated().map { position, language in
                                    Layout.LanguageChoice(code: language.rawValue, name: index % 7 == 0 ? "\(language.nativeName) \(odd)" : language.nativeName,
                                                          flag: index % 7 == 0 ? odd : language.flag, selected: position == selected)
                                }
                                layout.path = index % 2 == 0 ? "/cases?q=\(odd)&page=2" : "/"
                                layout.csrf = index % 2 == 0 ? "token-\(index)" : "t&<\"'>"
                                layouts.append(layout)
                                index += 1
                            }
                        }
                    }
                }
            }
            let leaf = try leafHeaders(layouts)
            XCTAssertEqual(leaf.count, layouts.count)
            for (layout, expected) in zip(layouts, leaf) {
                let swift = layout.headerHTML
                if swift != expected {
                    XCTFail("area \(layout.area) section \(layout.section) admin \(layout.staffAdmin) user \(layout.userName ?? "nil"):\nswift: \(swift)\nleaf:  \(expected)")
                    break
                }
            }
            // What the comparison covered: real pages' parts are there, and nothing is left unescaped.
            let all = layouts.map(\.headerHTML)
            XCTAssertTrue(all.contains { $0.contains(#"aria-current="page""#) && $0.contains("/staff/audit") })
            XCTAssertTrue(all.contains { $0.contains(#"id="inbox-badge""#) })
            XCTAssertTrue(all.contains { $0.contains(#"id="needs-action-link""#) })
            XCTAssertTrue(all.contains { $0.contains(#"class="brand-logo""#) })
            XCTAssertTrue(all.contains { $0.contains(#"class="logout-form""#) && $0.contains(#"<a class="signed-in-as""#) })
            XCTAssertTrue(all.contains { $0.contains(#"lang="en" aria-current="true""#) })
            XCTAssertFalse(all.contains { $0.contains("<b>") }, "every value is escaped")
            // The template audit checked every `layout.t.…` the fragment read against every language; the
            // Swift header reads the same keys, which must still be there (a missing one would be empty).
            let keys = Set(Self.fragment.components(separatedBy: "layout.t.").dropFirst().map { String($0.prefix { $0 == "_" || $0.isLetter || $0.isNumber }) })
            XCTAssertEqual(keys.count, 25)
            for language in Language.allCases {
                let table = harness.app.caseport.pageStrings[language]?.table ?? [:]
                XCTAssertEqual(keys.filter { (table[$0] ?? "").isEmpty }.sorted(), [], "\(language)")
            }
            // The page frame hands Leaf the same string.
            XCTAssertEqual(layouts[5].leafData.dictionary?["headerHTML"], .string(layouts[5].headerHTML))
        } catch {
            try await harness.shutdown()
            throw error
        }
        try await harness.shutdown()
    }
}
