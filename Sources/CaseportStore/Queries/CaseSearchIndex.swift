import CaseportCore
import FluentKit
import Foundation
import SQLKit

/// Keeps the full-text index (table `case_search`) in step with a case, and turns search words into
/// the dialect's match expression. The indexed text is lower-cased in Swift, so case folding of
/// å ä ö æ ø does not depend on the database's locale.
public enum CaseSearchIndex {
    /// Re-indexes one case: its number, subject, description and every public message.
    /// `newText`: on SQLite, the only text whose words may be new to `search_words` (a message added to an
    /// indexed case); nil: the whole document's.
    public static func refresh(caseId: Int, newText: String? = nil, on database: any Database) async throws {
        let sql = try database.requireSQL()
        let sqlite = sql.dialect.name == "sqlite"
        // The case, its public messages and what its access tokens name, in one read (issue 17 point 5:
        // this ran three statements on every new case and every public message).
        let messages: SQLQueryString = sqlite
            ? "(SELECT group_concat(body, char(10)) FROM case_messages WHERE case_id = c.id AND is_internal = \(false))"
            : "(SELECT string_agg(body, chr(10)) FROM case_messages WHERE case_id = c.id AND is_internal = \(false))"
        let contacts: SQLQueryString = sqlite
            ? "(SELECT group_concat(contact_id, ' ') FROM case_contacts WHERE case_id = c.id)"
            : "(SELECT string_agg(contact_id::text, ' ') FROM case_contacts WHERE case_id = c.id)"
        // SQLite: whether the case has a document already (else all its words may be new).
        let indexed: SQLQueryString = sqlite ? "(SELECT count(*) FROM case_search WHERE rowid = c.id)" : "1"
        guard let row = try await sql.raw("""
            SELECT c.number, c.subject, c.description, c.customer_id, c.object_id, o.customer_id AS owner_id,
                   \(messages) AS messages, \(contacts) AS contacts, \(indexed) AS indexed
            FROM cases c LEFT JOIN objects o ON o.id = c.object_id WHERE c.id = \(bind: caseId)
            """).first() else { return }
        var parts = [String(try row.decode(column: "number", as: Int.self)),
                     text(subject: try row.decode(column: "subject", as: String.self),
                          description: try row.decode(column: "description", as: String.self))]
        if let bodies = try row.decodeOptional(column: "messages", as: String.self) { parts.append(bodies.lowercased()) }
        var document = parts.joined(separator: "\n")
        let tokens = try accessTokens(caseRow: row)
        if sqlite {
            let scoped = scopedDocument(words: try await sqliteTokens(of: document, on: sql).words, tokens: tokens)
            try await sql.raw("DELETE FROM case_search_scoped WHERE rowid = \(bind: caseId)").run()
            if !scoped.isEmpty {
                try await sql.raw("INSERT INTO case_search_scoped (rowid, body) VALUES (\(bind: caseId), \(bind: scoped))").run()
            }
        }
        document += "\n" + tokens.joined(separator: " ")
        if sqlite {
            try await sql.raw("DELETE FROM case_search WHERE rowid = \(bind: caseId)").run()
            try await sql.raw("INSERT INTO case_search (rowid, body) VALUES (\(bind: caseId), \(bind: document))").run()
            let wasIndexed = try row.decode(column: "indexed", as: Int.self) > 0
            try await rememberSQLiteWords(of: wasIndexed ? newText ?? document : document, on: sql)
        } else {
            // The document and its new words in one statement.
            try await sql.raw("""
                WITH d AS (
                    INSERT INTO case_search (case_id, document) VALUES (\(bind: caseId), to_tsvector('simple', \(bind: document)))
                    ON CONFLICT (case_id) DO UPDATE SET document = EXCLUDED.document
                    RETURNING document)
                INSERT INTO search_words (word)
                SELECT w FROM d, unnest(tsvector_to_array(d.document)) w
                WHERE w !~ '^zz[cowk][0-9]+$'
                ON CONFLICT DO NOTHING
                """).run()
        }
    }

