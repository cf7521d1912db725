/// The facts about one case that decide who may see it.
public struct CaseAccessFacts: Sendable, Equatable {
    public var customerId: Int?
    public var objectId: Int?
    /// The customer that owns the case's object (may differ from `customerId`).
    public var objectCustomerId: Int?
    /// Every contact linked to the case, the primary contact included.
    public var linkedContactIds: Set<Int>

    public init(customerId: Int?, objectId: Int?, objectCustomerId: Int?, linkedContactIds: Set<Int>) {
        self.customerId = customerId
        self.objectId = objectId
        self.objectCustomerId = objectCustomerId
        self.linkedContactIds = linkedContactIds
    }
}

/// Who is looking, reduced to what the access rule needs (A6, A7).
public enum PortalViewer: Sendable, Equatable {
    /// A contact-kind user. `contact` is nil when the account is linked to no contact.
    case contactUser(contact: ContactLinks?)
    /// Logged in as an invoice customer.
    case invoiceCustomer(customerId: Int)
    /// Logged in as an object; `customerId` is the object's owner.
    case object(objectId: Int, customerId: Int)
    /// An account that may not act (inactive); sees and creates nothing.
    case disabled
}

/// A contact and what it is linked to in the register.
public struct ContactLinks: Sendable, Equatable {
    public var contactId: Int
    public var customerIds: Set<Int>
    public var objectIds: Set<Int>

    public init(contactId: Int, customerIds: Set<Int> = [], objectIds: Set<Int> = []) {
        self.contactId = contactId
        self.customerIds = customerIds
        self.objectIds = objectIds
    }
}

/// The A7 rule as one value: the sets a case must touch to be visible.
///
/// A case is visible when ANY of these holds:
///  - its customer is in `customerIds`;
///  - its object is in `objectIds`;
///  - its object belongs to a customer in `objectOwnerIds`;
///  - the contact `contactId` is linked to it.
/// The store turns exactly these four sets into SQL, so the database and this type agree by construction;
/// the access-matrix tests check that they do.
public struct CaseVisibility: Sendable, Equatable {
    public var customerIds: Set<Int>
    public var objectIds: Set<Int>
    public var objectOwnerIds: Set<Int>
    public var contactId: Int?

    public init(customerIds: Set<Int> = [], objectIds: Set<Int> = [], objectOwnerIds: Set<Int> = [], contactId: Int? = nil) {
        self.customerIds = customerIds
        self.objectIds = objectIds
        self.objectOwnerIds = objectOwnerIds
        self.contactId = contactId
    }

    public static let nothing = CaseVisibility()

    public var seesNothing: Bool {
        customerIds.isEmpty && objectIds.isEmpty && objectOwnerIds.isEmpty && contactId == nil
    }

    public init(for viewer: PortalViewer) {
        switch viewer {
        case .disabled, .contactUser(contact: nil):
            self = .nothing
        case .contactUser(contact: let links?):
            // A contact linked to a customer sees that customer's cases and every case on its objects,
            // whatever customer those cases carry; linked to an object, every case on that object.
            self.init(customerIds: links.customerIds, objectIds: links.objectIds,
                      objectOwnerIds: links.customerIds, contactId: links.contactId)
        case .invoiceCustomer(let customerId):
            self.init(customerIds: [customerId])
        case .object(let objectId, _):
            self.init(objectIds: [objectId])
        }
    }

    public func canSee(_ facts: CaseAccessFacts) -> Bool {
        if let customer = facts.customerId, customerIds.contains(customer) { return true }
        if let object = facts.objectId, objectIds.contains(object) { return true }
        if let owner = facts.objectCustomerId, facts.objectId != nil, objectOwnerIds.contains(owner) { return true }
        if let contact = contactId, facts.linkedContactIds.contains(contact) { return true }
        return false
    }
}
