import CaseportCore
import SQLKit

/// A `CaseSort` as SQL over `cases c`. Every key is a plain column with an index of M032 (or M004's
/// `created_at` and the unique `number`), and the case id breaks ties, so offset pages never repeat
/// or skip a case whose sort value equals another's.
enum CaseSortSQL {
    static func column(_ key: CaseSort.Key) -> String {
        switch key {
        case .activity: "c.last_activity_at"
        case .created: "c.created_at"
        case .number: "c.number"
        case .subject: "c.subject"
        }
    }

    static func direction(_ sort: CaseSort) -> String { sort.direction == .ascending ? "ASC" : "DESC" }

    /// `ORDER BY`'s list over `cases c`.
    static func orderBy(_ sort: CaseSort) -> SQLQueryString {
        let dir = direction(sort)
        return "\(unsafeRaw: column(sort.key)) \(unsafeRaw: dir), c.id \(unsafeRaw: dir)"
    }

    /// `ORDER BY`'s list over a derived table with `id` and `sort_key` columns.
    static func orderByKey(_ sort: CaseSort) -> SQLQueryString {
        let dir = direction(sort)
        return "sort_key \(unsafeRaw: dir), id \(unsafeRaw: dir)"
    }
}
