import CaseportCore
import SQLKit

/// The A7 rule (`CaseVisibility`) as a SQL predicate over the `cases` table aliased `c`.
/// Every portal query over cases (and, later, over their messages and files) must include it.
/// It is built from the same four sets the Core type checks, branch for branch.
///
/// The two dialects get the same branches in different spelling: PostgreSQL cannot use an index for
/// `x IN (subquery)` inside an OR and would read every case, so there the subqueries are written
/// `x = ANY(ARRAY(subquery))`, which it evaluates once and answers with a BitmapOr of index scans.
/// SQLite answers the plain form with a multi-index OR.
enum CaseVisibilitySQL {
    static func predicate(_ visibility: CaseVisibility, dialect: String) -> SQLQueryString {
        let branches = self.branches(visibility, dialect: dialect)
        guard !branches.isEmpty else { return "1 = 0" }
        return "(" + branches.joined(separator: " OR ") + ")"
    }

    /// The rule's alternatives, any of which makes a case visible; none means nothing is.
    static func branches(_ visibility: CaseVisibility, dialect: String) -> [SQLQueryString] {
        let postgres = dialect == "postgresql"
        func inSubquery(_ column: String, _ subquery: SQLQueryString) -> SQLQueryString {
            postgres ? "\(unsafeRaw: column) = ANY(ARRAY(" + subquery + "))" : "\(unsafeRaw: column) IN (" + subquery + ")"
        }
        var branches: [SQLQueryString] = []
        if !visibility.customerIds.isEmpty {
            branches.append("c.customer_id IN (\(binds: visibility.customerIds.sorted()))")
        }
        if !visibility.objectIds.isEmpty {
            branches.append("c.object_id IN (\(binds: visibility.objectIds.sorted()))")
        }
        if !visibility.objectOwnerIds.isEmpty {
            branches.append(inSubquery("c.object_id",
                                       "SELECT o.id FROM objects o WHERE o.customer_id IN (\(binds: visibility.objectOwnerIds.sorted()))"))
        }
        if let contactId = visibility.contactId {
            branches.append(inSubquery("c.id", "SELECT cc.case_id FROM case_contacts cc WHERE cc.contact_id = \(bind: contactId)"))
        }
        return branches
    }
}
