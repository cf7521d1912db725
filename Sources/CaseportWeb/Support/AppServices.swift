import CaseportCore
import CaseportStore
import Vapor

/// What the app builds once at start-up and every request shares.
struct AppServices: Sendable {
    let config: AppConfig
    let translations: Translations
    /// `translations` in the form page templates take, per language.
    let pageStrings: [Language: PageStrings]
    let passwords: BcryptPasswords
    /// A real hash of a random password, checked when the typed account does not exist so that
    /// unknown and known usernames take the same time to answer (A2).
    let dummyPasswordHash: String
    /// Stored files by key (local disk today; features never see where).
    let storage: any FileStorage
    /// Signed-in portal users by user id, valid at one change stamp (see PortalSessionMiddleware).
    let principals = StampedCache<PortalPrincipal>(capacity: 20_000)
    /// The deployment's settings at one change stamp (see PageFrameMiddleware).
    let settings = StampedCache<PortalSettings>(capacity: 1)
    /// Rendered case lists by user, language and query (see PortalCaseListController).
    let caseListPages = StampedCache<String>(capacity: 1_000)
}

extension Application {
    private struct ServicesKey: StorageKey { typealias Value = AppServices }

    var caseport: AppServices {
        get {
            guard let services = storage[ServicesKey.self] else { fatalError("configure(_:) has not run") }
            return services
        }
        set { storage[ServicesKey.self] = newValue }
    }
}

extension Request {
    var caseport: AppServices { application.caseport }
}
