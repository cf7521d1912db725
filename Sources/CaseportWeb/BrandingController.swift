import CaseportCore
import CaseportStore
import Vapor

/// The deployment's branding (C8) as the browser loads it: `/branding.css` sets caseport.css's custom
/// properties, `/branding/logo` is the uploaded logo. Both URLs carry the branding's revision (`?v=`),
/// so they are cached for good and a save is seen at once (the page links the new revision).
struct BrandingController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(PublicRoute.brandingStylesheet, use: stylesheet)
        routes.on(PublicRoute.brandingLogo, use: logo)
    }

    static func cacheHeader(_ request: Request, revision: Int) -> String {
        (try? request.query.get(Int.self, at: "v")) == revision ? "public, max-age=31536000, immutable" : "no-cache"
    }

    func stylesheet(request: Request) async throws -> Response {
        let branding = try await SettingsStore(database: request.database).load().branding
        let response = Response(status: .ok, body: .init(string: ":root{\(branding.declarations())}\n"))
        response.headers.replaceOrAdd(name: .contentType, value: "text/css; charset=utf-8")
        response.headers.replaceOrAdd(name: .cacheControl, value: Self.cacheHeader(request, revision: branding.revision))
        return response
    }

    func logo(request: Request) async throws -> Response {
        let branding = try await SettingsStore(database: request.database).load().branding
        guard let key = branding.logoKey, let type = branding.logoType, Branding.logoTypes.contains(type) else { throw Abort(.notFound) }
        let response = try await FileResponses.stream(key, request: request)
        response.headers.replaceOrAdd(name: .contentType, value: type)
        response.headers.replaceOrAdd(name: "Content-Security-Policy", value: "default-src 'none'; sandbox")
        response.headers.replaceOrAdd(name: .cacheControl, value: Self.cacheHeader(request, revision: branding.revision))
        return response
    }
}
