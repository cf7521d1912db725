import CaseportCore
import FluentKit
import SQLKit

/// Which portal users a customer administrator may manage (A9, issue 9 point 7): contact logins
/// only — invoice-customer and object logins are for staff — that are not a pending
/// self-registration, and whose reach lies within the administrator's (`CaseVisibility.isWithin`).
///
/// A whole page of users is decided in a fixed number of queries (links, pending registrations,
/// object owners, cases outside the administrator's rule), whatever the page's length.
public enum ManagedUsers {
    public static func mayManage(_ target: PortalUserRecord, by administrator: CaseVisibility,
                                 on database: any Database) async throws -> Bool {
        guard let id = target.id else { return false }
        return try await manageable([target], by: administrator, on: database).contains(id)
    }

    /// The ids of `users` the administrator may manage.
    public static func manageable(_ users: [PortalUserRecord], by administrator: CaseVisibility,
                                  on database: any Database) async throws -> Set<Int> {
        let candidates = users.filter { $0.loginKind == .contact && $0.id != nil }
        guard !candidates.isEmpty else { return [] }
        let pending = try await pendingRegistrations(among: candidates.filter { !$0.isActive }.compactMap(\.id), on: database)
        let contacts = try await manageableContacts(Set(candidates.compactMap(\.contactId)), by: administrator,
                                                    ownContact: administrator.contactId, on: database)
        var result: Set<Int> = []
        for user in candidates where !pending.contains(user.id!) {
            // A contact login without a contact reaches nothing, which lies within anyone's reach.
            if let contactId = user.contactId, !contacts.contains(contactId) { continue }
            result.insert(user.id!)
        }
        return result
    }

    /// The contacts among `contactIds` whose reach (as a contact login) lies within the administrator's:
    /// the same rule for giving a register contact a login (issue 11 point 10) as for managing a user.
    public static func manageableContacts(_ contactIds: Set<Int>, by administrator: CaseVisibility, ownContact: Int?,
                                          on database: any Database) async throws -> Set<Int> {
        guard !contactIds.isEmpty else { return [] }
        let reaches = try await reach(ofContacts: contactIds, on: database)
        let foreignObjects = reaches.values.reduce(into: Set<Int>()) { $0.formUnion($1.objectIds) }.subtracting(administrator.objectIds)
        var owners: [Int: Int] = [:]
        if !foreignObjects.isEmpty {
            for object in try await ObjectRecord.query(on: database).filter(\.$id ~~ Array(foreignObjects)).all() {
                owners[object.id!] = object.customerId
            }
        }
        let otherContacts = contactIds.subtracting(ownContact.map { [$0] } ?? [])
        let uncovered = try await contactsWithCasesOutside(administrator, among: otherContacts, on: database)
        var result: Set<Int> = []
        for contactId in contactIds {
            let reach = reaches[contactId] ?? .nothing
            if reach.isWithin(administrator, objectOwners: owners, contactCasesCovered: !uncovered.contains(contactId)) {
                result.insert(contactId)
            }
        }
        return result
    }

    /// A pending registration is inactive until confirmed, so only inactive accounts are looked up.
    static func pendingRegistrations(among userIds: [Int], on database: any Database) async throws -> Set<Int> {
        guard !userIds.isEmpty else { return [] }
        return Set(try await AccountTokenRecord.query(on: database).filter(\.$userId ~~ userIds)
            .filter(\.$purpose == "activate").filter(\.$usedAt == nil).all().map(\.userId))
    }

    /// What each contact's login would see (an inactive account is judged by the reach it regains when
    /// reactivated). Keyed by contact id.
    static func reach(ofContacts contactIds: Set<Int>, on database: any Database) async throws -> [Int: CaseVisibility] {
        let ids = Array(contactIds)
        let customers = try await ContactCustomerLink.query(on: database).filter(\.$contactId ~~ ids).all()
        let objects = try await ContactObjectLink.query(on: database).filter(\.$contactId ~~ ids).all()
        var result: [Int: CaseVisibility] = [:]
        for contactId in contactIds {
            let links = ContactLinks(contactId: contactId,
                                     customerIds: Set(customers.filter { $0.contactId == contactId }.map(\.customerId)),
                                     objectIds: Set(objects.filter { $0.contactId == contactId }.map(\.objectId)))
            result[contactId] = CaseVisibility(for: .contactUser(contact: links))
        }
        return result
    }

    /// The contacts among `contactIds` linked to at least one case the administrator's rule does not reach.
    static func contactsWithCasesOutside(_ visibility: CaseVisibility, among contactIds: Set<Int>,
                                         on database: any Database) async throws -> Set<Int> {
        guard !contactIds.isEmpty else { return [] }
        let sql = try database.requireSQL()
        let visible = CaseVisibilitySQL.predicate(visibility, dialect: sql.dialect.name)
        // IS NOT TRUE rather than NOT: for a case without an object `c.object_id IN (…)` is NULL, and
        // NOT (false OR NULL) is NULL, which would drop a case the administrator cannot see.
        let query: SQLQueryString = "SELECT DISTINCT cc.contact_id AS contact_id FROM case_contacts cc JOIN cases c ON c.id = cc.case_id WHERE cc.contact_id IN (\(binds: contactIds.sorted())) AND " + visible + " IS NOT TRUE"
        return Set(try await sql.raw(query).all().map { try $0.decode(column: "contact_id", as: Int.self) })
    }
}
