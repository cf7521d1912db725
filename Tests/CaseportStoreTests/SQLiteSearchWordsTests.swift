import CaseportCore
@testable import CaseportStore
import FluentKit
import SQLKit
import XCTest

/// SQLite's search words (M046): a search term is asked as the OR of the indexed words it starts, so the
/// words must be FTS5's own tokens, new text must add its words, and a term the list cannot answer (no word,
/// or more than 64) must still find what FTS5's prefix query finds. (PostgreSQL's list, M015, is tested in
/// `CaseSearchIndexTests`.)
final class SQLiteSearchWordsTests: StoreTestCase {
    func sqlite() throws -> (any SQLDatabase)? {
        guard let sql = db as? any SQLDatabase, sql.dialect.name == "sqlite" else { return nil }
        return sql
    }

    func staffSearch(_ text: String) async throws -> [Int] {
        var filter = StaffCaseFilter()
        filter.base.text = text
        return try await StaffCases(database: db).page(filter, offset: 0, limit: 100).map(\.number).sorted()
    }

    func storedWords() async throws -> Set<String> {
        struct Word: Decodable { var word: String }
        return Set(try await XCTUnwrap(sqlite()).raw("SELECT word FROM search_words").all(decoding: Word.self).map(\.word))
    }

    /// FTS5's own words for `documents` (the tokenizer case_search uses), without access tokens and numbers.
    func fts5Words(_ documents: [String], sql: any SQLDatabase) async throws -> Set<String> {
        try await sql.raw("CREATE VIRTUAL TABLE tokenizer_probe USING fts5(body, tokenize = 'unicode61 remove_diacritics 0')").run()
        try await sql.raw("CREATE VIRTUAL TABLE tokenizer_probe_terms USING fts5vocab(tokenizer_probe, row)").run()
        for document in documents {
            try await sql.raw("INSERT INTO tokenizer_probe (body) VALUES (\(bind: document))").run()
        }
        struct Term: Decodable { var term: String }
        let fts = try await sql.raw("SELECT term FROM tokenizer_probe_terms").all(decoding: Term.self).map(\.term)
        try await sql.raw("DROP TABLE tokenizer_probe_terms").run()
        try await sql.raw("DROP TABLE tokenizer_probe").run()
        return Set(fts.filter(CaseSearchIndex.isSearchWord))
    }

    /// Documents below U+0300 are split in Swift: the same words as FTS5's `unicode61` makes of them —
    /// punctuation, e-mail addresses, å ä ö and other Latin letters, symbols, superscripts and fractions,
    /// the access tokens and numbers (left out on both sides). Every character below U+0300 is tried
    /// between two letters.
    func testLatinDocumentsAreSplitAsFTS5Splits() async throws {
        guard let sql = try sqlite() else { throw XCTSkip("SQLite's search words") }
        var documents = [
            "Läckage i köket, 3:e våningen! Ring 070-123 45 67.",
            "e-post: anna.svensson@exempel.se (svar inom 2 dagar)",
            "€ 100 kr — 12,5 m² ½ x+y=z a_b a/b «citat» øre æble ß ǅemal ɐɓ ʰ˥",
            "zzc12 zzo3 zzk40 zzw7 zzx9 zzc1a zz 2026 007 1a2 \t\ttab\nny rad",
        ].map { $0.lowercased() }
        documents += (1..<0x300).compactMap(Unicode.Scalar.init).map { "q\(Character($0))q".lowercased() }
            .filter { $0.unicodeScalars.allSatisfy { $0.value < 0x300 && $0 != "\u{B5}" && $0 != "\u{17F}" } }
        let expected = try await fts5Words(documents, sql: sql)
        let swift = documents.reduce(into: Set<String>()) { $0.formUnion(CaseSearchIndex.sqliteWords(latinDocument: $1)) }
        XCTAssertEqual(swift.subtracting(expected), [])
        XCTAssertEqual(expected.subtracting(swift), [])
        XCTAssertTrue(expected.isSuperset(of: ["läckage", "anna", "exempel", "m²", "øre", "zzx9", "zzc1a", "1a2"]), "\(expected.sorted())")
        XCTAssertTrue(expected.isDisjoint(with: ["zzc12", "zzo3", "zzk40", "zzw7", "2026", "007"]))
    }

    /// Other documents are tokenized by FTS5 itself (combining accents, other scripts, emoji, characters
    /// newer than its tables), and the scratch table is empty after.
    func testOtherDocumentsAreSplitByFTS5Itself() async throws {
        guard let sql = try sqlite() else { throw XCTSkip("SQLite's search words") }
        let documents = ["naïve cafe\u{301} ångström ω ⅻ µm ſ", "日本語のテキスト ελληνικά русский текст ١٢٣ عربي", "emoji 🙂ok \u{E000}privat zzc5"]
        for document in documents {
            let words = try await CaseSearchIndex.sqliteWords(of: document, on: sql)
            let expected = try await fts5Words([document], sql: sql)
            XCTAssertEqual(Set(words), expected, document)
        }
        struct Count: Decodable { var n: Int }
        let left = try await sql.raw("SELECT count(*) AS n FROM search_words_tokenizer").first(decoding: Count.self)?.n
        XCTAssertEqual(left, 0)
    }

