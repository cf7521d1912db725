import CaseportCore
@testable import CaseportStore
import FluentKit
import SQLKit
import XCTest

/// The full-text index: a case is found by its number, subject, description and public messages
/// (never by an internal note), by word prefix, and only by viewers who may see it.
final class CaseSearchIndexTests: StoreTestCase {
    func staffSearch(_ text: String) async throws -> [Int] {
        var filter = StaffCaseFilter()
        filter.base.text = text
        return try await StaffCases(database: db).page(filter, offset: 0, limit: 10).map(\.number)
    }

    func testACaseIsFoundByItsTextAndPublicMessagesNotByNotes() async throws {
        let record = try await make.case("Läckande kran", description: "Köket på våning tre")
        try await make.case("Trasig dörr")
        let people = try await make.authors()
        try await CaseConversation(database: db).add(caseId: record.id!, author: people.customer,
                                                     body: "Vattnet rinner")
        try await StaffCases(database: db).addMessage(caseId: record.id!, body: "Hemlig anteckning", isInternal: true,
                                                      by: people.actor)
        var found = try await staffSearch("läck")
        XCTAssertEqual(found, [record.number], "a word's beginning finds it")
        found = try await staffSearch("KÖKET våning")
        XCTAssertEqual(found, [record.number], "every word must match, case ignored (å ä ö too)")
        found = try await staffSearch("vattnet")
        XCTAssertEqual(found, [record.number])
        found = try await staffSearch(String(record.number))
        XCTAssertEqual(found, [record.number])
        found = try await staffSearch("hemlig")
        XCTAssertEqual(found, [], "internal notes are not indexed")
        found = try await staffSearch("kran dörr")
        XCTAssertEqual(found, [])
    }

    /// Issue 17 point 5: a public message adds its words to the case's document (PostgreSQL appends them;
    /// SQLite re-indexes): the case is found by them, and the document holds the words a full refresh makes
    /// — number, subject, description, every public message and the access tokens, never a note.
    func testAMessageAddsItsWordsAsAFullRefreshWould() async throws {
        let customer = try await make.customer("1")
        let contact = try await make.contact("Berit", customers: [customer])
        let record = try await make.case("Fuktfläck", customer: customer, contacts: [contact], description: "I taket")
        let people = try await make.authors()
        try await CaseConversation(database: db).add(caseId: record.id!, author: people.customer, body: "Mögel i HÖRNET")
        try await StaffCases(database: db).addMessage(caseId: record.id!, body: "Vi skickar en målare", isInternal: false,
                                                      by: people.actor)
        try await StaffCases(database: db).addMessage(caseId: record.id!, body: "Hemlig anteckning", isInternal: true,
                                                      by: people.actor)
        for word in ["mögel", "hörnet", "målare", "fuktfläck"] {
            let found = try await staffSearch(word)
            XCTAssertEqual(found, [record.number], word)
        }
        let found = try await staffSearch("hemlig")
        XCTAssertEqual(found, [], "internal notes are not indexed")
        guard let sql = db as? any SQLDatabase, sql.dialect.name != "sqlite" else { return }
        func words() async throws -> [String] {
            try await sql.raw("""
                SELECT w FROM case_search, unnest(tsvector_to_array(document)) w WHERE case_id = \(bind: record.id!) ORDER BY w
                """).all().map { try $0.decode(column: "w", as: String.self) }
        }
        let appended = try await words()
        XCTAssertTrue(appended.contains("zzk\(contact.id!)") && appended.contains("zzc\(customer.id!)"), "\(appended)")
        try await CaseSearchIndex.refresh(caseId: record.id!, on: db)
        let refreshed = try await words()
        XCTAssertEqual(appended, refreshed)
        let newWords = try await sql.raw("SELECT word FROM search_words WHERE word IN ('mögel', 'hörnet', 'målare')").all()
        XCTAssertEqual(newWords.count, 3, "a message's words join the search words")
    }

