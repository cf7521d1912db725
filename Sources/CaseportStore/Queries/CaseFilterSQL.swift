import CaseportCore
import SQLKit

/// A `CaseFilter` as SQL conditions over `cases c`, shared by the portal (which adds the access rule)
/// and the back office (which adds its own filters).
enum CaseFilterSQL {
    /// - Parameter visibility: the viewer's access rule, when there is one; it lets SQLite's search
    ///   use the access tokens (see `CaseSearchIndex`).
    /// - Parameter searchHits: a query of the matching case ids already chosen (PostgreSQL's portal list
    ///   matches once, see `VisibleCases.postgresVisible`); the text search is then `c.id = ANY(ARRAY(searchHits))`:
    ///   the hits looked up by primary key (PostgreSQL's estimate of a match is far too high, and it then
    ///   joined every case of a branch with them).
    static func conditions(_ filter: CaseFilter, dialect: String, visibility: CaseVisibility?,
                           searchHits: SQLQueryString? = nil) -> [SQLQueryString] {
        var parts: [SQLQueryString] = []
        // Issue 17: in the portal on SQLite the filter's status, category and type are tested inside the
        // rule's branches' covering indexes (M044), never looked up in their own indexes. Unary `+` keeps
        // SQLite from choosing a column's own index (its documented way to disqualify a term): without
        // statistics (a deployment never runs ANALYZE) SQLite took `c.category_id = ?` for about ten rows
        // and walked the category's index, reading every case of it in the whole table to test the rule:
        // 170–940 ms a statement at 1 000 000 cases (355 ms of server CPU a filtered page), against 0.2–0.4 ms
        // through the branches. (The back office has no rule to go by and keeps the columns' indexes;
        // PostgreSQL plans by its statistics.)
        let column: (String) -> SQLQueryString = { name in
            visibility != nil && dialect == "sqlite" ? "+c.\(unsafeRaw: name)" : "c.\(unsafeRaw: name)"
        }
        // PostgreSQL: the statuses are written in, not bound. They are the enum's few values, so the texts
        // stay few, and PostgreSQL keeps one plan for a text: bound, it planned the count of the cases
        // that need the customer's action (on every portal page) afresh on three calls in four (0.42 ms
        // each, 5 % of its time under the mix; issue 17, session 24), a plan for unknown statuses never
        // seeming as cheap.
        let statuses: ([CaseStatus]) -> SQLQueryString = { statuses in
            let values = statuses.map(\.rawValue)
            let list: SQLQueryString = dialect == "postgresql" ? "\(literals: values, joinedBy: ", ")" : "\(binds: values)"
            return statuses.count == 1 ? column("status") + " = " + list : column("status") + " IN (" + list + ")"
        }
        switch filter.statusGroup {
        case .all: break
        case .active:
            // Spelled as the list of open statuses, not `<> 'closed'`: a count over the status index
            // then starts at the first open status instead of stepping over every closed case.
            parts.append(statuses(CaseStatus.allCases.filter { !$0.isClosed }))
        case .closed: parts.append(statuses([.closed]))
        case .needsAction: parts.append(statuses(CaseStatus.needingCustomer))
        }
        if let status = filter.status { parts.append(statuses([status])) }
        if let id = filter.categoryId { parts.append(column("category_id") + " = \(bind: id)") }
        if let id = filter.caseTypeId { parts.append(column("case_type_id") + " = \(bind: id)") }
        if let id = filter.customerId { parts.append("c.customer_id = \(bind: id)") }
        if let id = filter.objectId { parts.append("c.object_id = \(bind: id)") }
        if let from = filter.createdFrom { parts.append("c.created_at >= \(bind: from)") }
        if let before = filter.createdBefore { parts.append("c.created_at < \(bind: before)") }
        let text = filter.searchTerms.isEmpty ? nil
            : searchHits.map { "c.id = ANY(ARRAY(" + $0 + "))" }
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
