import SQLKit

/// `LIMIT … OFFSET …` of a page of cases. The limit is written into the statement on both databases:
/// SQLite plans a bound LIMIT afresh whenever it is bound (issue 17, session 14). On SQLite the offset is
/// bound, so that every page of a list is one statement, prepared once and kept: written in, a customer's
/// 80 pages were 80 texts, and preparing them was 4.6 % of a list page's CPU (perf, session 20). PostgreSQL
/// keeps it written in: a plan made for a bound offset would not know how many rows it skips (but for the
/// first pages' form and the deep pages' merge, whose plans are the same for every page: `VisibleCases.page`).
enum PageWindowSQL {
    static func limit(_ limit: Int, offset: Int, dialect: String) -> SQLQueryString {
        dialect == "sqlite" ? "LIMIT \(literal: limit) OFFSET \(bind: offset)" : "LIMIT \(literal: limit) OFFSET \(literal: offset)"
    }
}
