import CaseportCore
import FluentKit
import SQLKit

/// Keeps the full-text index (table `case_search`) in step with a case, and turns search words into
/// the dialect's match expression. The indexed text is lower-cased in Swift, so case folding of
/// å ä ö æ ø does not depend on the database's locale.
public enum CaseSearchIndex {
    /// Re-indexes one case: its number, subject, description and every public message.
    public static func refresh(caseId: Int, on database: any Database) async throws {
        let sql = try database.requireSQL()
        guard let row = try await sql.raw("""
            SELECT number, subject, description FROM cases WHERE id = \(bind: caseId)
            """).first() else { return }
        var parts = [String(try row.decode(column: "number", as: Int.self)),
                     try row.decode(column: "subject", as: String.self),
                     try row.decode(column: "description", as: String.self)]
        let messages = try await sql.raw("""
            SELECT body FROM case_messages WHERE case_id = \(bind: caseId) AND is_internal = \(bind: false)
            """).all()
        parts += try messages.map { try $0.decode(column: "body", as: String.self) }
        let document = parts.joined(separator: "\n").lowercased()
        if sql.dialect.name == "sqlite" {
            try await sql.raw("DELETE FROM case_search WHERE rowid = \(bind: caseId)").run()
            try await sql.raw("INSERT INTO case_search (rowid, body) VALUES (\(bind: caseId), \(bind: document))").run()
        } else {
            try await sql.raw("""
                INSERT INTO case_search (case_id, document) VALUES (\(bind: caseId), to_tsvector('simple', \(bind: document)))
                ON CONFLICT (case_id) DO UPDATE SET document = EXCLUDED.document
                """).run()
        }
    }

    /// The condition "case `c` matches every term", or nil when there is nothing to search for.
    ///
    /// - Parameter perRow: on SQLite, test each candidate case against the index (a rowid seek per
    ///   case) instead of materialising every match first. Right when the other conditions leave few
    ///   candidates, as the portal's access rule does; wrong for the back office, which sees every case.
    static func predicate(terms: [String], dialect: String, perRow: Bool = false) -> SQLQueryString? {
        guard !terms.isEmpty else { return nil }
        // Terms hold only letters and digits (CaseFilter.searchTerms), so quoting them is safe;
        // they are still passed as bound parameters.
        if dialect == "sqlite" {
            let match = terms.map { "\"\($0)\"*" }.joined(separator: " ")
            if perRow {
                return "EXISTS (SELECT 1 FROM case_search s WHERE s.rowid = c.id AND case_search MATCH \(bind: match))"
            }
            return "c.id IN (SELECT rowid FROM case_search WHERE case_search MATCH \(bind: match))"
        }
        let query = terms.map { "\($0):*" }.joined(separator: " & ")
        return "c.id IN (SELECT case_id FROM case_search WHERE document @@ to_tsquery('simple', \(bind: query)))"
    }
}