    /// New cases and public messages add their words (not their access tokens, not numbers, not notes); the
    /// migration filled the list from FTS5's vocabulary, which a bulk load uses too.
    func testNewTextAddsItsWordsAndTheFillMatchesFTS5() async throws {
        guard let sql = try sqlite() else { throw XCTSkip("SQLite's search words") }
        let customer = try await make.customer("1")
        let record = try await make.case("Ånga i TVÄTTSTUGAN", customer: customer, description: "Fläkten surrar")
        let people = try await make.authors()
        try await CaseConversation(database: db).add(caseId: record.id!, author: people.customer, body: "Mögel i hörnet")
        try await StaffCases(database: db).addMessage(caseId: record.id!, body: "Hemligt ord", isInternal: true, by: people.actor)
        let words = try await storedWords()
        XCTAssertTrue(words.isSuperset(of: ["ånga", "tvättstugan", "fläkten", "surrar", "mögel", "hörnet"]), "\(words.sorted())")
        XCTAssertFalse(words.contains("hemligt"), "internal notes are not indexed")
        XCTAssertFalse(words.contains("zzc\(customer.id!)"))
        XCTAssertFalse(words.contains(String(record.number)))
        // A message to a case without a document (none here but by accident) adds the whole document's words.
        try await sql.raw("DELETE FROM case_search WHERE rowid = \(bind: record.id!)").run()
        try await sql.raw("DELETE FROM search_words WHERE word IN ('ånga', 'fläkten')").run()
        try await CaseConversation(database: db).add(caseId: record.id!, author: people.customer, body: "Tack")
        let readded = try await storedWords()
        XCTAssertTrue(readded.isSuperset(of: ["ånga", "fläkten", "tack"]))
        try await sql.raw("DELETE FROM search_words").run()
        try await CaseSearchIndex.fillSQLiteWords(on: sql)
        let filled = try await storedWords()
        XCTAssertEqual(filled, readded, "the fill from FTS5's vocabulary holds what the writes added")
    }

    /// A term finds every case with a word it starts, through the list; a word missing from the list, a
    /// term starting more than 64 words and a number are asked as FTS5 prefixes, and find the same.
    func testATermFindsWhatItsPrefixFinds() async throws {
        guard let sql = try sqlite() else { throw XCTSkip("SQLite's search words") }
        let leak = try await make.case("Läckage i köket")
        let leaking = try await make.case("Läckande kran", description: "Läckan syns")
        let door = try await make.case("Trasig dörr")
        let many = try await make.case("Ordlista", description: (0..<70).map { "ord" + String(UnicodeScalar(97 + $0 / 26)!) + String(UnicodeScalar(97 + $0 % 26)!) }.joined(separator: " "))
        var found = try await staffSearch("läck")
        XCTAssertEqual(found, [leak.number, leaking.number].sorted())
        found = try await staffSearch("läckan")
        XCTAssertEqual(found, [leaking.number])
        found = try await staffSearch("läck köket")
        XCTAssertEqual(found, [leak.number], "every term must match")
        found = try await staffSearch("ord")
        XCTAssertEqual(found, [many.number], "70 words start it: asked as a prefix")
        found = try await staffSearch(String(door.number))
        XCTAssertEqual(found, [door.number], "a number is asked as a prefix")
        found = try await staffSearch("xyz")
        XCTAssertEqual(found, [])
        try await sql.raw("DELETE FROM search_words WHERE word = 'dörr'").run()
        found = try await staffSearch("dör")
        XCTAssertEqual(found, [door.number], "a word the list lacks is still found")
    }

    /// The portal's search goes through the same match, ANDed with the viewer's access tokens (both
    /// databases: each expands the term through its own list).
    func testThePortalSearchFindsOnlyTheViewersCasesByAnExpandedTerm() async throws {
        let mine = try await make.customer("1"), theirs = try await make.customer("2")
        let own = try await make.case("Läckage i köket", customer: mine)
        try await make.case("Läckage i badrummet", customer: theirs)
        let contact = try await make.contact("Berit", customers: [mine])
        let viewer = CaseVisibility(for: .contactUser(contact: ContactLinks(contactId: contact.id!, customerIds: [mine.id!])))
        var filter = CaseFilter()
        filter.text = "läck"
        let found = try await VisibleCases(database: db).page(for: viewer, filter: filter, offset: 0, limit: 10)
        XCTAssertEqual(found.map(\.id), [own.id!])
    }
}
