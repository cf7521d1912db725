import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// Issue 13 (A10, C9): what a personal link or a link session gives right now. A forged, rotated or
/// revoked token and another case's link all give `notWorking`, the same answer; a claim closed longer
/// than its `daysAfterClose` gives `expired` with whom to contact.
public enum ClaimLinkAccess {
    public struct Expired: Sendable, Equatable {
        public var days: Int
        public var moreInformation: String
        public init(days: Int, moreInformation: String) {
            self.days = days
            self.moreInformation = moreInformation
        }
    }

    public enum State: Sendable, Equatable {
        case notWorking
        case expired(Expired)
        case open(ClaimLinkRecord.Snapshot, ClaimPageSettings)
    }

    /// The state of a link: revoked, on a case that is no longer a claim, expired, or open.
    static func state(of link: ClaimLinkRecord, now: Date, on db: any Database) async throws -> State {
        guard link.revokedAt == nil, let state = try await ClaimLinks(database: db).caseState(caseId: link.caseId),
              state.isClaim else { return .notWorking }
        let settings = try await ClaimSettingsStore(database: db).levels(caseId: link.caseId).effective
        if ClaimLinkRules.isExpired(closedAt: state.closedAt, days: settings.daysAfterClose, now: now) {
            return .expired(Expired(days: settings.daysAfterClose, moreInformation: settings.moreInformation))
        }
        return .open(ClaimLinkRecord.Snapshot(link), settings)
    }

    public enum Viewer: Sendable, Equatable {
        case none
        case expired(Expired)
        case viewer(ClaimViewer)
    }

    /// The visitor behind a link session's cookie, checked again on every request: the session must
    /// be live and verified, its link not revoked, the case still a claim and not expired.
    public static func viewer(sessionToken: String, in context: OperationContext) async throws -> Viewer {
        let now = context.now
        // An ended session still tells its visitor that the access itself has ended (C9), if it has.
        guard let found = try await ClaimLinks(database: context.database).session(token: sessionToken, now: now, includeEnded: true),
              found.session.verifiedAt != nil else { return .none }
        let live = found.session.expiresAt > now.timeIntervalSince1970
        switch try await state(of: found.link, now: now, on: context.database) {
        case .notWorking: return .none
        case .expired(let expired): return .expired(expired)
        case .open where !live: return .none
        case .open(let link, _):
            return .viewer(ClaimViewer(caseId: link.caseId, linkId: link.id, name: link.name, email: link.email,
                                       contactId: link.contactId))
        }
    }
}

extension ClaimLinkRecord {
    /// A link's facts as a value (records are not Sendable values).
    public struct Snapshot: Sendable, Equatable {
        public var id: Int
        public var caseId: Int
        public var contactId: Int?
        public var name: String
        public var email: String?
        public var phone: String?
        public var codeSentAt: Double?
        public var codeExpiresAt: Double?
        public var codeLockedUntil: Double?

        init(_ link: ClaimLinkRecord) {
            id = link.id ?? 0
            caseId = link.caseId
            contactId = link.contactId
            name = link.recipientName
            email = link.email
            phone = link.phone
            codeSentAt = link.codeSentAt
            codeExpiresAt = link.codeExpiresAt
            codeLockedUntil = link.codeLockedUntil
        }
    }
}

/// The button on the link's page (A10): opening a personal link. GET never comes here (mail scanners
/// follow links); this POST does. With the SMS code on, it sends a code through the outbox (at most
/// one a minute; a still valid one is kept) and starts a session that waits for the code; without it,
/// the session is open at once. Every opening of a real link is in the audit log.
public enum OpenClaimLink {
    public enum Result: Sendable, Equatable {
        case notWorking
        case expired(ClaimLinkAccess.Expired)
        /// The code cannot be sent (no phone, or the deployment sends no SMS): whom to contact.
        case codeUnavailable(moreInformation: String)
        case paused(until: Date)
        /// A code is on its way; the session waits for it.
        case codeSent(sessionToken: String)
        case opened(sessionToken: String)
    }