    /// A public message was added to the case: its words join the case's document. PostgreSQL appends
    /// them to the stored document in one statement (issue 17 point 5: a full refresh read back every
    /// public message of the case on each new one); the document then holds the same words as a refresh
    /// would make (no query here uses word positions). SQLite's FTS5 keeps no document to append to:
    /// the case is re-indexed, as is any case without a document yet.
    public static func added(message body: String, caseId: Int, on database: any Database) async throws {
        let sql = try database.requireSQL()
        if sql.dialect.name != "sqlite" {
            let row = try await sql.raw("""
                WITH \(appendCTEs(body, caseId: caseId))
                SELECT count(*) AS n FROM d
                """).first()
            if try row?.decode(column: "n", as: Int.self) ?? 0 > 0 { return }
            try await refresh(caseId: caseId, on: database)
            return
        }
        try await refresh(caseId: caseId, newText: body.lowercased(), on: database)
    }

    /// PostgreSQL: the common table expressions that append a message's words to the case's document and
    /// to the search words; `d` has a row when the case had a document (else it needs a refresh).
    static func appendCTEs(_ body: String, caseId: Int) -> SQLQueryString {
        """
        v AS (SELECT to_tsvector('simple', \(bind: body.lowercased())) AS added),
        d AS (UPDATE case_search s SET document = s.document || v.added FROM v WHERE s.case_id = \(bind: caseId)
              RETURNING v.added),
        w AS (INSERT INTO search_words (word)
              SELECT x FROM d, unnest(tsvector_to_array(d.added)) x WHERE x !~ '^zz[cowk][0-9]+$'
              ON CONFLICT DO NOTHING)
        """
    }

    /// Re-indexes every case of one object: its owner, and so its cases' access tokens, changed.
    public static func refresh(objectId: Int, on database: any Database) async throws {
        let rows = try await database.requireSQL().raw("SELECT id FROM cases WHERE object_id = \(bind: objectId)").all()
        for row in rows { try await refresh(caseId: try row.decode(column: "id", as: Int.self), on: database) }
    }

    /// A case's subject and description as its document holds them (`CaseCreation` writes a new case's
    /// document with them on PostgreSQL).
    static func text(subject: String, description: String) -> String {
        (subject + "\n" + description).lowercased()
    }

    /// The first access tokens of a case's document: its customer's and its object's (`accessTokens`).
    static func tokens(customerId: Int?, objectId: Int?) -> String {
        [customerId.map { "zzc\($0)" }, objectId.map { "zzo\($0)" }].compactMap { $0 }.joined(separator: " ")
    }

    /// Words added to a case's document naming what the access rule looks at: its customer
    /// (`zzc…`), object (`zzo…`), the object's owner (`zzw…`) and linked contacts (`zzk…`). A search
    /// then asks FTS5 or the GIN index for "the terms AND one of the viewer's tokens", which they
    /// answer from short posting lists instead of every case containing a common word. They only narrow: the SQL access
    /// predicate is still applied to every result, so a stale token can hide a hit, never reveal one.
    /// `caseRow`: the case's `customer_id`, `object_id`, its object's owner as `owner_id` and its linked
    /// contacts' ids as `contacts` (space-separated, or NULL).
    static func accessTokens(caseRow row: any SQLRow) throws -> [String] {
        var tokens: [String] = []
        if let id = try row.decodeOptional(column: "customer_id", as: Int.self) { tokens.append("zzc\(id)") }
        if let id = try row.decodeOptional(column: "object_id", as: Int.self) { tokens.append("zzo\(id)") }
        if let id = try row.decodeOptional(column: "owner_id", as: Int.self) { tokens.append("zzw\(id)") }
        let contacts = try row.decodeOptional(column: "contacts", as: String.self) ?? ""
        tokens += contacts.split(separator: " ").compactMap { Int($0) }.map { "zzk\($0)" }
        return tokens
    }