    /// Issue 17 point 5: on PostgreSQL a new case's document is written with the case in one statement;
    /// it holds the words a full refresh makes — number, subject, description (lower-cased) and the access
    /// tokens of its customer, object, the object's owner and every contact — and the words join the
    /// search words. On both databases the case is found by its words.
    func testANewCaseIsIndexedAsAFullRefreshWould() async throws {
        let customer = try await make.customer("1"), owner = try await make.customer("2")
        let object = try await make.object(of: owner, "Huset")
        let berit = try await make.contact("Berit", customers: [customer]), sam = try await make.contact("Sam")
        let record = try await make.case("Ånga i TVÄTTSTUGAN", customer: customer, object: object, contacts: [berit, sam],
                                         description: "Fläkten surrar Ω")
        let bare = try await make.case("Utan allt")
        for (word, number) in [("ånga", record.number), ("tvättstugan", record.number), ("fläkten", record.number),
                               (String(record.number), record.number), ("utan", bare.number)] {
            let found = try await staffSearch(word)
            XCTAssertEqual(found, [number], word)
        }
        guard let sql = db as? any SQLDatabase, sql.dialect.name != "sqlite" else { return }
        func words(_ id: Int) async throws -> [String] {
            try await sql.raw("""
                SELECT w FROM case_search, unnest(tsvector_to_array(document)) w WHERE case_id = \(bind: id) ORDER BY w
                """).all().map { try $0.decode(column: "w", as: String.self) }
        }
        for id in [record.id!, bare.id!] {
            let created = try await words(id)
            try await CaseSearchIndex.refresh(caseId: id, on: db)
            let refreshed = try await words(id)
            XCTAssertEqual(created, refreshed)
        }
        let created = try await words(record.id!)
        for token in ["zzc\(customer.id!)", "zzo\(object.id!)", "zzw\(owner.id!)", "zzk\(berit.id!)", "zzk\(sam.id!)", "ω"] {
            XCTAssertTrue(created.contains(token), "\(token) in \(created)")
        }
        let newWords = try await sql.raw("SELECT word FROM search_words WHERE word IN ('ånga', 'tvättstugan', 'zzc\(unsafeRaw: String(customer.id!))')").all()
        XCTAssertEqual(newWords.count, 2, "a new case's words join the search words, its access tokens do not")
    }

    func testAnObjectChangingOwnerIsReindexedForItsNewOwnersContacts() async throws {
        let c1 = try await make.customer("1"), c2 = try await make.customer("2")
        let house = try await make.object(of: c1, "Huset")
        let record = try await make.case("Läckande kran", object: house)
        let c2Contact = try await make.contact("Berit", customers: [c2])
        let viewer = CaseVisibility(for: .contactUser(contact: ContactLinks(contactId: c2Contact.id!, customerIds: [c2.id!])))
        var filter = CaseFilter()
        filter.text = "kran"
        let visible = VisibleCases(database: db)
        var found = try await visible.page(for: viewer, filter: filter, offset: 0, limit: 10)
        XCTAssertEqual(found.map(\.id), [], "the object is not c2's")

        house.customerId = c2.id!
        try await house.update(on: db)
        try await CaseSearchIndex.refresh(objectId: house.id!, on: db)
        found = try await visible.page(for: viewer, filter: filter, offset: 0, limit: 10)
        XCTAssertEqual(found.map(\.id), [record.id!], "the new owner's contact finds it once re-indexed")
        let all = try await visible.count(for: viewer)
        XCTAssertEqual(all, 1)
    }

    /// Issue 17: a search's page and its number of hits in one statement. On both databases it must give
    /// what counting and then paging give, for any page, any order and a viewer who reaches cases through
    /// two branches of the rule; past the last hit it answers nil.
    func testASearchPageWithItsCountIsTheCountAndThePage() async throws {
        let c1 = try await make.customer("1"), c2 = try await make.customer("2")
        let house = try await make.object(of: c1, "Huset")
        for n in 0..<7 { try await make.case("Läckande kran \(n)", customer: c1) }
        for n in 0..<4 { try await make.case("Läckage i källaren \(n)", object: house) }
        try await make.case("Läckande tak", customer: c2)
        try await make.case("Trasig dörr", customer: c1)
        let viewer = CaseVisibility(customerIds: [c1.id!], objectIds: [house.id!], objectOwnerIds: [], contactId: nil)
        let reader = CaseReader(userId: -1, since: .distantFuture)
        let visible = VisibleCases(database: db)
        for text in ["läck", "kran", "dörr", "nothing"] {
            for sort in [CaseSort(), CaseSort(key: .subject, direction: .ascending), CaseSort(key: .number, direction: .descending)] {
                var filter = CaseFilter()
                filter.text = text
                filter.sort = sort
                let total = try await visible.count(for: viewer, filter: filter)
                for offset in [0, 3, 6, 9, 12] {
                    let found = try await visible.searchPageAndCount(for: viewer, filter: filter, reader: reader, offset: offset, limit: 3)
                    if offset > 0 && offset >= total {
                        XCTAssertNil(found, "\(text), offset \(offset) of \(total)")
                        continue
                    }
                    let page = try await visible.page(for: viewer, filter: filter, reader: reader, offset: offset, limit: 3)
                    XCTAssertEqual(found?.total, total, "\(text) \(sort)")
                    XCTAssertEqual(found?.rows, page, "\(text) \(sort), offset \(offset)")
                }
            }
        }
    }