    public static func run(token: String, in context: OperationContext) async throws -> Result {
        let db = context.database
        let now = context.now
        guard let link = try await ClaimLinks(database: db).find(token: token) else { return .notWorking }
        let linkId = try link.requireID()
        let subject = "case-link:\(linkId)"
        switch try await ClaimLinkAccess.state(of: link, now: now, on: db) {
        case .notWorking:
            try await context.audit(.claimLinkOpened, by: .anonymous(typed: link.recipientName), subject: subject,
                                    details: "refused: revoked", on: db)
            return .notWorking
        case .expired(let expired):
            try await context.audit(.claimLinkOpened, by: .anonymous(typed: link.recipientName), subject: subject,
                                    details: "refused: expired", on: db)
            return .expired(expired)
        case .open(let snapshot, let settings):
            guard settings.smsCode else {
                return .opened(sessionToken: try await db.transaction { tx in
                    let links = ClaimLinks(database: tx)
                    try await links.markOpened(linkId: linkId, now: now)
                    try await context.audit(.claimLinkOpened, by: .anonymous(typed: link.recipientName), subject: subject,
                                            details: "opened", on: tx)
                    return try await links.startSession(linkId: linkId, verified: true, now: now)
                })
            }
            if let until = snapshot.codeLockedUntil, until > now.timeIntervalSince1970 {
                return .paused(until: Date(timeIntervalSince1970: until))
            }
            let smsEnabled = try await SettingsStore(database: db).load().smsEnabled
            guard smsEnabled, let phone = snapshot.phone else {
                try await context.audit(.claimLinkOpened, by: .anonymous(typed: link.recipientName), subject: subject,
                                        details: "refused: no phone for the code", on: db)
                return .codeUnavailable(moreInformation: settings.moreInformation)
            }
            let t = now.timeIntervalSince1970
            let keepCode = (snapshot.codeSentAt.map { t - $0 < ClaimLinkRules.codeResendInterval } ?? false)
                && (snapshot.codeExpiresAt.map { $0 > t } ?? false)
            return .codeSent(sessionToken: try await db.transaction { tx in
                let links = ClaimLinks(database: tx)
                if !keepCode {
                    let code = ClaimLinkRules.newCode()
                    try await links.storeCode(linkId: linkId, code: code, now: now)
                    let language = Language(rawValue: link.language) ?? .fallback
                    let body = Notifications.fill(context.notifications.text("claimaccess_sms_code", in: language),
                                                  ["code": code, "company": context.notifications.companyName,
                                                   "minutes": String(Int(ClaimLinkRules.codeLifetime / 60))])
                    try await OutboxRecord(channel: .sms, kind: .claimLinkCode, recipient: phone, language: language.rawValue,
                                           subject: "", body: body, caseId: link.caseId).create(on: tx)
                }
                try await context.audit(.claimLinkOpened, by: .anonymous(typed: link.recipientName), subject: subject,
                                        details: keepCode ? "code kept" : "code sent", on: tx)
                return try await links.startSession(linkId: linkId, verified: false, now: now)
            })
        }
    }
}

/// The code form after opening (A10): a right code opens the session (under a new id); a wrong one
/// counts against the link's tries, and the last one starts the pause. Each wrong code is audited.
public enum VerifyClaimCode {
    public enum Result: Sendable, Equatable {
        case notWorking
        case expired(ClaimLinkAccess.Expired)
        case wrong(triesLeft: Int)
        case paused(until: Date)
        case opened(sessionToken: String)
    }

    public static func run(sessionToken: String, code: String, in context: OperationContext) async throws -> Result {
        let db = context.database
        let now = context.now
        let links = ClaimLinks(database: db)
        guard let found = try await links.session(token: sessionToken, now: now) else { return .notWorking }
        let link = found.link
        let linkId = try link.requireID()
        let subject = "case-link:\(linkId)"
        switch try await ClaimLinkAccess.state(of: link, now: now, on: db) {
        case .notWorking: return .notWorking
        case .expired(let expired): return .expired(expired)
        case .open: break
        }
        if found.session.verifiedAt != nil { return .opened(sessionToken: sessionToken) }
        let typed = code.filter(\.isNumber)
        switch try await links.check(code: typed, linkId: linkId, now: now) {
        case .right:
            return .opened(sessionToken: try await db.transaction { tx in
                let txLinks = ClaimLinks(database: tx)
                try await txLinks.endSession(token: sessionToken)
                try await txLinks.markOpened(linkId: linkId, now: now)
                try await context.audit(.claimLinkOpened, by: .anonymous(typed: link.recipientName), subject: subject,
                                        details: "opened with code", on: tx)
                return try await txLinks.startSession(linkId: linkId, verified: true, now: now)
            })
        case .wrong(let left):
            try await context.audit(.claimLinkCodeFailed, by: .anonymous(typed: link.recipientName), subject: subject,
                                    details: "tries left: \(left)", on: db)
            return .wrong(triesLeft: left)
        case .paused(let until):
            try await context.audit(.claimLinkCodeFailed, by: .anonymous(typed: link.recipientName), subject: subject,
                                    details: "paused", on: db)
            return .paused(until: until)
        }
    }
}
