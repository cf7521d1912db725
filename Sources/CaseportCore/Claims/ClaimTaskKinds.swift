import Foundation

/// D3 (seed 002): the kinds of task on a claim. The main inspection is the one the feed names on its
/// own ("main inspection started/finished"); its media are never shown to the customer.
public enum ClaimTaskKind: String, Codable, Sendable, CaseIterable {
    case inspection
    case mainInspection = "main_inspection"
    case repair
    case other
}

/// A task moves planned → started → finished (a finished task may be started again by staff).
public enum ClaimTaskState: String, Codable, Sendable, CaseIterable {
    case planned, started, finished
}

/// D3/C4: the categories of the case's document library. Inspection and settlement reports can be
/// shared automatically at a chosen moment; the others are shared by hand.
public enum CaseDocumentCategory: String, Codable, Sendable, CaseIterable {
    case inspectionReport = "inspection_report"
    case settlementReport = "settlement_report"
    case photo
    case other
}

/// D3: the outcome of the compensation decision. The customer's feed says a decision was made,
/// never which.
public enum CompensationDecision: String, Codable, Sendable, CaseIterable {
    case positive, negative
}
