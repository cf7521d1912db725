import CaseportCore
import Vapor

/// Chooses the page language: the remembered choice (cookie), else the browser's Accept-Language,
/// else Swedish. A logged-in user's saved language is applied by the auth middleware.
struct LanguageMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let code = request.parsedCookies[CookieNames.language]?.string, let chosen = Language(rawValue: code) {
            request.language = chosen
        } else {
            request.language = Language.best(fromAcceptLanguage: request.headers.first(name: .acceptLanguage))
                ?? .fallback
        }
        return try await next.respond(to: request)
    }
}

extension Request {
    private struct LanguageKey: StorageKey { typealias Value = Language }

    var language: Language {
        get { storage[LanguageKey.self] ?? .fallback }
        set { storage[LanguageKey.self] = newValue }
    }

    /// The text for `key` in the request's language.
    func t(_ key: String) -> String {
        caseport.translations.text(key, in: language)
    }
}
