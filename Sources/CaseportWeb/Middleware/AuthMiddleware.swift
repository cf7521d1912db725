import CaseportCore
import CaseportStore
import Fluent
import Vapor

/// The signed-in portal user and what the access rule says about them.
/// Kept between requests by `AppServices.principals` and shared by concurrent requests: treat its
/// records as read-only; to change the user, load a fresh record.
struct PortalPrincipal: Sendable {
    let user: PortalUserRecord
    /// The customer the user logs in under.
    let organisation: CustomerRecord
    let viewer: PortalViewer
    var visibility: CaseVisibility { CaseVisibility(for: viewer) }
}

struct StaffPrincipal: Sendable {
    let user: StaffUserRecord
}

extension Request {
    private struct PortalKey: StorageKey { typealias Value = PortalPrincipal }
    private struct StaffKey: StorageKey { typealias Value = StaffPrincipal }

    private struct StampKey: StorageKey { typealias Value = Int64 }

    /// The database's change stamp, read with the session (`Sessions.find`); nil without a session.
    var changeStamp: Int64? {
        get { storage[StampKey.self] }
        set { storage[StampKey.self] = newValue }
    }

    private struct FrameStampKey: StorageKey { typealias Value = Int64 }
    private struct NewInquiriesKey: StorageKey { typealias Value = Int }

    /// The change stamp read with a staff session on any request, writes too: only for what
    /// `PageFrameMiddleware` reads before the handler runs (the settings kept at it are what a fresh read
    /// would give then). Pages use `changeStamp`, which a staff write does not set.
    var frameStamp: Int64? {
        get { storage[FrameStampKey.self] ?? changeStamp }
        set { storage[FrameStampKey.self] = newValue }
    }

    /// The number of new inquiries, read with a staff session (`Sessions.findStaff`): the inbox badge.
    var newInquiries: Int? {
        get { storage[NewInquiriesKey.self] }
        set { storage[NewInquiriesKey.self] = newValue }
    }

    var portalPrincipal: PortalPrincipal? {
        get { storage[PortalKey.self] }
        set { storage[PortalKey.self] = newValue }
    }

    var staffPrincipal: StaffPrincipal? {
        get { storage[StaffKey.self] }
        set { storage[StaffKey.self] = newValue }
    }

    func requirePortal() throws -> PortalPrincipal {
        guard let principal = portalPrincipal else { throw Abort.redirect(to: PortalRoute.login) }
        return principal
    }

    func requireStaff() throws -> StaffPrincipal {
        guard let principal = staffPrincipal else { throw Abort.redirect(to: StaffRoute.login) }
        return principal
    }
}

