import CaseportCore
import FluentKit

/// Turns a portal account into the `PortalViewer` the access rule works on, reading the contact's
/// links from the register. Two indexed queries at most.
public enum PortalViewers {
    public static func viewer(for user: PortalUserRecord, on database: any Database) async throws -> PortalViewer {
        guard user.isActive else { return .disabled }
        switch user.loginKind {
        case .contact:
            guard let contactId = user.contactId else { return .contactUser(contact: nil) }
            let customers = try await ContactCustomerLink.query(on: database)
                .filter(\.$contactId == contactId).all().map(\.customerId)
            let objects = try await ContactObjectLink.query(on: database)
                .filter(\.$contactId == contactId).all().map(\.objectId)
            return .contactUser(contact: ContactLinks(contactId: contactId, customerIds: Set(customers),
                                                      objectIds: Set(objects)))
        case .invoiceCustomer:
            return .invoiceCustomer(customerId: user.organisationId)
        case .object:
            guard let objectId = user.objectId,
                  let object = try await ObjectRecord.find(objectId, on: database) else { return .disabled }
            return .object(objectId: objectId, customerId: object.customerId)
        }
    }
}
