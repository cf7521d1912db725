import Foundation

/// What the portal's case search asks for (B2). Every part is optional; the store ANDs them with the
/// viewer's access rule, so a filter can only narrow what the viewer may see.
public struct CaseFilter: Sendable, Equatable {
    public enum StatusGroup: String, Sendable, CaseIterable {
        case all, active, closed
        /// Waiting for the customer's answer or approval (`CaseStatus.needingCustomer`).
        case needsAction = "action"
    }

    public var text: String = ""
    public var statusGroup: StatusGroup = .all
    public var status: CaseStatus?
    public var categoryId: Int?
    public var caseTypeId: Int?
    public var customerId: Int?
    public var objectId: Int?
    /// Inclusive bounds on the creation time.
    public var createdFrom: Date?
    public var createdBefore: Date?
    /// The list's order (issue 12 point 4); not a filter, so `isEmpty` ignores it.
    public var sort = CaseSort()

    public init() {}

    /// Nothing narrows the list (whatever its order).
    public var isEmpty: Bool {
        var unsorted = self
        unsorted.sort = CaseSort()
        return unsorted == CaseFilter()
    }

    /// The words to search for: lower-cased, letters and digits only (so å ä ö æ ø stay whole words),
    /// at most eight, each at most 50 characters. Every word must match (as a prefix).
    public var searchTerms: [String] {
        let words = text.lowercased().split { !($0.isLetter || $0.isNumber) }
        return words.prefix(8).map { String($0.prefix(50)) }
    }
}
