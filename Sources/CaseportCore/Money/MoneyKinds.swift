/// What an article is (B8, and the article-row dashboard's "article type" filter, B11).
public enum ArticleType: String, Codable, Sendable, CaseIterable {
    case work, material, other

    public var labelKey: String { "article_type_\(rawValue)" }
}

/// A work order's kind (the work-order dashboard filters on it, B11).
public enum WorkOrderType: String, Codable, Sendable, CaseIterable {
    case repair, maintenance, inspection, installation, other

    public var labelKey: String { "work_order_type_\(rawValue)" }
}

/// A work order's life: draft → sent (to the supplier) → accepted (by the supplier) → done.
/// Only these forward steps exist; anything else is refused.
public enum WorkOrderState: String, Codable, Sendable, CaseIterable {
    case draft, sent, accepted, done

    public var next: WorkOrderState? {
        switch self {
        case .draft: return .sent
        case .sent: return .accepted
        case .accepted: return .done
        case .done: return nil
        }
    }

    public func canMove(to state: WorkOrderState) -> Bool { next == state }

    /// A done work order takes no more changes (its rows stay as booked).
    public var isOpen: Bool { self != .done }

    public var labelKey: String { "work_order_state_\(rawValue)" }
}

/// An invoice specification's answer (B10). Approved is final: nothing about it changes again.
public enum SpecificationState: String, Codable, Sendable, CaseIterable {
    case waiting, approved, rejected

    public var isFinal: Bool { self == .approved }
    public var labelKey: String { "spec_state_\(rawValue)" }
}

/// B10 (LF seed): only users whose contact is linked to customers see invoice specifications, and
/// only those customers'. Invoice-customer and object logins, contacts linked only to objects, and
/// users without a contact see none.
public enum SpecificationAccess {
    /// The customers whose specifications this viewer sees and may answer.
    public static func customerIds(for viewer: PortalViewer) -> Set<Int> {
        switch viewer {
        case .contactUser(contact: let links?): return links.customerIds
        case .contactUser(contact: nil), .invoiceCustomer, .object, .disabled: return []
        }
    }
}

/// The columns of the portal's "Actions" table (B8: "the selection can differ, depending on how the
/// portal is configured"). The deployment picks them in the price-list settings; the default below.
public enum ActionColumn: String, Codable, Sendable, CaseIterable {
    case date, actionCode = "action_code", article, articleType = "article_type", quantity, unit, unitPrice = "unit_price",
         vatRate = "vat_rate", net, vat, gross, workOrder = "work_order", note

    public static let standard: [ActionColumn] = [.date, .article, .quantity, .unit, .unitPrice, .net, .vat, .gross]
    public var labelKey: String { "action_column_\(rawValue)" }
}
