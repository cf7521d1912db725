import CaseportCore
import CaseportStore
import Vapor

/// What the frame of every page needs from the database, read once per request before the page's
/// controller runs: the branding (C8) for portal and staff headers, whether the portal shows
/// "my inquiries" (D2), and, for staff, the inbox badge count.
struct PageFrame: Sendable {
    var branding = Branding()
    var inquiriesFirst = false
    var inboxCount: Int?
    /// Issue 12: the portal menu's "needs your action (n)": visible cases waiting for the customer's
    /// answer or approval. Counted for pages (GET) only.
    var needsActionCount: Int?
    /// Issue 12: the company's phone and e-mail for customers (login, lockout and error pages); nil:
    /// the settings were not read for this request (a path outside the route groups).
    var contactPhone: String?
    var contactEmail: String?
    /// Issue 17: whether anyone answers chats, for the chat button of customer pages (nil: not read,
    /// the page's script asks `/chat/status`). Read for pages (GET) outside the back office.
    var chatOpen: Bool?

    /// The cases `needsActionCount` counts, and the key it is kept under (`Request.shortLivedCount`).
    static let needsActionFilter: CaseFilter = {
        var filter = CaseFilter()
        filter.statusGroup = .needsAction
        return filter
    }()
    static let needsActionKey = "needs-action"
}

extension Request {
    /// A count of the signed-in portal user's visible cases, kept a few seconds on this server at the
    /// request's change stamp (`ShortLivedCounts` says why that stays true); counted when not kept.
    func shortLivedCount(_ principal: PortalPrincipal, key: String, count: () async throws -> Int) async throws -> Int {
        guard let stamp = changeStamp, let userId = principal.user.id else { return try await count() }
        let counts = caseport.counts
        if let kept = counts.value(user: userId, key: key, stamp: stamp) { return kept }
        let began = counts.readBegins
        let value = try await count()
        counts.store(value, user: userId, key: key, stamp: stamp, readBegan: began)
        return value
    }
}

extension Request {
    private struct PageFrameKey: StorageKey { typealias Value = PageFrame }
    private struct SettingsKey: StorageKey { typealias Value = PortalSettings }

    /// The settings `PageFrameMiddleware` read (or took from the copy kept at the change stamp) for
    /// this request; read here when the request did not pass it.
    func frameSettings() async throws -> PortalSettings {
        if let kept = storage[SettingsKey.self] { return kept }
        let settings = try await SettingsStore(database: database).load()
        storage[SettingsKey.self] = settings
        return settings
    }

    fileprivate func keepFrameSettings(_ settings: PortalSettings) { storage[SettingsKey.self] = settings }

    /// The settings this request already read (`PageFrameMiddleware`, `frameSettings()`), if any: handed to
    /// operations (`OperationContext.requestSettings`) so they do not read them again.
    var keptFrameSettings: PortalSettings? { storage[SettingsKey.self] }

    var pageFrame: PageFrame {
        get { storage[PageFrameKey.self] ?? PageFrame() }
        set { storage[PageFrameKey.self] = newValue }
    }
}

/// Loads `PageFrame`. Sits after the session middleware of the portal and staff route groups.
/// For a signed-in user the settings come from the copy kept at the change stamp read with the session
/// (for staff on writes too: `frameStamp`); a staff member's inbox count came with the session.
struct PageFrameMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let settings: PortalSettings
        if let stamp = request.frameStamp, let kept = request.caseport.settings.value(for: "portal", at: stamp) {
            settings = kept
        } else {
            settings = try await SettingsStore(database: request.database).load()
            if let stamp = request.frameStamp { request.caseport.settings.store(settings, for: "portal", at: stamp) }
        }
        request.keepFrameSettings(settings)
        var frame = PageFrame(branding: settings.branding, inquiriesFirst: settings.inquiriesFirst,
                              contactPhone: settings.contactPhone, contactEmail: settings.contactEmail)
        if request.staffPrincipal != nil {
            if let counted = request.newInquiries { frame.inboxCount = counted }
            else { frame.inboxCount = try await Inquiries(database: request.database).countNew() }
        }
        if let principal = request.portalPrincipal, request.method == .GET, Self.mayBeAPage(request),
           !request.menuCountComesWithSession {
            // Usually counted with the session already (`PortalSessionMiddleware.menuCountToAsk`) and kept.
            frame.needsActionCount = try await request.shortLivedCount(principal, key: PageFrame.needsActionKey) {
                try await VisibleCases(database: request.database).count(for: principal.visibility, filter: PageFrame.needsActionFilter)
            }
        }
        if request.staffPrincipal == nil, request.method == .GET, Self.mayBeAPage(request) {
            frame.chatOpen = try await request.caseport.chatAvailability.isOpen(on: request.database)
        }
        request.pageFrame = frame
        return try await next.respond(to: request)
    }

    /// Whether the request could show a page (and so the menu's count). A browser asking for an image
    /// — the thumbnails of a case page, one request each — says so in `Accept` and never shows a menu;
    /// no `Accept` at all (scripts, tests) counts as a page.
    static func mayBeAPage(_ request: Request) -> Bool {
        guard let accept = request.headers.first(name: .accept) else { return true }
        return accept.contains("text/html") || accept.contains("*/*") && !accept.hasPrefix("image/")
    }
}
