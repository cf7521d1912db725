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
}
