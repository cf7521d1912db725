import CaseportCore
import CaseportStore
import Vapor

/// Issue 17, session 33: a portal page view whose session is confirmed by the page's own first statement
/// instead of a statement before it (`Sessions.Confirmation` says what is checked).
///
/// `PortalSessionMiddleware` takes a session on trust only for a route that declares it confirms the
/// session (`Route.confirmsPortalSession`), only for GET, and only when this server has read that session
/// before and keeps its user (`SessionOwners`, `AppServices.principals`). The handler must pass
/// `Request.portalSessionToConfirm` to its first statement and hand the outcome to
/// `acceptPortalSession(_:)` before it does anything else (a statement that returns no row, an empty list,
/// has the session read apart there). Failing closed: unless the handler confirmed the
/// session, its response or error is thrown away, everything taken on trust is forgotten and the request
/// is answered the usual way (session first, then the handler again). So a stale, ended or foreign
/// session never sees the page; it costs only the page's first statement twice.
struct TrustedPortalSession: Sendable {
    let confirmation: Sessions.Confirmation
    /// The cookie's token, for a page whose statement returned no row (`acceptPortalSession`).
    let token: String
    /// `ShortLivedCounts.readBegins` when the menu's count was asked with it.
    let countReadBegan: Int
    var confirmed = false
}

/// The handler found the session not confirmed (or asked nothing): the middleware answers the usual way.
struct PortalSessionNotConfirmed: Error {}

extension Route {
    /// Marks a portal page whose handler confirms a trusted session (`TrustedPortalSession`).
    @discardableResult
    func confirmsPortalSession() -> Route {
        userInfo[Self.confirmsPortalSessionKey] = true
        return self
    }

    static let confirmsPortalSessionKey = "caseport.confirmsPortalSession"
    var confirmsPortalSessionOnTrust: Bool { userInfo[Self.confirmsPortalSessionKey] as? Bool == true }
}

extension Request {
    private struct TrustedSessionKey: StorageKey { typealias Value = TrustedPortalSession }

    var trustedPortalSession: TrustedPortalSession? {
        get { storage[TrustedSessionKey.self] }
        set { storage[TrustedSessionKey.self] = newValue }
    }

    /// The session to confirm in the page's first statement; nil when it was read already.
    var portalSessionToConfirm: Sessions.Confirmation? {
        guard let trusted = trustedPortalSession, !trusted.confirmed else { return nil }
        return trusted.confirmation
    }

    /// Takes the outcome of the statement that was given `portalSessionToConfirm`; throws
    /// `PortalSessionNotConfirmed` unless it confirmed the session. Keeps the menu's count read with it.
    /// A statement that returned no row (an empty list, a search without hits) had nothing to read the
    /// session from: it is read apart, as the usual way would have, instead of the page being asked again.
    func acceptPortalSession(_ outcome: Sessions.Confirmation.Outcome?) async throws {
        guard var trusted = trustedPortalSession, !trusted.confirmed else { return }
        let counted: Int?
        switch outcome {
        case .confirmed(let alsoCounted)?:
            counted = alsoCounted
        case .noRow?:
            let expected = trusted.confirmation
            guard let found = try await Sessions(database: database, limits: caseport.config.sessions)
                    .find(token: trusted.token, realm: .portal, alsoCounting: expected.alsoCounting),
                  found.userId == expected.expectedUserId, found.stamp == expected.expectedStamp
            else { throw PortalSessionNotConfirmed() }
            counted = found.alsoCounted
        case .notConfirmed?, nil:
            throw PortalSessionNotConfirmed()
        }
        trusted.confirmed = true
        trustedPortalSession = trusted
        if let counted {
            let confirmation = trusted.confirmation
            caseport.counts.store(counted, user: confirmation.expectedUserId, key: PageFrame.needsActionKey,
                                  stamp: confirmation.expectedStamp, readBegan: trusted.countReadBegan)
            pageFrame.needsActionCount = counted
        }
    }

    /// Whether the menu's count is read with the trusted session (so `PageFrameMiddleware` does not count).
    var menuCountComesWithSession: Bool { portalSessionToConfirm?.alsoCounting != nil }
}

extension PortalSessionMiddleware {
    /// The trust to take for this request, or nil to answer it the usual way.
    static func trust(_ request: Request, token: String, storedId: String) -> (PortalPrincipal, Int64, TrustedPortalSession)? {
        let services = request.caseport
        guard request.method == .GET, request.route?.confirmsPortalSessionOnTrust == true,
              let userId = services.sessionOwners.owner(of: storedId),
              let kept = services.principals.latest(for: "\(userId)") else { return nil }
        let countBegan = services.counts.readBegins
        let countNeeded = PageFrameMiddleware.mayBeAPage(request)
            && services.counts.value(user: userId, key: PageFrame.needsActionKey, stamp: kept.stamp) == nil
        let count = countNeeded ? Sessions.AlsoCount(visibility: kept.value.visibility, filter: PageFrame.needsActionFilter) : nil
        guard let confirmation = Sessions(database: request.database, limits: services.config.sessions)
            .confirmation(token: token, realm: .portal, expectedUserId: userId, expectedStamp: kept.stamp, alsoCounting: count)
        else { return nil }
        return (kept.value, kept.stamp, TrustedPortalSession(confirmation: confirmation, token: token, countReadBegan: countBegan))
    }

    /// Answers on trust; nil when the handler did not confirm the session, with the request as it came.
    static func respondOnTrust(_ request: Request, principal: PortalPrincipal, stamp: Int64, trusted: TrustedPortalSession,
                               next: any AsyncResponder) async throws -> Response? {
        let language = request.language
        request.portalPrincipal = principal
        request.changeStamp = stamp
        request.trustedPortalSession = trusted
        applySavedLanguage(request, of: principal)
        do {
            let response = try await next.respond(to: request)
            if request.trustedPortalSession?.confirmed == true {
                request.caseport.sessionOwners.noteConfirmedOnTrust()
                return response
            }
        } catch {
            if request.trustedPortalSession?.confirmed == true {
                request.caseport.sessionOwners.noteConfirmedOnTrust()
                throw error
            }
        }
        request.caseport.sessionOwners.forget(trusted.confirmation.storedId)
        request.portalPrincipal = nil
        request.changeStamp = nil
        request.trustedPortalSession = nil
        request.language = language
        return nil
    }

    static func applySavedLanguage(_ request: Request, of principal: PortalPrincipal) {
        if request.parsedCookies[CookieNames.language] == nil, let code = principal.user.language, let saved = Language(rawValue: code) {
            request.language = saved
        }
    }
}
