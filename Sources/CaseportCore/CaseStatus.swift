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

    /// What the status asks of whom (issue 12): the badge's colour says it the same way on every page.
    public var tone: StatusTone {
        switch self {
        case .waitingForCustomer: return .needsCustomer
        case .new, .open, .reopened: return .inProgress
        case .resolved: return .awaitingApproval
        case .closed: return .closed
        }
    }

    /// The statuses where the customer is the one to act: an answer the company waits for, or a
    /// resolved case to approve (the portal's "needs your action" filter).
    public static let needingCustomer: [CaseStatus] = [.waitingForCustomer, .resolved]
}

/// The meaning a status' colour carries; the raw value is the badge's CSS class suffix.
public enum StatusTone: String, Sendable, Codable {
    case needsCustomer = "needs-customer"
    case inProgress = "in-progress"
    case awaitingApproval = "awaiting-approval"
    case closed
}

/// Where a case was registered: by the customer in the portal, or by staff in the back office (B1 marker).
public enum CaseOrigin: String, Codable, Sendable {
    case portal
    case backOffice = "back_office"
}
