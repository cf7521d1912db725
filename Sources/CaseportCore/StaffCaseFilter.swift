/// The back office's case filters (D3): the portal's filter plus handler, priority and
/// "has unread customer activity". Staff see every case; there is no access scope here.
public struct StaffCaseFilter: Sendable, Equatable {
    public var base = CaseFilter()
    public var handlerId: Int?
    /// Cases with no handler yet.
    public var unassigned = false
    public var priorityId: Int?
    public var unreadOnly = false

    public init() {}

    /// Nothing narrows the list (whatever its order).
    public var isEmpty: Bool {
        var unsorted = self
        unsorted.base.sort = CaseSort()
        return unsorted == StaffCaseFilter()
    }
}
