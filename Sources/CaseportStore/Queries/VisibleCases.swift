import CaseportCore
import FluentKit
import Foundation
import SQLKit

/// One row of the portal's case list.
public struct CaseListRow: Codable, Sendable, Equatable {
    public var id: Int
    public var number: Int
    public var subject: String
    public var description: String
    public var status: CaseStatus
    public var createdAt: Date
    /// The last public message or status change (issue 12: the "Last updated" column and default order).
    public var lastActivityAt: Date
    public var createdByName: String
    public var origin: CaseOrigin
    public var categoryName: String?
    public var caseTypeName: String?
    public var priorityName: String?
    public var customerName: String?
    public var objectName: String?
    /// Issue 12: the catalogue items' ids, so the list shows their names in the reader's language.
    public var categoryId: Int?
    public var caseTypeId: Int?
    public var priorityId: Int?
    /// 1 when something visible happened since this user last opened the case.
    public var hasNews: Int
    /// Whether work or material is booked on the case (the list marks it; read with the row, session 20).
    public var hasArticleRows: Bool = false
}

/// One case as the portal shows it.
public struct CaseDetail: Codable, Sendable, Equatable {
    public var id: Int
    public var number: Int
    public var subject: String
    public var description: String
    public var status: CaseStatus
    public var categoryId: Int?
    public var categoryName: String?
    public var caseTypeId: Int?
    public var caseTypeName: String?
    public var caseTypeBillable: Bool?
    public var priorityId: Int?
    public var priorityName: String?
    public var customerId: Int?
    public var customerName: String?
    public var objectId: Int?
    public var objectName: String?
    public var objectAddress: String?
    public var workSiteAddress: String?
    public var referenceName: String?
    /// The case's handler while their account is active: whom the customer may reach (issue 12), read with
    /// the case (issue 17: it was a statement of its own on every case view).
    public var handlerName: String?
    public var handlerEmail: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var createdByName: String
    public var origin: CaseOrigin
    /// The optimistic-lock version (M014's edits): a customer's edit applies only to the version its page showed.
    public var version: Int

    /// A row of `VisibleCases.detailSelect`, read column by column (issue 17: the Codable row decoder
    /// converted every key to snake case on every case view, 5 % of its CPU in perf).
    static func read(_ row: any SQLRow) throws -> CaseDetail {
        CaseDetail(
            id: try row.decode(column: "id", as: Int.self), number: try row.decode(column: "number", as: Int.self),
            subject: try row.decode(column: "subject", as: String.self),
            description: try row.decode(column: "description", as: String.self),
            status: try row.decode(column: "status", as: CaseStatus.self),
            categoryId: try row.decodeOptional(column: "category_id", as: Int.self),
            categoryName: try row.decodeOptional(column: "category_name", as: String.self),
            caseTypeId: try row.decodeOptional(column: "case_type_id", as: Int.self),
            caseTypeName: try row.decodeOptional(column: "case_type_name", as: String.self),
            caseTypeBillable: try row.decodeOptional(column: "case_type_billable", as: Bool.self),
            priorityId: try row.decodeOptional(column: "priority_id", as: Int.self),
            priorityName: try row.decodeOptional(column: "priority_name", as: String.self),
            customerId: try row.decodeOptional(column: "customer_id", as: Int.self),
            customerName: try row.decodeOptional(column: "customer_name", as: String.self),
            objectId: try row.decodeOptional(column: "object_id", as: Int.self),
            objectName: try row.decodeOptional(column: "object_name", as: String.self),
            objectAddress: try row.decodeOptional(column: "object_address", as: String.self),
            workSiteAddress: try row.decodeOptional(column: "work_site_address", as: String.self),
            referenceName: try row.decodeOptional(column: "reference_name", as: String.self),
            handlerName: try row.decodeOptional(column: "handler_name", as: String.self),
            handlerEmail: try row.decodeOptional(column: "handler_email", as: String.self),
            createdAt: try row.decode(column: "created_at", as: Date.self),
            updatedAt: try row.decode(column: "updated_at", as: Date.self),
            createdByName: try row.decode(column: "created_by_name", as: String.self),
            origin: try row.decode(column: "origin", as: CaseOrigin.self),
            version: try row.decode(column: "version", as: Int.self))
    }
}

/// What a portal case page has to read besides the case, asked with it (issue 17, session 25): each was a
/// statement of its own on every view, and most cases have no answers to a form, no chat, often no file,
/// and most views find nothing new to record. A page reads a part only when its flag says there is one
/// (the read itself still decides what is shown: a flag only says that rows exist).
public struct CasePageContents: Sendable, Equatable {
    /// Something visible happened since the reader last opened the case (or they never did): the visit is
    /// worth recording (`CaseConversation.recordVisit`).
    public var unseen: Bool
    public var hasFieldValues: Bool
    /// A file on the case that is not removed (shared or not: `VisibleFiles.caseFiles` decides).
    public var hasFiles: Bool
    public var hasChats: Bool
    /// The approval button's label (B6) when the case awaits the customer's approval: its type's choice, read
    /// with the case (a statement of its own on every such view before, issue 17); nil: not read, or the case
    /// does not await approval.
    public var approvalLabel: ApprovalLabel?

    public init(unseen: Bool, hasFieldValues: Bool, hasFiles: Bool, hasChats: Bool, approvalLabel: ApprovalLabel? = nil) {
        (self.unseen, self.hasFieldValues, self.hasFiles, self.hasChats) = (unseen, hasFieldValues, hasFiles, hasChats)
        self.approvalLabel = approvalLabel
    }

    /// Everything read, nothing assumed.
    public static let unknown = CasePageContents(unseen: true, hasFieldValues: true, hasFiles: true, hasChats: true)
}

/// Who is reading, for the "new information" marker: activity after the later of the user's last
/// visit (or, for a case never opened, the account's creation) counts as news.
public struct CaseReader: Sendable {
    public var userId: Int
    public var since: Date
    public init(userId: Int, since: Date) {
        self.userId = userId
        self.since = since
    }
}

