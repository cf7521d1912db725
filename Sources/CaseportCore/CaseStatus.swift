/// A case's place in the workflow (SPEC D3).
public enum CaseStatus: String, Codable, Sendable, CaseIterable {
    case new
    case open
    case waitingForCustomer = "waiting_for_customer"
    case resolved
    case closed
    case reopened

    public var isClosed: Bool { self == .closed }

    /// The transitions staff may make from this status; the back office offers and enforces only these.
    public var allowedNext: [CaseStatus] {
        switch self {
        case .new: return [.open, .waitingForCustomer, .resolved, .closed]
        case .open, .reopened: return [.waitingForCustomer, .resolved, .closed]
        case .waitingForCustomer: return [.open, .resolved, .closed]
        case .resolved: return [.closed, .reopened]
        case .closed: return [.reopened]
        }
    }

    public func canMove(to next: CaseStatus) -> Bool { allowedNext.contains(next) }

    /// The locale key for this status' name.
    public var labelKey: String { "status_\(rawValue)" }
}

/// Where a case was registered: by the customer in the portal, or by staff in the back office (B1 marker).
public enum CaseOrigin: String, Codable, Sendable {
    case portal
    case backOffice = "back_office"
}