    /// The viewer's access tokens as an OR-group (FTS5 `OR`, tsquery `|`), or nil when there are too
    /// many to help.
    static func accessMatch(_ visibility: CaseVisibility, or: String = " OR ") -> String? {
        viewerTokens(visibility).map { "(" + $0.joined(separator: or) + ")" }
    }

    /// The viewer's access tokens (`accessTokens`), or nil when there are none or too many to help (over 200).
    static func viewerTokens(_ visibility: CaseVisibility) -> [String]? {
        var tokens = visibility.customerIds.sorted().map { "zzc\($0)" }
        tokens += visibility.objectIds.sorted().map { "zzo\($0)" }
        tokens += visibility.objectOwnerIds.sorted().map { "zzw\($0)" }
        if let contact = visibility.contactId { tokens.append("zzk\(contact)") }
        guard !tokens.isEmpty, tokens.count <= 200 else { return nil }
        return tokens
    }

    /// SQLite: the scoped index's document of a case (`case_search_scoped`, M048): each of its words joined
    /// to each of its access tokens with an `x` (`zzc7` and `vatten`: `zzc7xvatten`; the token's digits end
    /// at the `x`, so no two pairs make the same word). A viewer's search then asks for "a word starting
    /// `zzc7xvatt`, or `zzk9xvatt`…": short document lists of their own cases, where "vatt… AND one of the
    /// viewer's tokens" walked the common word's list over the whole index page by page (issue 17, session 20:
    /// about 1.1 ms of a 2.6 ms search at a million cases).
    static func scopedDocument(words: [String], tokens: [String]) -> String {
        var document = ""
        for token in tokens {
            for word in words {
                if !document.isEmpty { document += " " }
                document += token + "x" + word
            }
        }
        return document
    }

    /// The most prefixes a scoped match asks for (tokens × terms). Each is a range of the index's words read
    /// in every segment; a viewer with many customers searching many words (200 tokens × 8 terms) would ask
    /// for 1 600, where the whole index answers with one OR of their tokens.
    static let scopedPrefixLimit = 64

    /// SQLite: the scoped match of a viewer's search (see `scopedDocument`): every term, as a prefix, under
    /// one of the viewer's tokens. Terms hold only letters and digits, and so do the tokens.
    static func scopedMatch(terms: [String], tokens: [String]) -> String {
        terms.map { term in "(" + tokens.map { "\"" + $0 + "x" + term + "\"*" }.joined(separator: " OR ") + ")" }
            .joined(separator: " AND ")
    }

    /// `c.id IN (…cases matching every term…)`, or nil when there is nothing to search for.
    /// A viewer's access tokens are added to the match (see `accessTokens`).
    /// (A per-row check, `EXISTS … WHERE rowid = c.id AND MATCH`, was measured 10× slower on SQLite:
    /// FTS5 evaluates the whole match for each row.)
    static func predicate(terms: [String], dialect: String, visibility: CaseVisibility? = nil) -> SQLQueryString? {
        guard !terms.isEmpty else { return nil }
        // Terms hold only letters and digits (CaseFilter.searchTerms), so quoting them is safe;
        // they are still passed as bound parameters.
        if dialect == "sqlite" {
            if let visibility, let tokens = viewerTokens(visibility), tokens.count * terms.count <= scopedPrefixLimit {
                let match = scopedMatch(terms: terms, tokens: tokens)
                return "c.id IN (SELECT rowid FROM case_search_scoped WHERE case_search_scoped MATCH \(bind: match))"
            }
            var match: SQLQueryString = terms.map(sqliteTermMatch).joined(separator: " || ' AND ' || ")
            if let visibility, let access = accessMatch(visibility) { match = match + " || ' AND ' || \(bind: access)" }
            return "c.id IN (SELECT rowid FROM case_search WHERE case_search MATCH (" + match + "))"
        }
        var fence: SQLQueryString = ""
        if let visibility, accessMatch(visibility) != nil {
            // With the viewer's tokens the match is narrow (their own cases) and the GIN index finds it
            // at once. `OFFSET 0` keeps the subquery whole: without it PostgreSQL turned the IN into a
            // nested loop that read and tested the document of each of the viewer's cases, one by one
            // (issue 17, EXPLAIN ANALYZE at 1 000 000 cases: 21 ms against 3.8 ms for a customer's 2 000
            // cases). Staff searches (no tokens, every case) keep the join, which stops at a page.
            fence = " OFFSET 0"
        }
        return "c.id IN (" + postgresMatch(terms: terms, visibility: visibility) + fence + ")"
    }