/// The portal's only way to read cases: every function takes the viewer's `CaseVisibility` and
/// filters in SQL, so a case outside the rule is indistinguishable from one that does not exist.
public struct VisibleCases: Sendable {
    let database: any Database
    /// Whether list rows bring their category's, case type's and priority's default names (a subquery each,
    /// per row). The portal's list and search leave them out and name the rows from the catalogue names they
    /// keep anyway (`CatalogueNameMap.name(_:_:in:)`): on PostgreSQL those 75 lookups were a fifth of a list
    /// page's statement (0.33 → 0.26 ms, issue 17, session 29).
    let catalogueNamesInRows: Bool

    public init(database: any Database, catalogueNamesInRows: Bool = true) {
        self.database = database
        self.catalogueNamesInRows = catalogueNamesInRows
    }

    private var sql: any SQLDatabase { get throws { try database.requireSQL() } }

    /// The WHERE clause: the access rule AND every part of the filter (AND, for the API's cursor, "after case `afterId`").
    func whereClause(_ visibility: CaseVisibility, _ filter: CaseFilter, dialect: String, afterId: Int? = nil) -> SQLQueryString {
        let parts = [CaseVisibilitySQL.predicate(visibility, dialect: dialect)]
            + CaseFilterSQL.conditions(filter, dialect: dialect, visibility: visibility)
            + Self.keyset(afterId: afterId)
        return parts.joined(separator: " AND ")
    }

    /// Cases after case `afterId` in the lists' order (newest first: created_at DESC, id DESC) — the
    /// API's cursor. Compared with that case's own stored time inside SQL, so no time is rounded
    /// through Swift, and a page stays the same when newer cases arrive.
    static func keyset(afterId: Int?) -> [SQLQueryString] {
        guard let afterId else { return [] }
        return ["""
            (c.created_at < (SELECT k.created_at FROM cases k WHERE k.id = \(bind: afterId))
             OR (c.created_at = (SELECT k.created_at FROM cases k WHERE k.id = \(bind: afterId)) AND c.id < \(bind: afterId)))
            """]
    }

    /// PostgreSQL's form of the visible cases: `id, created_at` of each branch of the rule, UNIONed (a text
    /// search: its hits, each tested against the whole rule; see below).
    /// Asked with the rule's OR, PostgreSQL answers with a BitmapOr that reads every visible row from
    /// the heap (26 ms for 2 000 cases); per branch, it answers from the covering indexes of M013 alone.
    /// Each branch also returns the list's sort column as `sort_key` (M032 gave the customer and object
    /// branches covering indexes for the default order, last activity).
    func postgresVisible(_ visibility: CaseVisibility, _ filter: CaseFilter, afterId: Int? = nil) -> SQLQueryString {
        let branches = CaseVisibilitySQL.branches(visibility, dialect: "postgresql")
        // A text search matches once, into `hits`, for all the branches: each branch ran the full-text
        // match again (issue 17: two GIN searches of the same words and tokens per customer with objects).
        // Only with the viewer's access tokens in the match, which keep it to their own cases; without
        // them (over 200 tokens) the match may be most of the table and stays a join per branch.
        let matchOnce = !filter.searchTerms.isEmpty && CaseSearchIndex.accessMatch(visibility) != nil
        let conditions = CaseFilterSQL.conditions(filter, dialect: "postgresql", visibility: visibility,
                                                  searchHits: matchOnce ? "SELECT case_id FROM hits" : nil)
            + Self.keyset(afterId: afterId)
        let select: SQLQueryString = "SELECT c.id, \(unsafeRaw: CaseSortSQL.column(filter.sort.key)) AS sort_key FROM cases c WHERE "
        guard !branches.isEmpty else { return select + "1 = 0" }
        guard matchOnce else {
            return branches.map { branch in select + ([branch] + conditions).joined(separator: " AND ") }.joined(separator: " UNION ")
        }
        // The hits are the viewer's matching cases already (their access tokens are in the match), mostly a
        // few dozen: each is looked up by primary key and tested against the whole rule, once. Per branch,
        // every case of the customer was read to be joined with them (a customer's 2 147 for 56 hits, 0.85 ms
        // of a search's 1.1; session 27).
        return "WITH hits AS MATERIALIZED (" + CaseSearchIndex.postgresMatch(terms: filter.searchTerms, visibility: visibility)
            + ") " + select + ([CaseVisibilitySQL.predicate(visibility, dialect: "postgresql")] + conditions).joined(separator: " AND ")
    }

    /// The count of the visible cases, branch by branch: the first branch's cases, plus the second's that are
    /// not the first's, and so on (`IS NOT TRUE`: a NULL column is in no branch). When only the state narrows
    /// the count, each branch adds rows of the kept counts (M052, session 26); otherwise
    /// each part is an index-only count (M047 for the object branch on PostgreSQL, the covering
    /// `…_activity_filters` indexes on SQLite).
    /// PostgreSQL's UNION of `postgresVisible` gathered every visible id and removed duplicates instead; under
    /// the realistic mix (issue 17, session 16, `pg_stat_statements`) the list's count 1.90 → 0.68 ms a call,
    /// "needs your action" 2.32 → 0.57 ms. SQLite answered the rule's OR with a "MULTI-INDEX OR", each id of
    /// every branch looked up in a row set to drop the second finding of a case (`sqlite3RowSetTest`, 1.8 %
    /// of the mix in perf, session 21): 0.52 → 0.21 ms for a customer's 2 000 cases, "needs your action"
    /// 0.58 → 0.17 ms (Python's sqlite3 on the million cases). Without a text search on SQLite only: there
    /// the match would run once per branch.
    func disjointCount(_ visibility: CaseVisibility, _ filter: CaseFilter, dialect: String) -> SQLQueryString {
        let branches = CaseVisibilitySQL.branches(visibility, dialect: dialect)
        guard !branches.isEmpty else { return "SELECT 0 AS n" }
        if let kept = Self.keptCountExpression(visibility, filter, dialect: dialect) { return "SELECT " + kept + " AS n" }
        let matchOnce = dialect == "postgresql" && !filter.searchTerms.isEmpty && CaseSearchIndex.accessMatch(visibility) != nil
        let conditions = CaseFilterSQL.conditions(filter, dialect: dialect, visibility: visibility,
                                                  searchHits: matchOnce ? "SELECT case_id FROM hits" : nil)
        let parts = CaseVisibilitySQL.disjointBranches(visibility, dialect: dialect).map { branch -> SQLQueryString in
            "(SELECT COUNT(*) FROM cases c WHERE " + ([branch] + conditions).joined(separator: " AND ") + ")"
        }
        let sum = "SELECT " + parts.joined(separator: " + ") + " AS n"
        guard matchOnce else { return sum }
        return "WITH hits AS MATERIALIZED (" + CaseSearchIndex.postgresMatch(terms: filter.searchTerms, visibility: visibility)
            + ") " + sum
    }

