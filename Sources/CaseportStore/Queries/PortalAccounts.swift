import CaseportCore
import FluentKit
import SQLKit

/// Finds the portal account for what was typed at login (A1): the organisation is matched against
/// the customer's name, short code or customer number as the deployment is set to, case-insensitively.
public enum PortalAccounts {
    /// What the typed organisation + username resolve to, and the A2 counter they are throttled under.
    public struct Resolution: Sendable {
        public let user: PortalUserRecord?
        /// Keyed by the resolved organisation and the username, so name, short code and number share
        /// one counter; for an organisation that does not exist, by what was typed. An unknown username
        /// in a real organisation is counted the same way as a real one, so the lock tells nothing.
        public let throttleKey: String
    }

    public static func resolve(organisation: String, username: String, field: OrganisationLoginField,
                               realm: String = "portal", on database: any Database) async throws -> Resolution {
        let organisationKey = LoginKey.fold(organisation)
        let usernameKey = LoginKey.fold(username)
        let typedKey = LoginThrottle.key(realm: realm, organisation: organisation, username: username)
        guard !organisationKey.isEmpty, !usernameKey.isEmpty else { return Resolution(user: nil, throttleKey: typedKey) }
        let customers = try await CustomerRecord.query(on: database).group(.or) { match in
            if field == .name || field == .any { match.filter(\.$nameKey == organisationKey) }
            if field == .shortCode || field == .any { match.filter(\.$shortCodeKey == organisationKey) }
            if field == .customerNumber || field == .any {
                match.filter(\.$customerNumber == organisation.trimmingCharacters(in: .whitespaces))
            }
        }.limit(20).all()
        let ids = customers.compactMap(\.id)
        guard let firstId = ids.min() else { return Resolution(user: nil, throttleKey: typedKey) }
        let user = try await PortalUserRecord.query(on: database)
            .filter(\.$organisationId ~~ ids)
            .filter(\.$usernameKey == usernameKey)
            .sort(\.$id)
            .first()
        let key = accountKey(realm: realm, organisationId: user?.organisationId ?? firstId, username: username)
        return Resolution(user: user, throttleKey: key)
    }

    /// The counter of one organisation's username (what `resolve` uses, and what staff unlock clears).
    public static func accountKey(realm: String = "portal", organisationId: Int, username: String) -> String {
        "\(realm)\u{1F}#\(organisationId)\u{1F}\(LoginKey.fold(username))"
    }

    public static func find(organisation: String, username: String, field: OrganisationLoginField,
                            on database: any Database) async throws -> PortalUserRecord? {
        try await resolve(organisation: organisation, username: username, field: field, on: database).user
    }

    /// Active portal users with this e-mail address, any case, oldest first (the mail gate's sender).
    /// Matched in SQL, so a reply never loads every portal user into memory.
    public static func activeUsers(withEmail email: String, on database: any Database) async throws -> [PortalUserRecord] {
        let ids = try await database.requireSQL().raw("""
            SELECT id FROM portal_users WHERE is_active = \(true) AND LOWER(email) = \(bind: email.lowercased())
            """).all().map { try $0.decode(column: "id", as: Int.self) }
        guard !ids.isEmpty else { return [] }
        return try await PortalUserRecord.query(on: database).filter(\.$id ~~ ids).sort(\.$id).all()
    }
}
