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
        keyedBranches(visibility).map { spelled($0, postgres: dialect == "postgresql") }
    }

    static func spelled(_ branch: KeyedBranch, postgres: Bool) -> SQLQueryString {
        switch branch.keys {
        case .list(let ids):
            return "\(unsafeRaw: branch.column) IN (\(binds: ids))"
        case .subquery(let subquery):
            return postgres ? "\(unsafeRaw: branch.column) = ANY(ARRAY(" + subquery + "))"
                : "\(unsafeRaw: branch.column) IN (" + subquery + ")"
        }
    }

    /// The rule's alternatives made disjoint: each branch AND none of the branches before it (`IS NOT TRUE`:
    /// a NULL column is in no branch, so such a case stays in the later one). Together they hold the same
    /// cases as the OR, each once: a count can add them, a UNION need not find a case twice
    /// (`VisibleCases.disjointCount`, `VisibleCases.disjointBranches`).
    static func disjointBranches(_ visibility: CaseVisibility, dialect: String) -> [SQLQueryString] {
        let branches = self.branches(visibility, dialect: dialect)
        return branches.indices.map { ([branches[$0]] + outside(branches[..<$0])).joined(separator: " AND ") }
    }

    /// A case none of these branches holds: `(branch) IS NOT TRUE` for each (a NULL column is in no branch).
    static func outside(_ branches: some Sequence<SQLQueryString>) -> [SQLQueryString] {
        branches.map { "(" + $0 + ") IS NOT TRUE" }
    }

    /// The rule's branches on the kept counts (M052): the table each is counted in and its own condition there.
    /// The counts' columns have the cases' names, so a branch by customer or object is the same SQL on
    /// `case_counts`; the contact's linked cases are counted per contact in `case_contact_counts`. The branches
    /// before each, which `VisibleCases.disjointCount` leaves out, read the same on both tables.
    static func keptCountBranches(_ visibility: CaseVisibility, dialect: String) -> [(table: String, own: SQLQueryString)] {
        zip(keyedBranches(visibility), branches(visibility, dialect: dialect)).map { keyed, spelled in
            guard let contactId = keyed.linkedContactId else { return ("case_counts", spelled) }
            return ("case_contact_counts", "c.contact_id = \(bind: contactId)")
        }
    }

    /// One alternative of the rule: a case is visible when its `column` is one of `keys`.
    struct KeyedBranch {
        enum Keys {
            case list([Int])
            /// A SELECT of one column of ids.
            case subquery(SQLQueryString)
        }
        var column: String
        var keys: Keys
        /// The contact whose linked cases the branch holds (the branch by case id), else nil.
        var linkedContactId: Int? = nil
    }

    /// The rule's alternatives by column and key set — the one place that says what they are; `branches`
    /// spells them as predicates, `VisibleCases.postgresFirstVisible` as one index walk per key.
    static func keyedBranches(_ visibility: CaseVisibility) -> [KeyedBranch] {
        var branches: [KeyedBranch] = []
        if !visibility.customerIds.isEmpty {
            branches.append(KeyedBranch(column: "c.customer_id", keys: .list(visibility.customerIds.sorted())))
        }
        if !visibility.objectIds.isEmpty {
            branches.append(KeyedBranch(column: "c.object_id", keys: .list(visibility.objectIds.sorted())))
        }
        if !visibility.objectOwnerIds.isEmpty {
            // Only the owners' objects that hold a case outside the branches before: a customer's objects mostly
            // hold the customer's own cases, and the branch walked all of them to leave each out again (2 200
            // index entries of a benchmark customer's, on every list page, count and search; issue 17, session
            // 27). The kept counts (M052) tell per object from a few rows; exact, as for the contact's branch
            // below. The counts' alias `c` makes the earlier branches' SQL read on them.
            branches.append(KeyedBranch(column: "c.object_id", keys: .subquery(
                "SELECT o.id FROM objects o WHERE o.customer_id IN (\(binds: visibility.objectOwnerIds.sorted())) AND "
                + countedOutside(branches, in: "case_counts", where: "c.object_id = o.id"))))
        }
        // Last: the kept counts (`VisibleCases.disjointCount`) read every branch before it on tables that have
        // the cases' customer, object and status but not their ids.
        if let contactId = visibility.contactId {
            // The contact's linked cases add to the others only where one lies outside them; most contacts' do
            // not (a board member's reports are their association's cases). Then the branch has no keys: the
            // kept counts per contact (M052) tell so from a few rows, where the branch looked up every linked
            // case (319 for a busy user in the benchmark: about 1 ms of a list page on PostgreSQL, issue 17,
            // session 26). The check does not depend on the case looked at, so it runs once per statement. Spelled
            // with `IN`, which both databases answer well on so small a table; its alias `c` is the counts' table.
            branches.append(KeyedBranch(column: "c.id", keys: .subquery(
                "SELECT cc.case_id FROM case_contacts cc WHERE cc.contact_id = \(bind: contactId) AND "
                + countedOutside(branches, in: "case_contact_counts", where: "c.contact_id = \(bind: contactId)")),
                linkedContactId: contactId))
        }
        return branches
    }

    /// Whether the kept counts `table` (M052, aliased `c`) hold a case, among its rows that `own` picks, that
    /// lies outside all of `branches`: the gate of a branch whose keys would otherwise be walked only to leave
    /// their cases out again. The counts' columns have the cases' names, so the branches read the same on them.
    private static func countedOutside(_ branches: [KeyedBranch], in table: String, where own: SQLQueryString) -> SQLQueryString {
        let conditions = [own, "c.n <> 0"] + outside(branches.map { spelled($0, postgres: false) })
        return "EXISTS (SELECT 1 FROM \(unsafeRaw: table) c WHERE " + conditions.joined(separator: " AND ") + ")"
    }
}