    /// The count of a filter the kept counts answer (`keptCountsAnswer`) as one SQL expression, a sum over the
    /// rule's branches of the kept counts' rows (M052; see `CaseVisibilitySQL.keptCountBranches`); nil for any
    /// other filter. `count` asks it on its own; `Sessions.find` asks it with the session (issue 17, session 30).
    static func keptCountExpression(_ visibility: CaseVisibility, _ filter: CaseFilter, dialect: String) -> SQLQueryString? {
        guard keptCountsAnswer(filter) else { return nil }
        let branches = CaseVisibilitySQL.branches(visibility, dialect: dialect)
        guard !branches.isEmpty else { return "0" }
        let conditions = CaseFilterSQL.conditions(filter, dialect: dialect, visibility: visibility, searchHits: nil)
        let kept = CaseVisibilitySQL.keptCountBranches(visibility, dialect: dialect)
        return kept.indices.map { index -> SQLQueryString in
            "(SELECT COALESCE(SUM(c.n), 0) FROM \(unsafeRaw: kept[index].table) c WHERE "
                + ([kept[index].own] + CaseVisibilitySQL.outside(branches[..<index]) + conditions).joined(separator: " AND ") + ")"
        }.joined(separator: " + ")
    }

    /// Whether the kept counts per customer, object and status (M052) answer a count with this filter: only
    /// the state narrows it (the menu's "needs your action", a list's total, a list of one state).
    static func keptCountsAnswer(_ filter: CaseFilter) -> Bool {
        var rest = filter
        rest.sort = CaseSort()
        rest.statusGroup = .all
        rest.status = nil
        return rest.isEmpty
    }

    /// PostgreSQL's form of a list page's candidates (issue 17, session 15): for each key of each branch of
    /// the rule (each customer, each object, each linked case), only its first `first` cases in the list's
    /// order, read in that order along the covering index `(customer_id | object_id, sort column, id)`; then
    /// UNION, and the page is cut from those. The first `first` cases of all the branches together are
    /// among them: a case ahead of one of them in the whole list is ahead of it in its own branch too.
    /// `postgresVisible` gathered every visible case (2 000 for a customer with 2 000 cases) and sorted
    /// them for a page of 25: 1.8–1.9 ms of PostgreSQL's execution for the first page (warm); this way
    /// 0.17–0.24 ms (docs/PERFORMANCE.md, session 15). A key set given as a subquery (the
    /// owner's objects) is a LATERAL join, because `object_id = ANY(ARRAY(…))` was answered by walking the
    /// whole last-activity index and filtering (13 000 rows for 25).
    ///
    /// `first` and the page's offset are bound, not written in, so that every page of a view is one
    /// statement: the plan is the same walk whatever they are, and PostgreSQL soon keeps it (a generic
    /// plan) instead of planning each page anew (0.35 ms a page under the mix, session 24).
    func postgresFirstVisible(_ visibility: CaseVisibility, _ filter: CaseFilter, first: Int) -> SQLQueryString {
        let branches = CaseVisibilitySQL.keyedBranches(visibility)
        guard !branches.isEmpty else { return "SELECT c.id, c.id AS sort_key FROM cases c WHERE 1 = 0" }
        let conditions = CaseFilterSQL.conditions(filter, dialect: "postgresql", visibility: visibility)
        let sortColumn = CaseSortSQL.column(filter.sort.key)
        return branches.map { branch -> SQLQueryString in
            let keys: SQLQueryString
            switch branch.keys {
            case .list(let ids): keys = "SELECT unnest(ARRAY[\(binds: ids)]::bigint[])"
            case .subquery(let subquery): keys = subquery
            }
            let match: SQLQueryString = "\(unsafeRaw: branch.column) = k.key"
            return "(SELECT x.id, x.sort_key FROM (" + keys + ") AS k(key) CROSS JOIN LATERAL (SELECT c.id, "
                + "\(unsafeRaw: sortColumn) AS sort_key FROM cases c WHERE " + ([match] + conditions).joined(separator: " AND ")
                + " ORDER BY \(CaseSortSQL.orderBy(filter.sort)) LIMIT \(bind: first)) x)"
        }.joined(separator: " UNION ")
    }

    /// Whether a PostgreSQL page is cut from `postgresFirstVisible`: in any of the list's orders (each has
    /// its indexes per branch: last activity M032/M042, creation M013, number and subject M050), without a
    /// text search (it has its own statement) or the API's cursor, and for the first 500 cases of
    /// the list (20 pages of 25): deeper, reading `offset + limit` cases per key and sorting their union cost
    /// as much as gathering them all (`EXPLAIN ANALYZE`, one customer's 2 000 cases: page 1 0.5 against
    /// 2.2 ms, page 20 1.7 against 2.5, page 40 and 80 the same either way).
    static func postgresFirstPays(_ filter: CaseFilter, offset: Int, limit: Int, afterId: Int?) -> Bool {
        guard afterId == nil, filter.searchTerms.isEmpty else { return false }
        let (first, overflow) = offset.addingReportingOverflow(limit)
        return !overflow && first <= 500
    }

    /// A page of visible cases matching the filter, in the filter's order (`filter.sort`; by default
    /// last activity, newest first). With `afterId` (the API's cursor) the order is always newest
    /// created first, the order the cursor counts in.
    ///
    /// `total`, the number of cases the filter finds (the list has counted them for its paging), lets a
    /// page past the middle be read from the list's other end: the same cases, walked from the nearer end
    /// (see `Window`).
    public func page(for visibility: CaseVisibility, filter: CaseFilter = CaseFilter(), reader: CaseReader? = nil,
                     offset: Int, limit: Int, afterId: Int? = nil, total: Int? = nil) async throws -> [CaseListRow] {
        try await page(for: visibility, filter: filter, reader: reader, offset: offset, limit: limit, afterId: afterId,
                       total: total, confirming: nil).rows
    }

