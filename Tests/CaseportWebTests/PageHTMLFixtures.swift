@testable import CaseportWeb
import CaseportCore
import Vapor

/// What the tests of pages written in Swift (`PortalCaseListHTMLTests`, `StaffCaseListHTMLTests`,
/// `PortalCasePageHTMLTests`, `StaffCasePageHTMLTests`) vary their pages with.
enum PageHTMLFixtures {
    /// A value with every character `#(…)` escapes, and some that it must not.
    static let odd = #"<b> & "q" 'a' Ärende ●"#

    /// A language's real strings, the same with characters to escape, and none (a missing key is empty).
    static func stringTables(_ harness: WebHarness) -> [[String: String]] {
        let swedish = harness.app.caseport.pageStrings[.sv]?.table ?? [:]
        return [swedish, swedish.mapValues { "\($0) \(odd)" }, [:]]
    }

    /// `count` choices named with `odd`, the one at `selected` chosen.
    static func options(_ prefix: String, _ count: Int, selected: Int?) -> [SelectOption] {
        (0..<count).map { SelectOption(value: "\($0)\(prefix)", name: "\(prefix) \($0) \(odd)", selected: $0 == selected) }
    }

    /// The default order and each sortable column in one direction or the other.
    static let sorts = [CaseSort(), CaseSort(key: "number", direction: "asc"), CaseSort(key: "subject", direction: "desc"),
                        CaseSort(key: "created", direction: "asc"), CaseSort(key: "activity", direction: "asc")]

    /// A request for the page's layout, in Swedish, with a CSRF token to escape.
    static func request(_ harness: WebHarness, _ url: String) -> Request {
        let request = Request(application: harness.app, url: URI(string: url), on: harness.app.eventLoopGroup.next())
        request.language = .sv
        request.csrfToken = "tok&<en>"
        return request
    }

    /// The `layout.t.<key>`s a former template read that some language lacks (they would be empty): the
    /// template audit checked them while the page was a template; the Swift page reads the same keys.
    static func keysMissingInSomeLanguage(_ template: String, _ harness: WebHarness) -> [String] {
        let keys = Set(template.components(separatedBy: "layout.t.").dropFirst().map { String($0.prefix { $0 == "_" || $0.isLetter || $0.isNumber }) })
        guard keys.count > 5 else { return ["only \(keys.count) keys found in the template"] }
        return Language.allCases.flatMap { language in
            let table = harness.app.caseport.pageStrings[language]?.table ?? [:]
            return keys.filter { (table[$0] ?? "").isEmpty }.map { "\(language): \($0)" }
        }.sorted()
    }

    /// `shared/case-chats.leaf` as it was, for the case pages' tests: both pages that included it are written
    /// in Swift (`SharedPartialsHTML.caseChats`).
    static let caseChatsPartial = ##"""
#if(count(chats) > 0):
<section class="card section case-chat" id="chats" aria-labelledby="chats-heading">
  <h2 id="chats-heading">#(layout.t.case_chats_heading)</h2>
  #for(chat in chats):
  <h3 id="chat-#(chat.id)">#(chat.title) <span class="muted">#(chat.startedAt)</span></h3>
  <ol class="chat-log" aria-labelledby="chat-#(chat.id)">
    #for(line in chat.lines):<li class="chat-message chat-#(line.kind)#if(line.staffOnly): chat-note#endif"><p class="chat-meta"><strong>#(line.author)</strong>#if(line.staffOnly): <span class="tag">#(layout.t.staff_chat_staff_only)</span>#endif <span>#(line.at)</span></p><p class="chat-body">#(line.body)</p></li>#endfor
  </ol>
  #endfor
</section>
#endif

"""##
}
