import CaseportCore
import CaseportStore
import Vapor

/// What the app builds once at start-up and every request shares. A class: every `request.caseport` hands
/// out the one instance (a struct was copied out of the application's storage each time, a retain for
/// each of its references, its configuration's strings included — `request.t` reads it for every text).
final class AppServices: Sendable {
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
    /// Which user each portal session belongs to, as last read here (see `PortalSessionMiddleware`).
    let sessionOwners = SessionOwners(capacity: 50_000)
    /// The deployment's settings at one change stamp (see PageFrameMiddleware).
    let settings = StampedCache<PortalSettings>(capacity: 1)
    /// The case list's filter choices (categories, types, the customers and objects in reach) by
    /// portal user id, at one change stamp (see PortalCaseListController).
    let filterOptions = StampedCache<FilterOptions>(capacity: 20_000)
    /// The catalogue's per-language names at one change stamp (see `Request.catalogueNames()`).
    let catalogueNames = StampedCache<CatalogueNameMap>(capacity: 1)
    /// The portal's new-case form (B4): the active case types with their fields and the categories, at
    /// one change stamp (`case_types`, `case_type_fields` and `categories` raise it; see
    /// `Request.newCaseCatalogue()`).
    let newCaseCatalogue = StampedCache<NewCaseChoices.Catalogue>(capacity: 1)
    /// The customers and objects each portal user may pick on that form, by user id, at one change stamp
    /// (`customers`, `objects` and the user's access links raise it). Its pages and "Confirm" read them
    /// within seconds of each other.
    let newCaseReach = StampedCache<NewCaseChoices.Reach>(capacity: 2_000)
    /// The back-office case list's categories, types, priorities and customers (issue 17).
    let staffListChoices = StampedCache<StaffListChoices>(capacity: 1)
    /// The back-office case form's categories, types, priorities, suppliers and customers (`StaffCatalogue`
    /// without its handlers, kept apart in `activeStaff`; issue 17, session 13).
    let staffCaseCatalogue = StampedCache<StaffCatalogue>(capacity: 1)
    /// The active handlers offered on back-office pages (M053 lets the stamp watch them; session 28).
    let activeStaff = StampedCache<[StaffCatalogue.Choice]>(capacity: 1)
    /// Portal users' case counts (the menu's "needs your action", a list's total), a few seconds each.
    let counts: ShortLivedCounts
    /// The back-office list's filters whose count passed its cap, a minute each (see `SaturatedCounts`).
    let saturatedStaffCounts = SaturatedCounts()
    /// Claims staff just changed, for the personal-link job to look at within a second (`ClaimLinkJob`).
    let claimLinkWakeUps = ClaimLinkWakeUps()
    /// Whether anyone answers chats, for the portal pages' chat button (see PageFrameMiddleware).
    let chatAvailability = ChatAvailability()

    init(config: AppConfig, translations: Translations, pageStrings: [Language: PageStrings], passwords: BcryptPasswords,
         dummyPasswordHash: String, storage: any FileStorage) {
        self.config = config
        self.translations = translations
        self.pageStrings = pageStrings
        self.passwords = passwords
        self.dummyPasswordHash = dummyPasswordHash
        self.storage = storage
        counts = ShortLivedCounts(lifetime: TimeInterval(config.countSeconds))
    }
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