    /// A page's rows and what they said of the session taken on trust for it (`Sessions.Confirmation`), read
    /// with the rows: nil when none was given; `.noRow` for an empty page.
    public typealias ConfirmedRows = (rows: [CaseListRow], session: Sessions.Confirmation.Outcome?)

    /// `page`, confirming the session `confirming` in the statement that reads the rows.
    public func page(for visibility: CaseVisibility, filter: CaseFilter = CaseFilter(), reader: CaseReader? = nil,
                     offset: Int, limit: Int, afterId: Int? = nil, total: Int? = nil,
                     confirming session: Sessions.Confirmation?) async throws -> ConfirmedRows {
        let sql = try self.sql
        var filter = filter
        if afterId != nil { filter.sort = .newestFirst }
        let reader = reader ?? CaseReader(userId: -1, since: .distantFuture)
        let listOrder = filter.sort
        let window = Window(offset: offset, limit: limit, total: afterId == nil ? total : nil)
        guard window.limit > 0 else { return ([], session.map { _ in .noRow }) }
        let (offset, limit) = (window.offset, window.limit)
        if window.fromTheEnd { filter.sort.direction = filter.sort.direction.reversed }
        // The page's ids are chosen first, from the indexes alone; only those rows are then joined
        // with their names (a "deferred join"), so a viewer with thousands of cases costs a sort of ids.
        // LIMIT is written into the SQL, not bound, and so is PostgreSQL's OFFSET (`PageWindowSQL`) but in
        // `postgresFirstVisible`'s form and the merge, whose plans are the same for every page.
        let condition = whereClause(visibility, filter, dialect: sql.dialect.name, afterId: afterId)
        let pageIds: SQLQueryString
        if sql.dialect.name == "postgresql", Self.postgresFirstPays(filter, offset: offset, limit: limit, afterId: afterId) {
            pageIds = """
              SELECT id FROM (\(postgresFirstVisible(visibility, filter, first: offset + limit))) visible
              ORDER BY \(CaseSortSQL.orderByKey(filter.sort)) LIMIT \(literal: limit) OFFSET \(bind: offset)
              """
            return try await postgresRows(ofPage: pageIds, visibility: visibility, sort: listOrder, reader: reader, confirming: session)
        } else if sql.dialect.name == "postgresql", Self.postgresMergePays(filter, afterId: afterId) {
            // The offset bound here too, and the customer's branch's limit (`first`): a view is one statement
            // text, prepared once per connection, and with that branch stopping at `first` PostgreSQL keeps a
            // generic plan for it under the mix (planning 0.47 → 0.05 ms a call, session 27). So the page's rows
            // come in the same statement (`postgresRows(ofPage:)`), one round trip: tried so in session 26, when
            // every branch was read whole, it was planned on every call (1.1 ms) and ran in 2.6–3.1 ms; now
            // 0.6–0.8 ms and 0.05 of planning against 0.4 + 0.6 in two statements (`pg_stat_statements`, the mix).
            let (first, overflow) = offset.addingReportingOverflow(limit)
            pageIds = """
              SELECT id FROM (\(disjointBranches(visibility, filter, dialect: "postgresql", first: overflow ? Int.max : first))) visible
              ORDER BY \(CaseSortSQL.orderByKey(filter.sort)) LIMIT \(literal: limit) OFFSET \(bind: offset)
              """
            return try await postgresRows(ofPage: pageIds, visibility: visibility, sort: listOrder, reader: reader, confirming: session)
        } else if sql.dialect.name == "postgresql" {
            pageIds = """
              WITH visible AS MATERIALIZED (\(postgresVisible(visibility, filter, afterId: afterId)))
              SELECT id FROM visible ORDER BY \(CaseSortSQL.orderByKey(filter.sort)) LIMIT \(literal: limit) OFFSET \(literal: offset)
              """
        } else if Self.sqliteUnionPays(visibility, filter, afterId: afterId) {
            // Issue 17: the list in last-activity or creation order (a filtered one in last-activity order
            // only, `sqliteUnionPays`), as a UNION of the rule's branches. With the rule's OR, SQLite collected the viewer's case ids and then read every
            // one's table row for its sort value (2 000 rows for a customer with 2 000 cases: 4 ms, most
            // of a list page's time, measured with perf); per branch, the covering indexes
            // `(customer_id | object_id, last_activity_at, id)` (M032) and `(…, created_at)` (M013)
            // answer without reading a row. Each branch leaves out the earlier branches' cases
            // (`disjointBranches`), and the order and its tie-break by id are the same, so the page is too.
            // The ORDER BY belongs to the compound itself, not to a query around it: then SQLite merges
            // the branches as their indexes deliver them (`MERGE (UNION ALL)`) and stops after offset +
            // limit rows, instead of collecting every visible id into a temporary b-tree and sorting
            // it (0.4 against 1.1 ms for page 40 of a customer's 2 000 cases).
            pageIds = """
              \(disjointBranches(visibility, filter, dialect: "sqlite"))
              ORDER BY \(CaseSortSQL.orderByKey(filter.sort)) \(PageWindowSQL.limit(limit, offset: offset, dialect: "sqlite"))
              """
        } else {
            pageIds = """
              SELECT c.id FROM cases c WHERE \(condition)
              ORDER BY \(CaseSortSQL.orderBy(filter.sort)) \(PageWindowSQL.limit(limit, offset: offset, dialect: "sqlite"))
              """
        }
        return try await rows(pageIds: pageIds, visibility: visibility, sort: listOrder, reader: reader, confirming: session)
    }

