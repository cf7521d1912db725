import CaseportCore
import CaseportStore
import FluentKit
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
}