    /// The access tokens in a case's document only narrow a search: every hit is tested against the rule
    /// itself, so a document whose tokens are out of date (here a case moved to another customer behind the
    /// index's back) can hide a case, never show one to a viewer outside the rule — on each form of the search
    /// (PostgreSQL looks its hits up by key and tests the rule on each since session 27).
    func testAStaleAccessTokenNeverRevealsACase() async throws {
        let c1 = try await make.customer("1"), c2 = try await make.customer("2")
        let moved = try await make.case("Läckande kran", customer: c1)
        let kept = try await make.case("Läckande tak", customer: c1)
        try await db.requireSQL().raw("UPDATE cases SET customer_id = \(bind: c2.id!) WHERE id = \(bind: moved.id!)").run()
        let first = CaseVisibility(customerIds: [c1.id!], objectIds: [], objectOwnerIds: [c1.id!], contactId: nil)
        let visible = VisibleCases(database: db)
        let reader = CaseReader(userId: -1, since: .distantFuture)
        for text in ["läck", "kran", String(moved.number)] {
            var filter = CaseFilter()
            filter.text = text
            let page = try await visible.page(for: first, filter: filter, offset: 0, limit: 10).map(\.id)
            XCTAssertFalse(page.contains(moved.id!), "\(text): the moved case is another customer's now")
            let withCount = try await visible.searchPageAndCount(for: first, filter: filter, reader: reader, offset: 0, limit: 10)
            XCTAssertFalse(withCount?.rows.map(\.id).contains(moved.id!) ?? false, text)
            XCTAssertEqual(withCount?.total ?? 0, page.count, "\(text): the moved case is not counted either")
            let counted = try await visible.count(for: first, filter: filter)
            XCTAssertEqual(counted, page.count, text)
        }
        var filter = CaseFilter()
        filter.text = "läck"
        let found = try await visible.page(for: first, filter: filter, offset: 0, limit: 10).map(\.id)
        XCTAssertEqual(found, [kept.id!])
    }

    /// Issue 17, sessions 20 and 22: a portal user's search reads the scoped index (each word of a case
    /// joined to each of its access tokens; SQLite's `case_search_scoped`, PostgreSQL's column
    /// `case_search.scoped`). It finds what the documents hold, by a word's start and by the case number,
    /// through each branch of the rule and nothing of another customer's. On SQLite the index written from
    /// the documents (the migration, bulk loads) answers the same, and it is what answers; on PostgreSQL the
    /// column holds each token joined to each word, and a document too large to scope is searched whole.
    func testAViewersSearchReadsTheScopedIndexAsTheDocumentsSay() async throws {
        let sql = try db.requireSQL()
        let c1 = try await make.customer("1"), c2 = try await make.customer("2")
        let house = try await make.object(of: c1, "Huset")
        let berit = try await make.contact("Berit", customers: [c2])
        let tap = try await make.case("Läckande kran", customer: c1)
        let cellar = try await make.case("Fukt i källaren", object: house)
        let neighbour = try await make.case("Läckage hos grannen", customer: c2, contacts: [berit])
        let first = CaseVisibility(customerIds: [c1.id!], objectIds: [], objectOwnerIds: [c1.id!], contactId: nil)
        let beritSees = CaseVisibility(for: .contactUser(contact: ContactLinks(contactId: berit.id!, customerIds: [])))
        let visible = VisibleCases(database: db)
        func found(_ text: String, _ viewer: CaseVisibility) async throws -> [Int] {
            var filter = CaseFilter()
            filter.text = text
            return try await visible.page(for: viewer, filter: filter, offset: 0, limit: 10).map(\.id).sorted()
        }
        func expectations() async throws {
            let (tapFound, cellarFound, bothWords, noCase) = (try await found("läck", first), try await found("KÄLLAREN", first),
                                                              try await found("fukt källare", first), try await found("fukt kran", first))
            XCTAssertEqual(tapFound, [tap.id!])
            XCTAssertEqual(cellarFound, [cellar.id!], "through the object's owner")
            XCTAssertEqual(bothWords, [cellar.id!], "every term")
            XCTAssertEqual(noCase, [])
            let (byNumber, others, byContact) = (try await found(String(tap.number), first), try await found("grann", first),
                                                 try await found("läck", beritSees))
            XCTAssertEqual(byNumber, [tap.id!], "the case number")
            XCTAssertEqual(others, [], "another customer's case")
            XCTAssertEqual(byContact, [neighbour.id!], "through the contact's link")
        }
        try await expectations()
        guard sql.dialect.name == "sqlite" else {
            try await postgresScopedColumn(sql, tap: tap, customer: c1, expectations: expectations)
            return
        }
        try await sql.raw("DELETE FROM case_search_scoped").run()
        let withoutIndex = try await found("läck", first)
        XCTAssertEqual(withoutIndex, [], "the scoped index answers a viewer's search")
        // A viewer with more tokens than a scoped match may ask for is answered from the whole index.
        let many = CaseVisibility(customerIds: Set([c1.id!] + (1_000..<1_070)), objectIds: [], objectOwnerIds: [c1.id!],
                                  contactId: nil)
        let manyFound = try await found("läck", many)
        XCTAssertEqual(manyFound, [tap.id!])
        try await CaseSearchIndex.fillSQLiteScoped(on: sql)
        try await expectations()
        XCTAssertEqual(CaseSearchIndex.scopedDocument(words: ["kran", "12"], tokens: ["zzc7", "zzk9"]),
                       "zzc7xkran zzc7x12 zzk9xkran zzk9x12")
        XCTAssertEqual(CaseSearchIndex.scopedMatch(terms: ["kr", "1"], tokens: ["zzc7", "zzk9"]),
                       "(\"zzc7xkr\"* OR \"zzk9xkr\"*) AND (\"zzc7x1\"* OR \"zzk9x1\"*)")
    }