    /// The rows of a page to read, and from which end of the list. OFFSET walks every case before the page
    /// (SQLite merges the rule's branches along their indexes one case at a time; PostgreSQL's fast form
    /// reads `offset + limit` cases of each branch), so a page nearer the end is read in the reversed order
    /// with the offset counted from the end, and `rows` puts it back in the list's order. Page 80 of a
    /// customer's 2 000 cases walks 25 cases instead of 2 000. Without a total (a search, the API's cursor)
    /// or for a page in the first half, the window is the page as asked. A total that is out of date by a
    /// case (the portal keeps its counts a few seconds, `ShortLivedCounts`) shifts the pages read from the end
    /// by that case: where the reading turns, mid-list, one case is shown twice or not at all until the
    /// count is read again, as a case arriving between two page views does to offset pages anyway.
    struct Window: Equatable {
        var offset: Int
        var limit: Int
        var fromTheEnd: Bool

        init(offset: Int, limit: Int, total: Int?) {
            (self.offset, self.limit, fromTheEnd) = (offset, limit, false)
            guard let total, offset >= 0, limit > 0, offset < total else { return }
            let (end, overflow) = offset.addingReportingOverflow(limit)
            guard !overflow else { return }
            let fromEnd = total - end  // cases after the page (negative: the page is the last, and short)
            guard max(0, fromEnd) < offset else { return }
            (self.offset, self.limit, fromTheEnd) = (max(0, fromEnd), min(limit, total - offset), true)
        }
    }

    /// A list as a `UNION ALL` of the rule's branches, each without the cases of the branches
    /// before it (`CaseVisibilitySQL.disjointBranches`; issue 17, session 18). A customer's objects mostly hold the customer's own cases, so the
    /// object branch found all 2 000 of them again and, having several objects, had to sort them before
    /// the merge ("USE TEMP B-TREE FOR ORDER BY", `vdbeSorter` in perf); without the customer's own cases
    /// it keeps the few others, checked on the same covering index (it holds `customer_id`). The union is
    /// the same set (a case left out of a branch is in an earlier one); the ids of one customer's page 1,
    /// 30 and 80: 0.56 → 0.16, 0.71 → 0.36 and 1.07 → 0.59 ms (Python's sqlite3 on the million cases).
    /// The filter's conditions (no text search: `sqliteUnionPays`) are tested in each branch, on its covering
    /// index (their columns carry SQLite's unary `+`, `CaseFilterSQL`). The branches being disjoint, `UNION ALL`
    /// is the same set without a duplicate check (SQLite's plan is the same merge; session 22).
    ///
    /// PostgreSQL's page past `postgresFirstPays` is the same compound (`postgresMergePays`): it appends the branches' index-only scans and sorts their ids and sort
    /// keys (EXPLAIN ANALYZE, page 29 of a customer's 2 000 cases: 1.16 ms of execution, where gathering them
    /// with the rule's branches overlapping and removing duplicates took 2.52; planning 0.33 against 0.32).
    ///
    /// With `first` (PostgreSQL's merge), a branch of one listed key (the viewer's customer) is only its first
    /// `first` cases in the list's order: its index walked and stopped there, where all its cases were read and
    /// sorted. A page needs no case beyond the first `offset + limit` of any branch (see `postgresFirstVisible`);
    /// `Window` keeps the offset within the list's nearer half. Page 37 of a customer's 2 560 cases: 1.45 → 0.71
    /// ms of execution (`EXPLAIN ANALYZE`, session 27). Not the other branches: their keys come from a subquery
    /// PostgreSQL cannot estimate (mostly none, `CaseVisibilitySQL.keyedBranches`), and with a small limit it
    /// walked the whole last-activity index instead, to find 25 cases of an empty key set (165 ms, session 27).
    func disjointBranches(_ visibility: CaseVisibility, _ filter: CaseFilter, dialect: String, first: Int? = nil) -> SQLQueryString {
        let select: SQLQueryString = "SELECT c.id, \(unsafeRaw: CaseSortSQL.column(filter.sort.key)) AS sort_key FROM cases c WHERE "
        let branches = CaseVisibilitySQL.disjointBranches(visibility, dialect: dialect)
        guard !branches.isEmpty else { return select + "1 = 0" }
        let conditions = CaseFilterSQL.conditions(filter, dialect: dialect, visibility: visibility)
        return zip(branches, CaseVisibilitySQL.keyedBranches(visibility)).map { branch, keyed -> SQLQueryString in
            let selected = select + ([branch] + conditions).joined(separator: " AND ")
            guard let first, case .list(let keys) = keyed.keys, keys.count == 1 else { return selected }
            return "(" + selected + " ORDER BY \(CaseSortSQL.orderBy(filter.sort)) LIMIT \(bind: first))"
        }.joined(separator: " UNION ALL ")
    }

    /// Whether a PostgreSQL page deeper than `postgresFirstPays` is read by merging the rule's disjoint
    /// branches (`disjointBranches`): in last-activity order, without a text search or the API's cursor
    /// (issue 17, session 22: a middle page of a customer's 2 000 cases gathered and sorted all of them).
    static func postgresMergePays(_ filter: CaseFilter, afterId: Int?) -> Bool {
        afterId == nil && filter.searchTerms.isEmpty && filter.sort.key == .activity
    }

    /// The list rows of the cases `pageIds` selects, in `sort`'s order, with their names looked up.
    ///
    /// The names are scalar subqueries, not LEFT JOINs (issue 17): with the page and six joined tables
    /// PostgreSQL's planner searched the join orders afresh for every statement, 2.4 ms of planning against
    /// 1.1 ms of executing a list page (`EXPLAIN (ANALYZE, SUMMARY)`, a warm connection); planning was a
    /// third of PostgreSQL's CPU in the realistic mix (`pg_stat_statements.track_planning`). A scalar
    /// subquery by primary key is planned on its own, cheaply: 0.24 ms, the same rows. (SQLite: the same
    /// within 0.03 ms a page.)
    ///
    /// PostgreSQL reads the ids first and the rows by them in a second statement (`rows(ids:)`) when the ids'
    /// statement has its offset written in (a deep page's gather form, a search): PostgreSQL plans such a
    /// statement on every call, and planned the rows' part, names and all, with it (0.5–1.0 ms under the mix,
    /// session 23); the rows' statement alone is one text per order and shape of the rule, which each
    /// connection soon plans once, generically (0.2 ms → 0.02). A page whose ids' statement is one text per
    /// view is one statement (`postgresRows(ofPage:)`).
    func rows(pageIds: SQLQueryString, visibility: CaseVisibility, sort: CaseSort,
              reader: CaseReader, confirming session: Sessions.Confirmation? = nil) async throws -> ConfirmedRows {
        let sql = try self.sql
        if sql.dialect.name == "postgresql" {
            let ids = try await sql.raw(pageIds).all().map { try $0.decode(column: "id", as: Int.self) }
            return try await rows(ids: ids, visibility: visibility, sort: sort, reader: reader, confirming: session)
        }
        return try await rows(from: "(\(pageIds)) page JOIN cases c ON c.id = page.id", sort: sort, reader: reader, confirming: session)
    }