    /// SQLite: one term of the match, as an expression. FTS5 answers a prefix (`"läck"*`) by merging the
    /// document lists of every word it starts, over all cases, before the viewer's access tokens narrow it
    /// (issue 17: 1.5 ms of a 3.5 ms search at a million cases), but an OR of exact words lazily, skipping
    /// through each list. So the term becomes the OR of the indexed words it starts (`search_words`, M046),
    /// or stays a prefix when it starts none (a word the table lacks is still found) or more than 64, and
    /// for a number (numbers are not in the table). Terms hold only letters and digits, and so do the words.
    static func sqliteTermMatch(_ term: String) -> SQLQueryString {
        let prefix = "\"" + term + "\"*"
        if term.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return "\(bind: prefix)" }
        return """
            (SELECT CASE WHEN count(*) BETWEEN 1 AND 64 THEN '(' || group_concat('"' || word || '"', ' OR ') || ')'
                         ELSE \(bind: prefix) END
             FROM (SELECT word FROM search_words WHERE word >= \(bind: term) AND word < \(bind: term + "\u{10FFFF}")
                   ORDER BY word LIMIT 65))
            """
    }

    /// SQLite: the words FTS5's `unicode61` tokenizer makes of a document, without the access tokens
    /// (`zzc1`…) and numbers. Below U+0300 (Latin letters with their accents, digits, punctuation: nearly
    /// every document) its rule is Unicode's: runs of letters (L*), numbers (N*) and private use (Co), the
    /// rest separates, so Swift splits the (lower-cased) text. Above, its tables are Unicode 6.1's with
    /// exceptions of its own (combining accents U+0300–U+0331 join a word, a code point unassigned in 6.1 is a
    /// letter), and it folds µ and ſ to μ and s, so a document with such a character is tokenized by FTS5
    /// itself, in a scratch table (M046). `SQLiteSearchWordsTests` holds the two ways against FTS5.
    static func sqliteWords(of document: String, on sql: any SQLDatabase) async throws -> [String] {
        try await sqliteTokens(of: document, on: sql).words.filter { !isNumber($0) }
    }

    /// The tokens FTS5's `unicode61` makes of a document (see `sqliteWords`), sorted, in two lists: its words
    /// (numbers included) and its access tokens.
    static func sqliteTokens(of document: String, on sql: any SQLDatabase) async throws -> (words: [String], accessTokens: [String]) {
        let all = try await sqliteAllTokens(of: document, on: sql)
        return (all.filter { !isAccessToken($0) }, all.filter(isAccessToken))
    }

    private static func sqliteAllTokens(of document: String, on sql: any SQLDatabase) async throws -> [String] {
        if document.unicodeScalars.allSatisfy({ $0.value < 0x300 && $0 != "\u{B5}" && $0 != "\u{17F}" }) {
            return sqliteTokens(latinDocument: document)
        }
        struct Term: Decodable { var term: String }
        try await sql.raw("DELETE FROM search_words_tokenizer").run()
        try await sql.raw("INSERT INTO search_words_tokenizer (body) VALUES (\(bind: document))").run()
        let terms = try await sql.raw("SELECT term FROM search_words_tokenizer_terms").all(decoding: Term.self).map(\.term)
        // Emptied, and merged so that its pages keep no word of the document either (retention).
        try await sql.raw("DELETE FROM search_words_tokenizer").run()
        try await sql.raw("INSERT INTO search_words_tokenizer (search_words_tokenizer) VALUES ('optimize')").run()
        return terms.sorted()
    }

    /// `sqliteWords` for a lower-cased document whose characters are all below U+0300, but µ and ſ.
    static func sqliteWords(latinDocument document: String) -> [String] {
        sqliteTokens(latinDocument: document).filter(isSearchWord)
    }

    /// Every token of such a document, sorted (numbers and access tokens included).
    static func sqliteTokens(latinDocument document: String) -> [String] {
        var words = Set<String>()
        var word = String.UnicodeScalarView()
        func finish() {
            if !word.isEmpty {
                words.insert(String(word))
                word = String.UnicodeScalarView()
            }
        }
        for scalar in document.unicodeScalars {
            if scalar.isASCII {  // the common case without a property lookup: ASCII letters and digits only
                let byte = UInt8(scalar.value)
                if (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) {
                    word.append(scalar)
                } else {
                    finish()
                }
                continue
            }
            switch scalar.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                 .decimalNumber, .letterNumber, .otherNumber, .privateUse:
                word.append(scalar)
            default:
                finish()
            }
        }
        finish()
        return words.sorted()
    }

    /// A word for `search_words`: not an access token (`zzc12`, `zzo3`, `zzw7`, `zzk40`: what
    /// `accessTokens` adds) and not a number.
    static func isSearchWord(_ word: String) -> Bool {
        !isNumber(word) && !isAccessToken(word)
    }

    static func isNumber(_ word: String) -> Bool {
        word.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// `zzc12`, `zzo3`, `zzw7`, `zzk40`: what `accessTokens` adds to a document.
    static func isAccessToken(_ word: String) -> Bool {
        let bytes = Array(word.utf8)
        guard bytes.count > 3, bytes[0] == 0x7A, bytes[1] == 0x7A, "cowk".utf8.contains(bytes[2]) else { return false }
        return bytes[3...].allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// SQLite: adds a document's words to `search_words` (one statement for most documents).
    static func rememberSQLiteWords(of document: String, on sql: any SQLDatabase) async throws {
        let words = try await sqliteWords(of: document, on: sql)
        guard !words.isEmpty else { return }
        let list = String(decoding: try JSONEncoder().encode(words), as: UTF8.self)
        try await sql.raw("INSERT OR IGNORE INTO search_words (word) SELECT value FROM json_each(\(bind: list))").run()
    }

    /// SQLite: fills `search_words` with every word FTS5 has indexed (its own vocabulary, so exactly its
    /// tokens), without the access tokens and numbers. For the migration and for bulk-loaded data.
    public static func fillSQLiteWords(on sql: any SQLDatabase) async throws {
        try await sql.raw("CREATE VIRTUAL TABLE IF NOT EXISTS case_search_terms USING fts5vocab(case_search, row)").run()
        try await sql.raw("""
            INSERT OR IGNORE INTO search_words (word)
            SELECT term FROM case_search_terms
            WHERE term GLOB '*[^0-9]*' AND NOT (term GLOB 'zz[cowk][0-9]*' AND substr(term, 4) NOT GLOB '*[^0-9]*')
            """).run()
        try await sql.raw("DROP TABLE case_search_terms").run()
    }

    /// SQLite: writes the scoped index (`scopedDocument`) of every case from the full-text documents, whose
    /// access tokens say whose the case is. For the migration and for bulk-loaded data.
    public static func fillSQLiteScoped(on sql: any SQLDatabase) async throws {
        var after = 0
        while true {
            let rows = try await sql.raw("""
                SELECT rowid AS id, body FROM case_search WHERE rowid > \(bind: after) ORDER BY rowid LIMIT 2000
                """).all()
            guard let last = rows.last else { return }
            for row in rows {
                let id = try row.decode(column: "id", as: Int.self)
                let tokens = try await sqliteTokens(of: try row.decode(column: "body", as: String.self), on: sql)
                let scoped = scopedDocument(words: tokens.words, tokens: tokens.accessTokens)
                guard !scoped.isEmpty else { continue }
                try await sql.raw("INSERT INTO case_search_scoped (rowid, body) VALUES (\(bind: id), \(bind: scoped))").run()
            }
            after = try last.decode(column: "id", as: Int.self)
        }
    }

    /// PostgreSQL: the ids of the cases matching every term (and, with a viewer, one of their access
    /// tokens): `SELECT case_id FROM case_search WHERE document @@ …`. Each word becomes the OR of the
    /// indexed words it starts (M015), or a prefix query when it starts more than 64 of them; the terms
    /// and the viewer's tokens are ANDed. A viewer whose scoped match asks for at most 64 prefixes
    /// (`scopedPrefixLimit`) is answered from the scoped column instead (`postgresScopedMatch`, M049).
    static func postgresMatch(terms: [String], visibility: CaseVisibility?) -> SQLQueryString {
        if let visibility, let tokens = viewerTokens(visibility), tokens.count * terms.count <= scopedPrefixLimit {
            return postgresScopedMatch(terms: terms, tokens: tokens)
        }
        return postgresDocumentMatch(terms: terms, visibility: visibility)
    }

    /// PostgreSQL: the scoped match (M049; `scopedDocument` says what the column holds): every term, as a
    /// prefix, under one of the viewer's tokens (`'zzc7xvatt':* | 'zzk9xvatt':*`, the terms ANDed), read
    /// from short posting lists of the viewer's own cases. The tsquery is written as lexemes (cast, not
    /// parsed by `to_tsquery`), as the column holds them; terms and tokens hold only letters and digits. A
    /// case whose scoped column is NULL (a document too large to scope) is matched on its document, found
    /// through the partial index `case_search_unscoped` (none, nearly always).
    static func postgresScopedMatch(terms: [String], tokens: [String]) -> SQLQueryString {
        let query = terms.map { term in
            "(" + tokens.map { "'" + $0 + "x" + term + "':*" }.joined(separator: " | ") + ")"
        }.joined(separator: " & ")
        return "SELECT case_id FROM case_search WHERE scoped @@ \(bind: query)::tsquery "
            + "UNION ALL SELECT case_id FROM case_search WHERE scoped IS NULL AND document @@ ("
            + postgresDocumentQuery(terms: terms, access: "(" + tokens.joined(separator: " | ") + ")") + ")"
    }

    /// PostgreSQL: the match on the whole documents (see `postgresMatch`).
    static func postgresDocumentMatch(terms: [String], visibility: CaseVisibility?) -> SQLQueryString {
        "SELECT case_id FROM case_search WHERE document @@ ("
            + postgresDocumentQuery(terms: terms, access: visibility.flatMap { accessMatch($0, or: " | ") }) + ")"
    }

    /// PostgreSQL: the tsquery of `postgresDocumentMatch`: the terms (each the OR of the indexed words it
    /// starts, or a prefix) ANDed, and with `access` (the viewer's tokens as an OR-group) when given.
    static func postgresDocumentQuery(terms: [String], access: String?) -> SQLQueryString {
        var query: SQLQueryString = terms.map { term -> SQLQueryString in
            """
            (SELECT CASE WHEN count(*) BETWEEN 1 AND 64 THEN string_agg(quote_literal(w.word), ' | ')::tsquery
                         ELSE to_tsquery('simple', \(bind: term + ":*")) END
             FROM (SELECT word FROM search_words WHERE word >= \(bind: term) AND word < \(bind: term + "\u{10FFFF}")
                   ORDER BY word LIMIT 65) w)
            """
        }.joined(separator: " && ")
        if let access {
            query = query + " && to_tsquery('simple', \(bind: access))"
        }
        return query
    }
}
