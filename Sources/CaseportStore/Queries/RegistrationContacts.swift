import FluentKit
import SQLKit

/// Which register contact a confirmed self-registration (A5) is linked to: one with the confirmed
/// address that belongs to the registration's own organisation — linked to that customer or to one
/// of its objects. A contact of another customer with the same address is never chosen.
public enum RegistrationContacts {
    public static func contact(email: String, organisationId: Int, on database: any Database) async throws -> Int? {
        let sql = try database.requireSQL()
        let address = email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard !address.isEmpty else { return nil }
        let row = try await sql.raw("""
            SELECT c.id FROM contacts c
            WHERE LOWER(c.email) = \(bind: address)
              AND (c.id IN (SELECT cc.contact_id FROM contact_customers cc WHERE cc.customer_id = \(bind: organisationId))
                   OR c.id IN (SELECT co.contact_id FROM contact_objects co JOIN objects o ON o.id = co.object_id
                               WHERE o.customer_id = \(bind: organisationId)))
            ORDER BY c.id LIMIT 1
            """).first()
        return try row?.decode(column: "id", as: Int.self)
    }

    /// A5 (LF seed), later: portal users without a contact whose address is on one of `contactIds` —
    /// an active contact of the user's own organisation (linked to it or to one of its objects) — each
    /// with the contact they are to be linked to (the lowest id). Read in SQL, in chunks.
    public static func waitingUsers(contactIds: [Int], on database: any Database) async throws -> [(userId: Int, contactId: Int)] {
        let sql = try database.requireSQL()
        var found: [(userId: Int, contactId: Int)] = []
        let ids = Array(Set(contactIds)).sorted()
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = Array(ids[start ..< min(start + 500, ids.count)])
            let rows = try await sql.raw("""
                SELECT u.id AS user_id, MIN(c.id) AS contact_id FROM portal_users u
                JOIN contacts c ON LOWER(c.email) = LOWER(u.email)
                WHERE u.contact_id IS NULL AND u.email IS NOT NULL AND c.is_active = \(true)
                  AND c.id IN (\(binds: chunk))
                  AND (c.id IN (SELECT cc.contact_id FROM contact_customers cc WHERE cc.customer_id = u.organisation_id)
                       OR c.id IN (SELECT co.contact_id FROM contact_objects co JOIN objects o ON o.id = co.object_id
                                   WHERE o.customer_id = u.organisation_id))
                GROUP BY u.id ORDER BY u.id
                """).all()
            for row in rows {
                found.append((try row.decode(column: "user_id", as: Int.self), try row.decode(column: "contact_id", as: Int.self)))
            }
        }
        return found
    }
}
