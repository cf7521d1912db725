import CaseportCore
import CaseportStore
import Fluent
import Vapor

/// The language switch (A3): a small form on every page. The choice is kept in a cookie for a year
/// and, for a signed-in portal user, on the account.
struct LanguageController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(PortalRoute.language, use: choose)
    }

    struct Choice: Content {
        var language: String?
        var returnTo: String?
    }

    func choose(request: Request) async throws -> Response {
        let choice = try request.content.decode(Choice.self)
        guard let code = choice.language, let language = Language(rawValue: code) else {
            throw Abort(.badRequest)
        }
        // A fresh record: the principal's is shared between requests (see PortalPrincipal).
        if let principal = request.portalPrincipal,
           let user = try await PortalUserRecord.find(principal.user.id, on: request.db) {
            user.language = language.rawValue
            try await user.save(on: request.db)
        }
        // The switch is one route for both realms; a signed-in staff member's choice is kept too.
        if let token = request.cookies[CookieNames.staffSession]?.string,
           let session = try await Sessions(database: request.db, limits: request.caseport.config.sessions).find(token: token, realm: .staff),
           let staff = try await StaffUserRecord.find(session.userId, on: request.db) {
            staff.language = language.rawValue
            try await staff.save(on: request.db)
        }
        let response = request.redirect(to: Self.safeReturnPath(choice.returnTo), redirectType: .normal)
        response.cookies[CookieNames.language] = request.cookie(language.rawValue, maxAge: 365 * 24 * 3600)
        return response
    }

    /// Only a local path is followed, so the switch cannot be used to send people elsewhere: one
    /// leading "/" (not "//" or "/\\", which browsers read as another host), no backslash and no
    /// control character anywhere (CR/LF would split the header; a tab is dropped by browsers, so
    /// "/\t/host" would become "//host"). Anything else goes to "/".
    static func safeReturnPath(_ path: String?) -> String {
        guard let path, path.utf8.count < 500, path.hasPrefix("/"), !path.hasPrefix("//"),
              !path.unicodeScalars.contains(where: { $0 == "\\" || $0.properties.generalCategory == .control
                  || $0.properties.generalCategory == .format || $0 == "\u{2028}" || $0 == "\u{2029}" })
        else { return "/" }
        return path
    }
}
