import CaseportCore
import SQLKit

/// A `CaseFilter` as SQL conditions over `cases c`, shared by the portal (which adds the access rule)
/// and the back office (which adds its own filters).
enum CaseFilterSQL {
    /// - Parameter visibility: the viewer's access rule, when there is one; it lets SQLite's search
    ///   use the access tokens (see `CaseSearchIndex`).
    /// - Parameter searchHits: a query of the matching case ids already chosen (PostgreSQL's portal list
    ///   matches once for all of the rule's branches, see `VisibleCases.postgresVisible`); the text search
    ///   is then `c.id IN (searchHits)`.
    static func conditions(_ filter: CaseFilter, dialect: String, visibility: CaseVisibility?,
                           searchHits: SQLQueryString? = nil) -> [SQLQueryString] {
        var parts: [SQLQueryString] = []
        switch filter.statusGroup {
        case .all: break
        case .active:
            // Spelled as the list of open statuses, not `<> 'closed'`: a count over the status index
            // then starts at the first open status instead of stepping over every closed case.
            let open = CaseStatus.allCases.filter { !$0.isClosed }.map(\.rawValue)
            parts.append("c.status IN (\(binds: open))")
        case .closed: parts.append("c.status = \(bind: CaseStatus.closed.rawValue)")
        case .needsAction: parts.append("c.status IN (\(binds: CaseStatus.needingCustomer.map(\.rawValue)))")
        }
        if let status = filter.status { parts.append("c.status = \(bind: status.rawValue)") }
        if let id = filter.categoryId { parts.append("c.category_id = \(bind: id)") }
        if let id = filter.caseTypeId { parts.append("c.case_type_id = \(bind: id)") }
        if let id = filter.customerId { parts.append("c.customer_id = \(bind: id)") }
        if let id = filter.objectId { parts.append("c.object_id = \(bind: id)") }
        if let from = filter.createdFrom { parts.append("c.created_at >= \(bind: from)") }
        if let before = filter.createdBefore { parts.append("c.created_at < \(bind: before)") }
        let text = filter.searchTerms.isEmpty ? nil
            : searchHits.map { "c.id IN (" + $0 + ")" }
                ?? CaseSearchIndex.predicate(terms: filter.searchTerms, dialect: dialect, visibility: visibility)
        if let text {
            // A number typed on its own also finds that case directly.
            if filter.searchTerms.count == 1, let number = Int(filter.searchTerms[0]) {
                parts.append("(" + text + " OR c.number = \(bind: number))")
            } else {
                parts.append(text)
            }
        }
        return parts
    }
}
