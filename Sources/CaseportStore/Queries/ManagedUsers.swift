import CaseportCore
import FluentKit
import SQLKit

/// Which portal users a customer administrator may manage (A9, issue 9 point 7): contact logins
/// only — invoice-customer and object logins are for staff — that are not a pending
/// self-registration, and whose reach lies within the administrator's (`CaseVisibility.isWithin`).
public enum ManagedUsers {
    public static func mayManage(_ target: PortalUserRecord, by administrator: CaseVisibility,
                                 on database: any Database) async throws -> Bool {
        guard target.loginKind == .contact else { return false }
        // A pending registration is inactive until confirmed, so only inactive accounts need the look-up.
        if !target.isActive, let id = target.id,
           try await AccountTokens(database: database).isPendingRegistration(userId: id) { return false }
        let reach = try await self.reach(of: target, on: database)
        let foreignObjects = reach.objectIds.subtracting(administrator.objectIds)
        var owners: [Int: Int] = [:]
        if !foreignObjects.isEmpty {
            for object in try await ObjectRecord.query(on: database).filter(\.$id ~~ Array(foreignObjects)).all() {
                owners[object.id!] = object.customerId
            }
        }
        var contactCasesCovered = true
        if let contact = reach.contactId, contact != administrator.contactId {
            contactCasesCovered = try await casesOutside(administrator, linkedTo: contact, on: database) == 0
        }
        return reach.isWithin(administrator, objectOwners: owners, contactCasesCovered: contactCasesCovered)
    }

    /// What the account would see if it were active: an inactive account is judged by the reach it
    /// regains when reactivated.
    static func reach(of user: PortalUserRecord, on database: any Database) async throws -> CaseVisibility {
        guard user.loginKind == .contact, let contactId = user.contactId else { return .nothing }
        let customers = try await ContactCustomerLink.query(on: database).filter(\.$contactId == contactId).all().map(\.customerId)
        let objects = try await ContactObjectLink.query(on: database).filter(\.$contactId == contactId).all().map(\.objectId)
        return CaseVisibility(for: .contactUser(contact: ContactLinks(contactId: contactId, customerIds: Set(customers),
                                                                      objectIds: Set(objects))))
    }

    /// How many cases linked to the contact the administrator's rule does not reach.
    static func casesOutside(_ visibility: CaseVisibility, linkedTo contactId: Int, on database: any Database) async throws -> Int {
        let sql = try database.requireSQL()
        let visible = CaseVisibilitySQL.predicate(visibility, dialect: sql.dialect.name)
        let query: SQLQueryString = "SELECT COUNT(*) AS n FROM cases c WHERE c.id IN (SELECT cc.case_id FROM case_contacts cc WHERE cc.contact_id = \(bind: contactId)) AND NOT " + visible
        return try await sql.raw(query).first()?.decode(column: "n", as: Int.self) ?? 0
    }
}
