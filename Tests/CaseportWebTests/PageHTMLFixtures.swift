@testable import CaseportWeb
import CaseportCore
import Vapor

/// What the tests of pages written in Swift (`PortalCaseListHTMLTests`, `StaffCaseListHTMLTests`,
/// `PortalCasePageHTMLTests`) vary their pages with.
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
}
