/// Which customer and object files a viewer sees (SPEC B9). Case files follow the case rule instead.
///
/// - contact linked to objects: files of those objects;
/// - contact linked to customers: files of those customers and of their objects;
/// - invoice-customer login: files of the customer and of its objects;
/// - object login: files of the object.
public struct FileVisibility: Sendable, Equatable {
    public var customerIds: Set<Int>
    public var objectIds: Set<Int>
    /// Files on objects owned by these customers.
    public var objectOwnerIds: Set<Int>

    public init(customerIds: Set<Int> = [], objectIds: Set<Int> = [], objectOwnerIds: Set<Int> = []) {
        self.customerIds = customerIds
        self.objectIds = objectIds
        self.objectOwnerIds = objectOwnerIds
    }

    public init(for viewer: PortalViewer) {
        switch viewer {
        case .disabled, .contactUser(contact: nil):
            self.init()
        case .contactUser(contact: let links?):
            self.init(customerIds: links.customerIds, objectIds: links.objectIds, objectOwnerIds: links.customerIds)
        case .invoiceCustomer(let customerId):
            self.init(customerIds: [customerId], objectOwnerIds: [customerId])
        case .object(let objectId, _):
            self.init(objectIds: [objectId])
        }
    }

    public var seesNothing: Bool { customerIds.isEmpty && objectIds.isEmpty && objectOwnerIds.isEmpty }

    public func canSee(customerId: Int?, objectId: Int?, objectOwnerId: Int?) -> Bool {
        if let customer = customerId, customerIds.contains(customer) { return true }
        if let object = objectId, objectIds.contains(object) { return true }
        if objectId != nil, let owner = objectOwnerId, objectOwnerIds.contains(owner) { return true }
        return false
    }
}
