import CaseportCore
import Crypto
import FluentKit
import Foundation
import SQLKit

/// Issue 13 (A10, C7, C9): the personal links of claims, their automatic sendings, SMS codes and
/// link sessions. Tokens, codes and session ids are looked up by their SHA-256 only.
public struct ClaimLinks: Sendable {
    let database: any Database
    public init(database: any Database) { self.database = database }

    public static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Who a link is made for.
    public struct Recipient: Sendable, Equatable {
        public var contactId: Int?
        public var name: String
        public var email: String?
        public var phone: String?
        public var language: Language
        public init(contactId: Int?, name: String, email: String?, phone: String?, language: Language) {
            self.contactId = contactId
            self.name = name
            self.email = email
            self.phone = phone
            self.language = language
        }
    }

    /// Makes a link and returns it with its token (the only time the token exists outside the browser).
    public func create(caseId: Int, for recipient: Recipient, trigger: ClaimLinkTrigger, staffId: Int?,
                       now: Date) async throws -> (link: ClaimLinkRecord, token: String) {
        let token = ClaimLinkRules.newToken()
        let link = ClaimLinkRecord()
        link.caseId = caseId
        link.contactId = recipient.contactId
        link.recipientName = String(recipient.name.prefix(200))
        link.email = recipient.email
        link.phone = recipient.phone
        link.language = recipient.language.rawValue
        link.tokenHash = Self.hash(token)
        link.trigger = trigger.rawValue
        link.createdAt = now.timeIntervalSince1970
        link.createdByStaffId = staffId
        link.codeFailures = 0
        try await link.create(on: database)
        return (link, token)
    }

    /// The link a token belongs to, revoked or not (the caller decides what a revoked one shows).
    public func find(token: String) async throws -> ClaimLinkRecord? {
        guard ClaimLinkRules.isWellFormed(token) else { return nil }
        return try await ClaimLinkRecord.query(on: database).filter(\.$tokenHash == Self.hash(token)).first()
    }

    public func find(id: Int) async throws -> ClaimLinkRecord? {
        try await ClaimLinkRecord.find(id, on: database)
    }

    /// Every link of a case, newest first.
    public func links(caseId: Int) async throws -> [ClaimLinkRecord] {
        try await ClaimLinkRecord.query(on: database).filter(\.$caseId == caseId).sort(\.$id, .descending).all()
    }

    /// Revokes the contact's working links on the case and ends their sessions; returns how many.
    @discardableResult
    public func revoke(caseId: Int, contactId: Int?, now: Date) async throws -> Int {
        var query = ClaimLinkRecord.query(on: database).filter(\.$caseId == caseId).filter(\.$revokedAt == nil)
        query = contactId.map { query.filter(\.$contactId == $0) } ?? query.filter(\.$contactId == nil)
        let links = try await query.all()
        for link in links {
            link.revokedAt = now.timeIntervalSince1970
            try await link.update(on: database)
            try await ClaimLinkSessionRecord.query(on: database).filter(\.$linkId == link.requireID()).delete()
        }
        return links.count
    }

    /// Whether the contact ever had a link on the case (revoked ones count: a revocation stands).
    public func hasAnyLink(caseId: Int, contactId: Int) async throws -> Bool {
        try await ClaimLinkRecord.query(on: database).filter(\.$caseId == caseId).filter(\.$contactId == contactId).count() > 0
    }

    // MARK: Automatic sendings

    /// Records that `contactId` gets their link for `trigger`; nil when that was already recorded (by
    /// this server earlier, or by another one right now). Run inside the transaction that sends, so a
    /// failed sending records nothing.
    public func recordSend(caseId: Int, contactId: Int, trigger: ClaimLinkTrigger, now: Date) async throws -> Int? {
        struct Row: Decodable { var id: Int }
        return try await database.requireSQL().raw("""
            INSERT INTO claim_link_sends (case_id, contact_id, trigger, sent_at)
            VALUES (\(bind: caseId), \(bind: contactId), \(bind: trigger.rawValue), \(bind: now.timeIntervalSince1970))
            ON CONFLICT (case_id, contact_id, trigger) DO NOTHING
            RETURNING id
            """).first(decoding: Row.self)?.id
    }

    public func attach(sendId: Int, linkId: Int) async throws {
        try await ClaimLinkSendRecord.query(on: database).filter(\.$id == sendId).set(\.$linkId, to: linkId).update()
    }

