import CaseportCore
import CaseportStore
import Vapor

/// What the app builds once at start-up and every request shares.
struct AppServices: Sendable {
    let config: AppConfig
    let translations: Translations
    let passwords: BcryptPasswords
    /// A real hash of a random password, checked when the typed account does not exist so that
    /// unknown and known usernames take the same time to answer (A2).
    let dummyPasswordHash: String
    let storage: LocalFileStorage
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
