/// What a viewer may attach a new case to (A6, A7). The portal's new-case form offers exactly these
/// choices and the server checks the submitted ones with `allows`.
public struct CaseCreationRule: Sendable, Equatable {
    /// Customers the case may be put on. Empty with `customerFixed == nil` means "no customer".
    public var selectableCustomerIds: Set<Int>
    /// Objects the case may be put on, given directly (objects linked to the contact or the login object).
    public var selectableObjectIds: Set<Int>
    /// Objects of these customers may also be chosen.
    public var objectsOfCustomerIds: Set<Int>
    /// Set when every new case goes to this customer (invoice-customer and object logins).
    public var customerFixed: Int?
    /// Set when every new case goes to this object (object login).
    public var objectFixed: Int?
    /// The contact written as the case's primary contact, when there is one.
    public var primaryContactId: Int?
    public var mayCreate: Bool

    public init(for viewer: PortalViewer) {
        selectableCustomerIds = []
        selectableObjectIds = []
        objectsOfCustomerIds = []
        customerFixed = nil
        objectFixed = nil
        primaryContactId = nil
        mayCreate = true
        switch viewer {
        case .disabled:
            mayCreate = false
        case .contactUser(contact: nil):
            break // may create, but on no customer, no object and with no primary contact
        case .contactUser(contact: let links?):
            primaryContactId = links.contactId
            selectableCustomerIds = links.customerIds
            selectableObjectIds = links.objectIds
            objectsOfCustomerIds = links.customerIds
        case .invoiceCustomer(let customerId):
            customerFixed = customerId
            selectableCustomerIds = [customerId]
            objectsOfCustomerIds = [customerId]
        case .object(let objectId, let customerId):
            customerFixed = customerId
            objectFixed = objectId
            selectableCustomerIds = [customerId]
            selectableObjectIds = [objectId]
        }
    }

    /// Whether a case on this customer and object may be created.
    /// - Parameters:
    ///   - objectCustomerId: the owner of `objectId`, as the register says.
    ///   - objectRequired / customerRequired: the deployment's "mandatory" settings.
    public func allows(customerId: Int?, objectId: Int?, objectCustomerId: Int?,
                       customerRequired: Bool = false, objectRequired: Bool = false) -> Bool {
        guard mayCreate else { return false }
        if let fixed = customerFixed, customerId != fixed { return false }
        if let fixed = objectFixed, objectId != fixed { return false }
        if objectRequired && objectId == nil { return false }
        if customerRequired && customerId == nil { return false }
        if let object = objectId {
            let reachable = selectableObjectIds.contains(object)
                || (objectCustomerId.map { objectsOfCustomerIds.contains($0) } ?? false)
            guard reachable else { return false }
            // A case on an object carries that object's customer, or none.
            if let customer = customerId, customer != objectCustomerId { return false }
        }
        if let customer = customerId, objectId == nil {
            guard selectableCustomerIds.contains(customer) else { return false }
        }
        return true
    }
}