    public func sends(caseId: Int) async throws -> [ClaimLinkSendRecord] {
        try await ClaimLinkSendRecord.query(on: database).filter(\.$caseId == caseId).sort(\.$id).all()
    }

    // MARK: Security codes

    /// Keeps a new code's hash on the link, valid for `ClaimLinkRules.codeLifetime`.
    public func storeCode(linkId: Int, code: String, now: Date) async throws {
        try await ClaimLinkRecord.query(on: database).filter(\.$id == linkId)
            .set(\.$codeHash, to: Self.hash(code))
            .set(\.$codeExpiresAt, to: now.addingTimeInterval(ClaimLinkRules.codeLifetime).timeIntervalSince1970)
            .set(\.$codeSentAt, to: now.timeIntervalSince1970)
            .update()
    }

    public enum CodeCheck: Sendable, Equatable {
        case right
        /// Wrong or expired; this many tries are left before the pause.
        case wrong(triesLeft: Int)
        /// Too many wrong codes: no code is accepted until then.
        case paused(until: Date)
    }

    /// Checks a typed code. Each try is counted before the code is compared, in one statement, so
    /// parallel guesses cannot get more than `ClaimLinkRules.codeTries` between them; the last wrong
    /// one starts the pause and forgets the code.
    public func check(code: String, linkId: Int, now: Date) async throws -> CodeCheck {
        let sql = try database.requireSQL()
        let t = now.timeIntervalSince1970
        struct Counted: Decodable {
            var code_failures: Int
            var code_hash: String?
            var code_expires_at: Double?
        }
        let counted = try await sql.raw("""
            UPDATE claim_links SET code_failures = code_failures + 1, code_locked_until = NULL
            WHERE id = \(bind: linkId) AND code_failures < \(bind: ClaimLinkRules.codeTries)
              AND (code_locked_until IS NULL OR code_locked_until <= \(bind: t))
            RETURNING code_failures, code_hash, code_expires_at
            """).first(decoding: Counted.self)
        guard let counted else {
            struct Lock: Decodable { var code_locked_until: Double? }
            let lock = try await sql.raw("SELECT code_locked_until FROM claim_links WHERE id = \(bind: linkId)")
                .first(decoding: Lock.self)
            return .paused(until: Date(timeIntervalSince1970: lock?.code_locked_until ?? t + ClaimLinkRules.codePause))
        }
        if let stored = counted.code_hash, let expires = counted.code_expires_at, expires > t,
           Self.constantTimeEqual(stored, Self.hash(code)) {
            try await sql.raw("""
                UPDATE claim_links SET code_failures = 0, code_hash = NULL, code_expires_at = NULL, code_locked_until = NULL
                WHERE id = \(bind: linkId)
                """).run()
            return .right
        }
        if counted.code_failures >= ClaimLinkRules.codeTries {
            let until = t + ClaimLinkRules.codePause
            try await sql.raw("""
                UPDATE claim_links SET code_failures = 0, code_hash = NULL, code_expires_at = NULL, code_locked_until = \(bind: until)
                WHERE id = \(bind: linkId)
                """).run()
            return .paused(until: Date(timeIntervalSince1970: until))
        }
        return .wrong(triesLeft: ClaimLinkRules.codeTries - counted.code_failures)
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    // MARK: Sessions

    /// Starts a browser's session on a link; returns the cookie's value.
    public func startSession(linkId: Int, verified: Bool, now: Date) async throws -> String {
        let token = ClaimLinkRules.newToken()
        let session = ClaimLinkSessionRecord()
        session.id = Self.hash(token)
        session.linkId = linkId
        session.createdAt = now.timeIntervalSince1970
        session.expiresAt = now.addingTimeInterval(ClaimLinkRules.sessionLifetime).timeIntervalSince1970
        session.verifiedAt = verified ? now.timeIntervalSince1970 : nil
        try await session.create(on: database)
        return token
    }

    /// A live session (not past its end; with `includeEnded`, an ended one too) and its link, whatever
    /// the link's state.
    public func session(token: String, now: Date,
                        includeEnded: Bool = false) async throws -> (session: ClaimLinkSessionRecord, link: ClaimLinkRecord)? {
        guard ClaimLinkRules.isWellFormed(token),
              let session = try await ClaimLinkSessionRecord.find(Self.hash(token), on: database),
              includeEnded || session.expiresAt > now.timeIntervalSince1970,
              let link = try await ClaimLinkRecord.find(session.linkId, on: database) else { return nil }
        return (session, link)
    }

    public func markVerified(sessionId: String, now: Date) async throws {
        try await ClaimLinkSessionRecord.query(on: database).filter(\.$id == sessionId)
            .set(\.$verifiedAt, to: now.timeIntervalSince1970).update()
    }

    public func endSession(token: String) async throws {
        try await ClaimLinkSessionRecord.query(on: database).filter(\.$id == Self.hash(token)).delete()
    }

    public func markOpened(linkId: Int, now: Date) async throws {
        try await ClaimLinkRecord.query(on: database).filter(\.$id == linkId)
            .set(\.$lastOpenedAt, to: now.timeIntervalSince1970).update()
    }

    // MARK: The case

    /// What access to a case depends on: whether it is a claim, its policyholder type, and when it
    /// closed (nil while open).
    public struct CaseState: Sendable {
        public var caseId: Int
        public var number: Int
        public var isClaim: Bool
        public var policyholderType: ClaimCustomerType?
        public var closedAt: Date?
    }

    public func caseState(caseId: Int) async throws -> CaseState? {
        guard let record = try await CaseRecord.find(caseId, on: database) else { return nil }
        let details = try await ClaimDetailsRecord.find(caseId, on: database)
        var closedAt: Date?
        if record.status.isClosed {
            closedAt = record.closedAt.map(Date.init(timeIntervalSince1970:)) ?? record.updatedAt
        }
        return CaseState(caseId: caseId, number: record.number, isClaim: details != nil,
                         policyholderType: details.flatMap { ClaimCustomerType(rawValue: $0.policyholderType) },
                         closedAt: closedAt)
    }

    /// The contacts linked to a case with their role, in the case's contact order.
    public struct CaseContact: Sendable {
        public var contactId: Int
        public var name: String
        public var email: String?
        public var phone: String?
        public var role: String?
        public var isActive: Bool
        public var language: Language
    }

    public func contacts(caseId: Int) async throws -> [CaseContact] {
        let links = try await CaseContactLink.query(on: database).filter(\.$caseId == caseId)
            .sort(\.$isPrimary, .descending).sort(\.$id).all()
        guard !links.isEmpty else { return [] }
        let ids = links.map(\.contactId)
        let contacts = try await ContactRecord.query(on: database).filter(\.$id ~~ ids).all()
        let users = try await PortalUserRecord.query(on: database).filter(\.$contactId ~~ ids).sort(\.$id).all()
        return links.compactMap { link in
            guard let contact = contacts.first(where: { $0.id == link.contactId }) else { return nil }
            let language = users.first { $0.contactId == link.contactId }?.language.flatMap(Language.init(rawValue:)) ?? .fallback
            func clean(_ s: String?) -> String? {
                guard let s = s?.trimmingCharacters(in: .whitespaces), !s.isEmpty else { return nil }
                return s
            }
            return CaseContact(contactId: link.contactId,
                               name: "\(contact.firstName) \(contact.lastName)".trimmingCharacters(in: .whitespaces),
                               email: clean(contact.email), phone: clean(contact.phone), role: link.role,
                               isActive: contact.isActive, language: language)
        }
    }

    /// The round's candidates: claims whose case is not closed and that have an active linked contact
    /// with no link on the case yet. A contact who has any link on the case (sent, granted by hand or
    /// revoked) never gets an automatic one, so a claim whose contacts all have one costs the
    /// minute's round nothing but this query (`claim_links_case` answers the inner test).
    /// `numbers`: only among these cases (by case number); nil: every claim.
    public func openClaimIds(numbers: Set<Int>? = nil) async throws -> [Int] {
        struct Row: Decodable { var case_id: Int }
        if let numbers, numbers.isEmpty { return [] }
        let among: SQLQueryString = numbers.map { numbers in
            " AND c.number IN (" + numbers.sorted().map { "\(bind: $0)" as SQLQueryString }.joined(separator: ", ") + ")"
        } ?? ""
        return try await database.requireSQL().raw("""
            SELECT d.case_id FROM claim_details d JOIN cases c ON c.id = d.case_id
            WHERE c.status <> 'closed'\(among) AND EXISTS (
                SELECT 1 FROM case_contacts cc JOIN contacts k ON k.id = cc.contact_id
                WHERE cc.case_id = d.case_id AND k.is_active = \(true)
                  AND NOT EXISTS (SELECT 1 FROM claim_links l WHERE l.case_id = d.case_id AND l.contact_id = cc.contact_id))
            ORDER BY d.case_id
            """).all(decoding: Row.self).map(\.case_id)
    }
}