    /// A PostgreSQL page whose ids' statement is one text for every page of a view (`postgresFirstVisible` and
    /// the deep pages' merge: their offset and per-key or per-branch limit bound) and its rows, in one
    /// statement: the ids are an InitPlan (`c.id = ANY(ARRAY(…))`) and the rows are found by them as
    /// `rows(ids:)` finds them. In psql PostgreSQL plans the first pages' form generically from its sixth run on
    /// a connection (pages 1–5 of a customer's list, ten runs: planning 0.56–0.73 ms, then 0.02–0.06; execution
    /// 0.58–0.86 ms against 0.59–0.94 + 0.27–0.31 for the two statements it replaces); under the mix it plans
    /// each call (0.42 ms, session 27). It is one round trip fewer for every list page (session 25).
    /// The rule is not tested again on the rows: the ids were chosen under it by the same statement, which sees
    /// one snapshot, so no case can have moved between the two (`rows(ids:)`, a statement of its own, does test
    /// it). Repeating it was a third of the statement's planning (`EXPLAIN (SUMMARY)`, one customer's first
    /// page: 1.04 → 0.74 ms; session 27).
    private func postgresRows(ofPage pageIds: SQLQueryString, visibility: CaseVisibility, sort: CaseSort,
                              reader: CaseReader, confirming session: Sessions.Confirmation?) async throws -> ConfirmedRows {
        try await rows(from: "cases c WHERE c.id = ANY(ARRAY(" + pageIds + "))", sort: sort, reader: reader, genericPlan: true,
                       confirming: session)
    }

    /// The list rows of those of the cases `ids` that the viewer may see, in `sort`'s order. The ids were
    /// chosen under the rule by an earlier statement; the rule is tested again here, so that a case moved
    /// to another customer between the two statements is not shown (tested on each row found by its primary
    /// key: PostgreSQL 0.2 ms a page either way, SQLite 0.040 → 0.065 ms). On PostgreSQL the ids are one bound
    /// array, so the statement's text is the same for every page (see `rows(pageIds:)`).
    func rows(ids: [Int], visibility: CaseVisibility, sort: CaseSort, reader: CaseReader,
              confirming session: Sessions.Confirmation? = nil) async throws -> ConfirmedRows {
        guard !ids.isEmpty else { return ([], session.map { _ in .noRow }) }
        let sql = try self.sql
        let dialect = sql.dialect.name
        let chosen: SQLQueryString = dialect == "postgresql" ? "c.id = ANY(\(bind: ids))" : "c.id IN (\(binds: ids))"
        return try await rows(from: "cases c WHERE " + chosen + " AND " + CaseVisibilitySQL.predicate(visibility, dialect: dialect),
                              sort: sort, reader: reader, genericPlan: true, confirming: session)
    }

    /// The list rows of the cases `source` (a FROM clause that names the cases `c`) holds. `genericPlan`: the
    /// source finds its cases by key or by a walk per key of the rule (`SQLQueryString.genericPlan()`).
    /// `confirming`: the session taken on trust for the page, confirmed by columns of the same statement.
    private func rows(from source: SQLQueryString, sort: CaseSort, reader: CaseReader,
                      genericPlan: Bool = false, confirming session: Sessions.Confirmation? = nil) async throws -> ConfirmedRows {
        let sql = try self.sql
        let statement: SQLQueryString = """
            SELECT c.id, c.number, c.subject, c.description, c.status, c.created_at, c.last_activity_at,
                   c.created_by_name, c.origin,\(catalogueNamesInRows ? Self.catalogueNameColumns : "")
                   (SELECT name FROM customers WHERE id = c.customer_id) AS customer_name,
                   (SELECT name FROM objects WHERE id = c.object_id) AS object_name,
                   c.category_id, c.case_type_id, c.priority_id,
                   CASE WHEN c.last_activity_at > COALESCE(
                       (SELECT r.seen_at FROM case_reads r WHERE r.case_id = c.id AND r.user_id = \(bind: reader.userId)),
                       \(bind: reader.since)) THEN 1 ELSE 0 END AS has_news,
                   EXISTS (SELECT 1 FROM article_rows a WHERE a.case_id = c.id) AS has_article_rows\(session?.columns(dialect: sql.dialect.name) ?? "")
            FROM \(source)
            ORDER BY \(CaseSortSQL.orderBy(sort))
            """
        let named = catalogueNamesInRows
        let found = try await sql.raw(genericPlan ? statement.genericPlan() : statement).all()
        return (try found.map { try Self.listRow($0, named: named) }, try session?.outcome(of: found))
    }

    /// A list row's catalogue names (see `catalogueNamesInRows`).
    private static let catalogueNameColumns: SQLQueryString = """

                   (SELECT name FROM categories WHERE id = c.category_id) AS category_name,
                   (SELECT name FROM case_types WHERE id = c.case_type_id) AS case_type_name,
                   (SELECT name FROM priorities WHERE id = c.priority_id) AS priority_name,
        """

