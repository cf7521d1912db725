/// A9 with A7: a customer administrator manages only users who see no more than the administrator.
///
/// The admin flag covers the whole organisation, but what a user sees comes from their contact's
/// links. So a user is the administrator's to manage only when every case the user would see, by the
/// access rule's four sets, is one the administrator sees too.
extension CaseVisibility {
    /// Whether every case this visibility reaches is also reached by `wider`.
    /// - Parameters:
    ///   - objectOwners: the owning customer of each object in `objectIds` (an object the wider
    ///     side does not name is still covered when it sees every case on its owner's objects).
    ///   - contactCasesCovered: whether every case linked to `contactId` is visible to `wider`
    ///     (those cases can be anywhere, so the store answers it from the cases themselves).
    public func isWithin(_ wider: CaseVisibility, objectOwners: [Int: Int], contactCasesCovered: Bool) -> Bool {
        guard customerIds.isSubset(of: wider.customerIds), objectOwnerIds.isSubset(of: wider.objectOwnerIds) else {
            return false
        }
        for object in objectIds where !wider.objectIds.contains(object) {
            guard let owner = objectOwners[object], wider.objectOwnerIds.contains(owner) else { return false }
        }
        if let contact = contactId, contact != wider.contactId, !contactCasesCovered { return false }
        return true
    }
}
