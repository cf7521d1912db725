import FluentKit
import SQLKit

/// PostgreSQL only: the scoped search document, as SQLite's M048 (`CaseSearchIndex.scopedDocument`): each
/// word of a case's document joined to each of its access tokens (`zzc7xvatten`), in a column of
/// `case_search` that PostgreSQL computes from the document itself (a stored generated column), so every
/// write of a document keeps it without a line of Swift. A portal user's search then asks the GIN index for
/// "a word starting `zzc7xvatt`, or `zzk9xvatt`…": short posting lists of their own cases, where "one of the
/// words starting vatt… AND one of the viewer's tokens" intersected the common word's long list with the
/// tokens' and rechecked the hits (issue 17, session 21: the portal search was 46 % of PostgreSQL's time in
/// the realistic mix).
///
/// A document whose scoped form would pass a tsvector's 1 MB (its words' bytes times its tokens) gets none
/// (NULL); `CaseSearchIndex.postgresMatch` searches such cases in their documents, found through the small
/// partial index `case_search_unscoped`. The access tokens are the words `zz` + c/o/w/k + digits
/// (`CaseSearchIndex.accessTokens`); a lexeme may hold 2 047 bytes, so longer words are left out.
struct M049_PostgresScopedSearch: AsyncMigration {
    var name: String { "049_postgres_scoped_search" }

    func prepare(on database: any Database) async throws {
        let sql = try database.requireSQL()
        guard sql.dialect.name == "postgresql" else { return }
        try await sql.raw("""
            CREATE FUNCTION caseport_scoped_document(document tsvector) RETURNS tsvector
            LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
              WITH lexemes AS (SELECT unnest(tsvector_to_array(document)) AS x),
                   tokens AS (SELECT x FROM lexemes WHERE x ~ '^zz[cowk][0-9]+$'),
                   words AS (SELECT x FROM lexemes WHERE x !~ '^zz[cowk][0-9]+$' AND octet_length(x) <= 2000)
              SELECT CASE
                WHEN (SELECT count(*) FROM tokens) * (SELECT coalesce(sum(octet_length(x) + 16), 0) FROM words) > 900000
                THEN NULL
                ELSE (SELECT array_to_tsvector(coalesce(array_agg(tokens.x || 'x' || words.x), '{}'))
                      FROM tokens CROSS JOIN words) END
            $$
            """).run()
        try await sql.raw("""
            ALTER TABLE case_search ADD COLUMN scoped tsvector
                GENERATED ALWAYS AS (caseport_scoped_document(document)) STORED
            """).run()
        // Without GIN's pending list: a public message rewrites the case's whole scoped document (tokens
        // times words), and every search read the growing unsorted list (the realistic mix: 292 ms a search on
        // average, 9 s at worst, with it; 8 ms without; session 22).
        try await sql.raw("CREATE INDEX case_search_scoped ON case_search USING GIN (scoped) WITH (fastupdate = off)").run()
        try await sql.raw("CREATE INDEX case_search_unscoped ON case_search (case_id) WHERE scoped IS NULL").run()
    }

    func revert(on database: any Database) async throws {
        let sql = try database.requireSQL()
        guard sql.dialect.name == "postgresql" else { return }
        try await sql.raw("ALTER TABLE case_search DROP COLUMN scoped").run()
        try await sql.raw("DROP FUNCTION caseport_scoped_document(tsvector)").run()
    }
}