/// Loads the portal user from the portal session cookie, when there is one. Pages that need a user
/// sit behind `PortalGuard`; an inactive user's session is ended on the spot.
///
/// One query per request when nothing changed: the session lookup also reads the change stamp, and
/// the user, organisation and access links read at that stamp are reused (`StampedCache`). On a page view
/// it also counts the menu's "needs your action" when that count is not kept (`menuCountToAsk`).
/// None on a page that confirms the session in its own first statement (`TrustedPortalSession`).
struct PortalSessionMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let token = request.parsedCookies[CookieNames.portalSession]?.string {
            let services = request.caseport
            let storedId = Sessions.storedId(for: token)
            // A page that confirms the session in its own first statement, for a session read here before.
            if let (principal, stamp, trusted) = Self.trust(request, token: token, storedId: storedId),
               let response = try await Self.respondOnTrust(request, principal: principal, stamp: stamp, trusted: trusted, next: next) {
                return response
            }
            let menuCount = Self.menuCountToAsk(request, storedId: storedId)
            let countBegan = services.counts.readBegins
            guard let session = try await Sessions(database: request.database, limits: services.config.sessions)
                .find(token: token, realm: .portal, alsoCounting: menuCount?.count) else {
                return try await next.respond(to: request)
            }
            services.sessionOwners.remember(session.userId, of: storedId)
            // Kept only when counted for this session's user with their access as it is now.
            if let menuCount, let counted = session.alsoCounted, menuCount.userId == session.userId, menuCount.stamp == session.stamp {
                services.counts.store(counted, user: session.userId, key: PageFrame.needsActionKey, stamp: session.stamp,
                                      readBegan: countBegan)
            }
            request.changeStamp = session.stamp
            let key = "\(session.userId)"
            let cache = services.principals
            if let principal = cache.value(for: key, at: session.stamp) {
                request.portalPrincipal = principal
            } else if let principal = try await Self.load(userId: session.userId, on: request.database) {
                cache.store(principal, for: key, at: session.stamp)
                request.portalPrincipal = principal
            }
            if let principal = request.portalPrincipal { Self.applySavedLanguage(request, of: principal) }
        }
        // The user's own write forgets their kept counts on this server once it is done, failed or not
        // (`ShortLivedCounts`): their next page shows what the write changed.
        if request.method != .GET, request.method != .HEAD, let userId = request.portalPrincipal?.user.id {
            defer { request.caseport.counts.forget(user: userId) }
            return try await next.respond(to: request)
        }
        return try await next.respond(to: request)
    }

    /// The menu's count to ask with the session (issue 17, session 30: it was a statement of its own on a page
    /// view whenever it was not kept): on a page view by a session this server has seen, whose user it keeps,
    /// when the count kept for them at that user's stamp is missing or old. Counted for the kept user's access
    /// at that stamp; `respond` keeps the result only if the session is theirs and the stamp has not moved.
    /// Not when counts are not kept at all (`CASEPORT_COUNT_SECONDS=0`): the frame counts then.
    static func menuCountToAsk(_ request: Request, storedId: String) -> (userId: Int, stamp: Int64, count: Sessions.AlsoCount)? {
        let services = request.caseport
        guard request.method == .GET, services.counts.lifetime > 0, PageFrameMiddleware.mayBeAPage(request),
              let userId = services.sessionOwners.owner(of: storedId),
              let kept = services.principals.latest(for: "\(userId)"),
              services.counts.value(user: userId, key: PageFrame.needsActionKey, stamp: kept.stamp) == nil
        else { return nil }
        return (userId, kept.stamp, Sessions.AlsoCount(visibility: kept.value.visibility, filter: PageFrame.needsActionFilter))
    }

    static func load(userId: Int, on db: any Database) async throws -> PortalPrincipal? {
        guard let user = try await PortalUserRecord.find(userId, on: db), user.isActive,
              let organisation = try await CustomerRecord.find(user.organisationId, on: db),
              organisation.isActive else { return nil }
        let viewer = try await PortalViewers.viewer(for: user, on: db)
        return PortalPrincipal(user: user, organisation: organisation, viewer: viewer)
    }
}

struct StaffSessionMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let token = request.parsedCookies[CookieNames.staffSession]?.string,
           let found = try await Sessions(database: request.database, limits: request.caseport.config.sessions).findStaff(token: token) {
            // The change stamp comes with the session in the same query (issue 17), so back-office pages
            // reuse what is kept at it, as portal pages do: the frame's settings, the list's choices.
            // Only for reading requests: a staff write may change what is kept (settings, the catalogue)
            // and render a page in the same request, which must then read it afresh, as before. The
            // page frame, read before the handler runs, uses it on every request (`frameStamp`).
            let session = found.session
            if request.method == .GET || request.method == .HEAD { request.changeStamp = session.stamp }
            request.frameStamp = session.stamp
            // The inbox badge and the user came in the same round trip (issue 17 point 5).
            request.newInquiries = found.newInquiries
            if let user = found.user, user.isActive {
                request.staffPrincipal = StaffPrincipal(user: user)
                if request.parsedCookies[CookieNames.language] == nil, let code = user.language, let saved = Language(rawValue: code) {
                    request.language = saved
                }
            }
        }
        return try await next.respond(to: request)
    }
}

/// Sends a visitor without a portal session to the portal's login page.
struct PortalGuard: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.portalPrincipal != nil else { return request.redirect(to: PortalRoute.login) }
        return try await next.respond(to: request)
    }
}

/// Sends a visitor without a staff session to the staff login page.
struct StaffGuard: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.staffPrincipal != nil else { return request.redirect(to: StaffRoute.login) }
        return try await next.respond(to: request)
    }
}

/// Lets only admins through (D1: settings, staff accounts, master-data imports); a handler gets the
/// "not allowed" page. Sits behind `StaffGuard`.
struct StaffAdminGuard: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let staff = request.staffPrincipal else { return request.redirect(to: StaffRoute.login) }
        guard staff.user.role == .admin else { throw Abort(.forbidden) }
        return try await next.respond(to: request)
    }
}
