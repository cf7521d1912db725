import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// The language switch (A3): a small form on every page. The choice is kept in a cookie for a year
/// and, for a signed-in portal user, on the account.
struct LanguageController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(PortalRoute.language, use: choose)
    }

    func choose(request: Request) async throws -> Response {
        let choice = try request.form(LanguageForm.self)
        guard let language = Language(rawValue: choice.language) else {
            throw Abort(.badRequest)
        }
        // The switch is one route for both realms; a signed-in staff member's choice is kept too.
        var staffId: Int?
        if let token = request.parsedCookies[CookieNames.staffSession]?.string,
           let session = try await Sessions(database: request.database, limits: request.caseport.config.sessions).find(token: token, realm: .staff) {
            staffId = session.userId
        }
        try await ChooseLanguage.run(language, portalUserId: request.portalPrincipal?.user.id, staffUserId: staffId,
                                     in: request.operations)
        let response = request.redirect(to: Self.safeReturnPath(choice.returnTo), redirectType: .normal)
        response.cookies[CookieNames.language] = request.cookie(language.rawValue, maxAge: 365 * 24 * 3600)
        return response
    }

    /// Only a local path is followed, so the switch cannot be used to send people elsewhere: one
    /// leading "/" (not "//" or "/\\", which browsers read as another host), no backslash and no
    /// control character anywhere (CR/LF would split the header; a tab is dropped by browsers, so
    /// "/\t/host" would become "//host"). Anything else goes to "/".
    static func safeReturnPath(_ path: String?) -> String {
        guard let path, path.utf8.count < 2000, path.hasPrefix("/"), !path.hasPrefix("//"),
              !path.unicodeScalars.contains(where: { $0 == "\\" || $0.properties.generalCategory == .control
                  || $0.properties.generalCategory == .format || $0 == "\u{2028}" || $0 == "\u{2029}" })
        else { return "/" }
        return path
    }
}
