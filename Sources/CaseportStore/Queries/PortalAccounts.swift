import CaseportCore
import FluentKit

/// Finds the portal account for what was typed at login (A1): the organisation is matched against
/// the customer's name, short code or customer number as the deployment is set to, case-insensitively.
public enum PortalAccounts {
    public static func find(organisation: String, username: String, field: OrganisationLoginField,
                            on database: any Database) async throws -> PortalUserRecord? {
        let organisationKey = LoginKey.fold(organisation)
        let usernameKey = LoginKey.fold(username)
        guard !organisationKey.isEmpty, !usernameKey.isEmpty else { return nil }
        let customers = try await CustomerRecord.query(on: database).group(.or) { match in
            if field == .name || field == .any { match.filter(\.$nameKey == organisationKey) }
            if field == .shortCode || field == .any { match.filter(\.$shortCodeKey == organisationKey) }
            if field == .customerNumber || field == .any {
                match.filter(\.$customerNumber == organisation.trimmingCharacters(in: .whitespaces))
            }
        }.limit(20).all()
        let ids = customers.compactMap(\.id)
        guard !ids.isEmpty else { return nil }
        return try await PortalUserRecord.query(on: database)
            .filter(\.$organisationId ~~ ids)
            .filter(\.$usernameKey == usernameKey)
            .sort(\.$id)
            .first()
    }
}
