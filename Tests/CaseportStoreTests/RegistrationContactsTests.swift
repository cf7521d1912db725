import CaseportStore
import FluentKit
import XCTest

/// A confirmed self-registration (A5) is linked to a contact of its own organisation with that
/// address — through the customer or one of its objects — never to another customer's contact.
final class RegistrationContactsTests: StoreTestCase {
    func testOnlyAContactOfTheOwnOrganisationWithTheAddressIsChosen() async throws {
        let c1 = try await make.customer("1"), c2 = try await make.customer("2")
        let o1 = try await make.object(of: c1, "Ett")
        try await make.contact("Främling", email: "anna@example.org", customers: [c2])
        let viaObject = try await make.contact("Anna", email: "Anna@Example.org", objects: [o1])
        try await make.contact("Lös", email: "lös@example.org")

        var found = try await RegistrationContacts.contact(email: " ANNA@example.org ", organisationId: c1.id!, on: db)
        XCTAssertEqual(found, viaObject.id, "through the customer's object, address case ignored")
        found = try await RegistrationContacts.contact(email: "lös@example.org", organisationId: c1.id!, on: db)
        XCTAssertNil(found, "a contact linked to nothing of the organisation")
        found = try await RegistrationContacts.contact(email: "", organisationId: c1.id!, on: db)
        XCTAssertNil(found)
        let direct = try await make.contact("Direkt", email: "berit@example.org", customers: [c1])
        found = try await RegistrationContacts.contact(email: "berit@example.org", organisationId: c1.id!, on: db)
        XCTAssertEqual(found, direct.id)
        found = try await RegistrationContacts.contact(email: "berit@example.org", organisationId: c2.id!, on: db)
        XCTAssertNil(found, "another organisation does not get it")
    }
}
