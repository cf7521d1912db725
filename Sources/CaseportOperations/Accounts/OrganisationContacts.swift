import CaseportCore
import CaseportStore
import FluentKit

/// A9 (BS seed: "the users listed are the contacts already in the portal and the users one added"):
/// what a customer administrator's user pages show besides the users — their own access links (the
/// most a user they add may get) and the register contacts they may give a login in one step.
public struct OrganisationContacts: Sendable {
    public struct Link: Sendable, Equatable {
        public var id: Int
        public var name: String
    }

    /// The administrator's own contact's links: a new user's links are chosen among these, never more.
    public var customers: [Link]
    public var objects: [Link]

    public static func links(of admin: PortalUserAdmin, on db: any Database) async throws -> OrganisationContacts {
        guard let contactId = admin.administrator.contactId else { return OrganisationContacts(customers: [], objects: []) }
        let customerIds = try await ContactCustomerLink.query(on: db).filter(\.$contactId == contactId).all().map(\.customerId)
        let objectIds = try await ContactObjectLink.query(on: db).filter(\.$contactId == contactId).all().map(\.objectId)
        let customers = customerIds.isEmpty ? [] : try await CustomerRecord.query(on: db).filter(\.$id ~~ customerIds).sort(\.$name).all()
        let objects = objectIds.isEmpty ? [] : try await ObjectRecord.query(on: db).filter(\.$id ~~ objectIds).sort(\.$name).all()
        return OrganisationContacts(customers: customers.map { Link(id: $0.id!, name: $0.name) },
                                    objects: objects.map { Link(id: $0.id!, name: "\($0.name), \($0.address)") })
    }

    /// Active register contacts linked to the administrator's customers or objects that have no login
    /// yet and whose reach as a login would lie within the administrator's (`ManagedUsers`). Sorted by name.
    public static func withoutLogin(for admin: PortalUserAdmin, on db: any Database) async throws -> [ContactRecord] {
        let own = try await links(of: admin, on: db)
        let customerIds = own.customers.map(\.id)
        var objectIds = own.objects.map(\.id)
        if !customerIds.isEmpty {
            objectIds += try await ObjectRecord.query(on: db).filter(\.$customerId ~~ customerIds).all().compactMap(\.id)
        }
        var contactIds = Set<Int>()
        if !customerIds.isEmpty {
            contactIds.formUnion(try await ContactCustomerLink.query(on: db).filter(\.$customerId ~~ customerIds).all().map(\.contactId))
        }
        if !objectIds.isEmpty {
            contactIds.formUnion(try await ContactObjectLink.query(on: db).filter(\.$objectId ~~ objectIds).all().map(\.contactId))
        }
        guard !contactIds.isEmpty else { return [] }
        let withLogin = Set(try await PortalUserRecord.query(on: db).filter(\.$contactId ~~ Array(contactIds)).all().compactMap(\.contactId))
        let candidates = contactIds.subtracting(withLogin)
        let allowed = try await ManagedUsers.manageableContacts(candidates, by: admin.actor.visibility,
                                                                ownContact: admin.administrator.contactId, on: db)
        guard !allowed.isEmpty else { return [] }
        return try await ContactRecord.query(on: db).filter(\.$id ~~ Array(allowed)).filter(\.$isActive == true)
            .sort(\.$lastName).sort(\.$firstName).sort(\.$id).all()
    }

    /// One contact the administrator may give a login; `notFound` for any other.
    public static func contactWithoutLogin(_ contactId: Int, for admin: PortalUserAdmin, on db: any Database) async throws -> ContactRecord {
        guard let contact = try await withoutLogin(for: admin, on: db).first(where: { $0.id == contactId }) else {
            throw OperationError.notFound
        }
        return contact
    }
}

/// A9 (issue 11 point 10): a customer administrator removes a user of their organisation. The account is
/// deactivated (signed out everywhere) and hidden from the user list; its row stays, so its cases and
/// messages keep their author. Nobody removes themself.
public enum RemoveOrganisationUser {
    public static func run(userId: Int, by actor: PortalActor, in context: OperationContext) async throws {
        let admin = try await PortalUserAdmin.of(actor, on: context.database)
        guard admin.mayAdd else { throw OperationError.notFound }
        let target = try await admin.target(userId, on: context.database)
        guard !admin.isSelf(target), target.removedAt == nil else { throw OperationError.notAllowedNow }
        let organisation = admin.organisation
        try await context.database.transaction { tx in
            target.isActive = false
            target.removedAt = context.now
            try await target.update(on: tx)
            try await context.audit(.accessChanged, by: admin.auditActor,
                                    subject: "portal user \(userId) \(organisation.customerNumber)/\(target.username)",
                                    details: "removed by the customer's administrator", on: tx)
        }
        try await Sessions(database: context.database).endAll(realm: .portal, userId: userId)
    }
}