    /// PostgreSQL's side of `testAViewersSearchReadsTheScopedIndexAsTheDocumentsSay`.
    private func postgresScopedColumn(_ sql: any SQLDatabase, tap: CaseRecord, customer: CustomerRecord,
                                      expectations: () async throws -> Void) async throws {
        struct Lexemes: Decodable { var lexemes: String? }
        func scoped(_ caseId: Int) async throws -> String? {
            try await sql.raw("""
                SELECT array_to_string(tsvector_to_array(scoped), ' ') AS lexemes FROM case_search WHERE case_id = \(bind: caseId)
                """).first(decoding: Lexemes.self)?.lexemes
        }
        let token = "zzc\(customer.id!)"
        let tapScoped = try await scoped(tap.id!)
        XCTAssertEqual(tapScoped, ["\(tap.number)", "kran", "läckande"].map { token + "x" + $0 }.sorted().joined(separator: " "),
                       "the case's one token joined to each of its words")
        // A document whose scoped form would pass a tsvector's limit has none, and is searched whole.
        let house = try await make.object(of: customer, "Stora huset")
        let words = (0..<30_000).map { "ord\($0)" }
        let large = try await make.case("Stor inventering", object: house, description: words.joined(separator: " "))
        let largeScoped = try await scoped(large.id!)
        XCTAssertNil(largeScoped, "two tokens (the object and its owner) times 30 000 words: too large to scope")
        let viewer = CaseVisibility(customerIds: [customer.id!], objectIds: [], objectOwnerIds: [customer.id!], contactId: nil)
        let other = CaseVisibility(customerIds: [customer.id! + 1_000], objectIds: [], objectOwnerIds: [], contactId: nil)
        var filter = CaseFilter()
        filter.text = "ord29999 invent"
        let visible = VisibleCases(database: db)
        let (found, notFound) = (try await visible.page(for: viewer, filter: filter, offset: 0, limit: 10).map(\.id),
                                 try await visible.page(for: other, filter: filter, offset: 0, limit: 10).map(\.id))
        XCTAssertEqual(found, [large.id!])
        XCTAssertEqual(notFound, [])
        let counted = try await visible.count(for: viewer, filter: filter)
        XCTAssertEqual(counted, 1)
        try await expectations()
        // The scoped column is what answers: emptied for one case, the viewer's search no longer finds it,
        // though its document still holds the words.
        try await sql.raw("ALTER TABLE case_search ALTER COLUMN scoped DROP EXPRESSION").run()
        try await sql.raw("UPDATE case_search SET scoped = ''::tsvector WHERE case_id = \(bind: tap.id!)").run()
        filter.text = "läck"
        let withoutScoped = try await visible.page(for: viewer, filter: filter, offset: 0, limit: 10).map(\.id)
        XCTAssertEqual(withoutScoped, [], "the scoped column answers a viewer's search")
    }
}