    /// A text search's page together with its number of hits (issue 17): the full-text match ran twice
    /// per search page, once for the count and once for the page, and was most of a search's time (perf
    /// on SQLite; `pg_stat_statements` on PostgreSQL). Here one statement chooses the page's ids and counts
    /// every hit (`COUNT(*) OVER ()`, taken before `LIMIT`), and a second reads those rows. nil when the
    /// page is past the last hit (the caller counts and asks again for the last page).
    /// `confirming`: the session taken on trust for the page, confirmed with its rows (`page`'s `ConfirmedRows`).
    public func searchPageAndCount(for visibility: CaseVisibility, filter: CaseFilter, reader: CaseReader,
                                   offset: Int, limit: Int, confirming session: Sessions.Confirmation? = nil) async throws
        -> (rows: [CaseListRow], total: Int, session: Sessions.Confirmation.Outcome?)? {
        let sql = try self.sql
        guard !filter.searchTerms.isEmpty else { return nil }
        let found = try await sql.raw(sql.dialect.name == "postgresql" ? """
            WITH visible AS MATERIALIZED (\(postgresVisible(visibility, filter)))
            SELECT id, COUNT(*) OVER () AS total FROM visible
            ORDER BY \(CaseSortSQL.orderByKey(filter.sort)) LIMIT \(literal: limit) OFFSET \(literal: offset)
            """ : """
            SELECT c.id, COUNT(*) OVER () AS total FROM cases c WHERE \(whereClause(visibility, filter, dialect: "sqlite"))
            ORDER BY \(CaseSortSQL.orderBy(filter.sort)) \(PageWindowSQL.limit(limit, offset: offset, dialect: "sqlite"))
            """).all()
        guard let first = found.first else { return offset == 0 ? ([], 0, session.map { _ in .noRow }) : nil }
        let total = try first.decode(column: "total", as: Int.self)
        let ids = try found.map { try $0.decode(column: "id", as: Int.self) }
        let rows = try await self.rows(ids: ids, visibility: visibility, sort: filter.sort, reader: reader, confirming: session)
        return (rows.rows, total, rows.session)
    }

    /// Whether SQLite answers a page faster from the UNION of the rule's branches (see `page`): without a
    /// text search (it would run once per branch), for the orders the branches' indexes hold, and when there
    /// is more than one branch. A filtered list only in last-activity order: the covering indexes
    /// `(customer_id | object_id, last_activity_at, id, …)` hold every filter's column (M044), those for the
    /// creation order do not. Session 21: the page of a filtered list came from a "MULTI-INDEX OR" that put
    /// every visible case of the filter in a row set and sorted them (0.5–1.3 ms a page at 1 000 000 cases);
    /// merged along the branches it is 0.05–0.27 ms (Python's sqlite3, a status or category filter, pages 1
    /// and 9).
    static func sqliteUnionPays(_ visibility: CaseVisibility, _ filter: CaseFilter, afterId: Int?) -> Bool {
        guard afterId == nil, filter.searchTerms.isEmpty else { return false }
        guard filter.sort.key == .activity || (filter.sort.key == .created && filter.isEmpty) else { return false }
        return CaseVisibilitySQL.branches(visibility, dialect: "sqlite").count > 1
    }

    /// A list row read column by column. (Decoding with `convertFromSnakeCase` converted every
    /// property's name for every row: 7 % of a list page's time in perf, issue 17.)
    /// `named`: the row has the catalogue names (`catalogueNamesInRows`); without them they are nil.
    static func listRow(_ row: any SQLRow, named: Bool = true) throws -> CaseListRow {
        CaseListRow(
            id: try row.decode(column: "id", as: Int.self), number: try row.decode(column: "number", as: Int.self),
            subject: try row.decode(column: "subject", as: String.self),
            description: try row.decode(column: "description", as: String.self),
            status: try row.decodeRaw(column: "status", as: CaseStatus.self),
            createdAt: try row.decode(column: "created_at", as: Date.self),
            lastActivityAt: try row.decode(column: "last_activity_at", as: Date.self),
            createdByName: try row.decode(column: "created_by_name", as: String.self),
            origin: try row.decodeRaw(column: "origin", as: CaseOrigin.self),
            categoryName: named ? try row.decodeOptional(column: "category_name", as: String.self) : nil,
            caseTypeName: named ? try row.decodeOptional(column: "case_type_name", as: String.self) : nil,
            priorityName: named ? try row.decodeOptional(column: "priority_name", as: String.self) : nil,
            customerName: try row.decodeOptional(column: "customer_name", as: String.self),
            objectName: try row.decodeOptional(column: "object_name", as: String.self),
            categoryId: try row.decodeOptional(column: "category_id", as: Int.self),
            caseTypeId: try row.decodeOptional(column: "case_type_id", as: Int.self),
            priorityId: try row.decodeOptional(column: "priority_id", as: Int.self),
            hasNews: try row.decode(column: "has_news", as: Int.self),
            hasArticleRows: try row.decodeOptional(column: "has_article_rows", as: Bool.self) ?? false)
    }

