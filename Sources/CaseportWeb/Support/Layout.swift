import CaseportCore
import Vapor

/// What every page's frame needs: strings in the page's language, the CSRF token for its forms,
/// the language switch and who is signed in.
struct Layout: Encodable {
    struct LanguageChoice: Encodable {
        var code: String
        var name: String
        var selected: Bool
    }

    var title: String
    var lang: String
    var t: PageStrings
    var csrf: String
    var languages: [LanguageChoice]
    /// Where the language switch returns to.
    var path: String
    var userName: String?
    /// "portal" or "staff": decides the navigation and the logout form's target.
    var area: String
    /// Which menu entry is the current page: "cases", "new", "files" or "users".
    var section: String
    var showUsers: Bool

    init(_ request: Request, title: String, area: String = "portal") {
        self.title = title
        self.lang = request.language.rawValue
        self.t = request.caseport.pageStrings[request.language] ?? PageStrings([:])
        self.csrf = request.csrfToken
        self.languages = Language.allCases.map {
            LanguageChoice(code: $0.rawValue, name: $0.nativeName, selected: $0 == request.language)
        }
        self.path = request.url.path
        self.area = area
        let path = request.url.path
        if path.hasPrefix("/cases/new") { section = "new" }
        else if path.hasPrefix("/cases") { section = "cases" }
        else if path.hasPrefix("/files") { section = "files" }
        else if path.hasPrefix("/users") { section = "users" }
        else { section = "" }
        showUsers = request.portalPrincipal.map { $0.user.isAdmin || $0.organisation.singleUser } ?? false
        if area == "staff" {
            self.userName = request.staffPrincipal?.user.name
        } else {
            self.userName = request.portalPrincipal?.user.displayName
        }
    }
}
