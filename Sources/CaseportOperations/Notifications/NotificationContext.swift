import CaseportCore

/// What a notification needs besides its facts: the texts in every language, the address links start
/// with, and the company's name. Built from the configuration (and, on a web request, the loopback
/// Host when no public URL is set) — never from a request inside an operation.
public struct NotificationContext: Sendable {
    public var translations: Translations
    /// Links in notifications start with this, e.g. https://portal.example.com (no trailing slash).
    public var publicBaseURL: String
    public var companyName: String

    public init(translations: Translations, publicBaseURL: String, companyName: String) {
        self.translations = translations
        self.publicBaseURL = publicBaseURL
        self.companyName = companyName
    }

    public func text(_ key: String, in language: Language) -> String { translations.text(key, in: language) }
}