    public func count(for visibility: CaseVisibility, filter: CaseFilter = CaseFilter()) async throws -> Int {
        let sql = try self.sql
        let dialect = sql.dialect.name
        // A count without a text search is a sum of index ranges per key of the rule: one plan for any values.
        let statement = dialect == "postgresql" || filter.searchTerms.isEmpty
            ? disjointCount(visibility, filter, dialect: dialect)
            : "SELECT COUNT(*) AS n FROM cases c WHERE \(whereClause(visibility, filter, dialect: dialect))"
        let row = try await sql.raw(filter.searchTerms.isEmpty ? statement.genericPlan() : statement).first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    /// Every visible case id; for tests and tools that compare the SQL scope with the Core rule.
    public func allIds(for visibility: CaseVisibility, filter: CaseFilter = CaseFilter()) async throws -> Set<Int> {
        let sql = try self.sql
        let rows = try await sql.raw("""
            SELECT c.id FROM cases c WHERE \(whereClause(visibility, filter, dialect: sql.dialect.name))
            """).all()
        return Set(try rows.map { try $0.decode(column: "id", as: Int.self) })
    }

    /// The id, number and subject of the case with this number, or nil when it does not exist or the
    /// viewer may not see it (the same rule as `find`): what a write on the case needs. Issue 17 point 5:
    /// a portal message read and decoded the whole detail, with five joins, for these three.
    public func target(number: Int, for visibility: CaseVisibility) async throws -> (id: Int, number: Int, subject: String)? {
        let sql = try self.sql
        let statement: SQLQueryString = """
            SELECT c.id, c.number, c.subject FROM cases c
            WHERE c.number = \(bind: number) AND \(CaseVisibilitySQL.predicate(visibility, dialect: sql.dialect.name))
            """
        guard let row = try await sql.raw(statement.genericPlan()).first() else { return nil }
        return (try row.decode(column: "id", as: Int.self), try row.decode(column: "number", as: Int.self),
                try row.decode(column: "subject", as: String.self))
    }

    /// The case with this number, or nil when it does not exist or the viewer may not see it.
    public func find(number: Int, for visibility: CaseVisibility) async throws -> CaseDetail? {
        let sql = try self.sql
        let statement: SQLQueryString = """
            \(unsafeRaw: Self.detailSelect)
            WHERE c.number = \(bind: number) AND \(CaseVisibilitySQL.predicate(visibility, dialect: sql.dialect.name))
            """
        return try await sql.raw(statement.genericPlan()).first().map(CaseDetail.read)
    }

    /// The case a portal case page shows, with what else the page has to read (`CasePageContents`), in one
    /// statement under the access rule. `confirming`: the session taken on trust for this view, confirmed in
    /// the same statement (`Sessions.Confirmation`); its outcome is nil when none was given, and the case is
    /// only to be shown when it is `.confirmed`.
    public func findForPage(number: Int, for visibility: CaseVisibility, userId: Int,
                            confirming session: Sessions.Confirmation? = nil) async throws
        -> (detail: CaseDetail, contents: CasePageContents, session: Sessions.Confirmation.Outcome?)? {
        let sql = try self.sql
        let dialect = sql.dialect.name
        let statement: SQLQueryString = """
            \(unsafeRaw: Self.detailColumns)\(session?.columns(dialect: dialect) ?? ""),
                   NOT EXISTS (SELECT 1 FROM case_reads r WHERE r.user_id = \(bind: userId) AND r.case_id = c.id
                               AND r.seen_at >= c.last_activity_at) AS unseen,
                   EXISTS (SELECT 1 FROM case_field_values WHERE case_id = c.id) AS has_field_values,
                   EXISTS (SELECT 1 FROM files WHERE case_id = c.id AND removed_at IS NULL) AS has_files,
                   EXISTS (SELECT 1 FROM chat_conversations WHERE case_id = c.id) AS has_chats,
                   CASE WHEN c.status = \(bind: CaseStatus.resolved.rawValue)
                        THEN (SELECT approval_label FROM case_types WHERE id = c.case_type_id) END AS approval_label
            FROM cases c
            WHERE c.number = \(bind: number) AND \(CaseVisibilitySQL.predicate(visibility, dialect: dialect))
            """
        guard let row = try await sql.raw(statement.genericPlan()).first() else { return nil }
        let confirmed = try session?.outcome(of: row)
        var contents = CasePageContents(unseen: try row.decode(column: "unseen", as: Bool.self),
                                        hasFieldValues: try row.decode(column: "has_field_values", as: Bool.self),
                                        hasFiles: try row.decode(column: "has_files", as: Bool.self),
                                        hasChats: try row.decode(column: "has_chats", as: Bool.self))
        let detail = try CaseDetail.read(row)
        if detail.status == .resolved {
            contents.approvalLabel = ApprovalLabel(stored: try row.decodeOptional(column: "approval_label", as: String.self))
        }
        return (detail, contents, confirmed)
    }

    /// The columns of a `CaseDetail`; `StaffCases.detail` reads the same shape for staff. Names are scalar
    /// subqueries for the reason `rows(pageIds:)` gives (PostgreSQL planned the five joins in 0.69 ms to
    /// execute in 0.04; now 0.11).
    static let detailSelect = detailColumns + "\nFROM cases c"

    static let detailColumns = """
            SELECT c.id, c.number, c.subject, c.description, c.status,
                   c.category_id, (SELECT name FROM categories WHERE id = c.category_id) AS category_name,
                   c.case_type_id, (SELECT name FROM case_types WHERE id = c.case_type_id) AS case_type_name,
                   (SELECT is_billable FROM case_types WHERE id = c.case_type_id) AS case_type_billable,
                   c.priority_id, (SELECT name FROM priorities WHERE id = c.priority_id) AS priority_name,
                   c.customer_id, (SELECT name FROM customers WHERE id = c.customer_id) AS customer_name,
                   c.object_id, (SELECT name FROM objects WHERE id = c.object_id) AS object_name,
                   (SELECT address FROM objects WHERE id = c.object_id) AS object_address,
                   c.work_site_address, c.reference_name,
                   (SELECT name FROM staff_users WHERE id = c.handler_id AND is_active = TRUE) AS handler_name,
                   (SELECT email FROM staff_users WHERE id = c.handler_id AND is_active = TRUE) AS handler_email,
                   c.created_at, c.updated_at, c.created_by_name, c.origin, c.version
            """
}

/// The facts the Core rule needs about cases, read without any scope. Used to prove that the SQL
/// scope and `CaseVisibility.canSee` agree; never used to decide what a viewer gets.
public struct CaseAccessFactsQuery: Sendable {
    let database: any Database
    public init(database: any Database) { self.database = database }

    public func all() async throws -> [Int: CaseAccessFacts] {
        let sql = try database.requireSQL()
        struct Row: Decodable { var id: Int; var customer_id: Int?; var object_id: Int?; var owner_id: Int? }
        let rows = try await sql.raw("""
            SELECT c.id, c.customer_id, c.object_id, o.customer_id AS owner_id
            FROM cases c LEFT JOIN objects o ON o.id = c.object_id
            """).all(decoding: Row.self)
        let links = try await sql.raw("SELECT case_id, contact_id FROM case_contacts").all()
        var contactsByCase: [Int: Set<Int>] = [:]
        for link in links {
            let caseId = try link.decode(column: "case_id", as: Int.self)
            contactsByCase[caseId, default: []].insert(try link.decode(column: "contact_id", as: Int.self))
        }
        var facts: [Int: CaseAccessFacts] = [:]
        for row in rows {
            facts[row.id] = CaseAccessFacts(customerId: row.customer_id, objectId: row.object_id,
                                            objectCustomerId: row.owner_id,
                                            linkedContactIds: contactsByCase[row.id] ?? [])
        }
        return facts
    }
}
