import CaseportCore
import SQLKit

/// The A7 rule (`CaseVisibility`) as a SQL predicate over the `cases` table aliased `c`.
/// Every portal query over cases (and, later, over their messages and files) must include it.
/// It is built from the same four sets the Core type checks, branch for branch.
enum CaseVisibilitySQL {
    static func predicate(_ visibility: CaseVisibility) -> SQLQueryString {
        var branches: [SQLQueryString] = []
        if !visibility.customerIds.isEmpty {
            branches.append("c.customer_id IN (\(binds: visibility.customerIds.sorted()))")
        }
        if !visibility.objectIds.isEmpty {
            branches.append("c.object_id IN (\(binds: visibility.objectIds.sorted()))")
        }
        if !visibility.objectOwnerIds.isEmpty {
            branches.append("""
                c.object_id IN (SELECT o.id FROM objects o WHERE o.customer_id IN (\(binds: visibility.objectOwnerIds.sorted())))
                """)
        }
        if let contactId = visibility.contactId {
            branches.append("c.id IN (SELECT cc.case_id FROM case_contacts cc WHERE cc.contact_id = \(bind: contactId))")
        }
        guard !branches.isEmpty else { return "1 = 0" }
        return "(" + branches.joined(separator: " OR ") + ")"
    }
}
