import Crypto
import FluentKit
import Foundation
import SQLKit

/// API tokens (E4): issuing, looking up by the presented token, marking use, revoking, listing.
/// A token reads `cpt_` + 43 random URL-safe characters; the prefix makes a leaked one easy to
/// recognise (secret scanners, logs), and only its SHA-256 is stored, so a copy of the table grants nothing.
public struct APITokens: Sendable {
    public static let tokenPrefix = "cpt_"
    let database: any Database
    public init(database: any Database) { self.database = database }

    /// A new token's text; shown once, to whoever created it.
    public static func newToken() -> String { tokenPrefix + Sessions.newToken() }

    public static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The row for a presented token, usable or not (the caller tells revoked/expired apart), or nil.
    public func find(token: String) async throws -> APITokenRecord? {
        guard token.hasPrefix(Self.tokenPrefix), token.utf8.count <= 100 else { return nil }
        return try await APITokenRecord.query(on: database).filter(\.$tokenHash == Self.hash(token)).first()
    }

    /// Writes `last_used_at`, at most once a minute per token (a busy script costs one write a minute).
    public func markUsed(id: Int, now: Date) async throws {
        let t = now.timeIntervalSince1970
        try await database.requireSQL().raw("""
            UPDATE api_tokens SET last_used_at = \(bind: t)
            WHERE id = \(bind: id) AND (last_used_at IS NULL OR last_used_at < \(bind: t - 60))
            """).run()
    }

    /// Revokes a token; false when it was already revoked (or does not exist).
    public func revoke(id: Int, now: Date) async throws -> Bool {
        let row = try await database.requireSQL().raw("""
            UPDATE api_tokens SET revoked_at = \(bind: now.timeIntervalSince1970)
            WHERE id = \(bind: id) AND revoked_at IS NULL RETURNING id
            """).first()
        return row != nil
    }

    /// Every staff token, newest first (the staff admin's page).
    public func staffTokens() async throws -> [APITokenRecord] {
        try await APITokenRecord.query(on: database).filter(\.$realm == .staff).sort(\.$id, .descending).limit(500).all()
    }

    /// The portal tokens of one organisation, newest first (its customer administrator's page).
    public func portalTokens(organisationId: Int) async throws -> [APITokenRecord] {
        try await APITokenRecord.query(on: database).filter(\.$realm == .portal)
            .filter(\.$organisationId == organisationId).sort(\.$id, .descending).limit(500).all()
    }
}
