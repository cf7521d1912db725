import CaseportCore
import CaseportStore
import FluentKit
import XCTest

/// A portal account becomes the viewer the access rule works on, read from the register.
final class PortalViewersTests: StoreTestCase {
    func testEachKindOfAccountBecomesItsViewer() async throws {
        let c1 = try await make.customer("1"), c2 = try await make.customer("2")
        let o1 = try await make.object(of: c1, "Ett"), o2 = try await make.object(of: c2, "Två")
        let linked = try await make.contact("Anna", customers: [c1], objects: [o2])
        let loose = try await make.contact("Lös")

        func viewer(_ user: PortalUserRecord) async throws -> PortalViewer {
            try await PortalViewers.viewer(for: user, on: db)
        }
        var result = try await viewer(try await make.portalUser("anna", of: c1, contact: linked))
        XCTAssertEqual(result, .contactUser(contact: ContactLinks(contactId: linked.id!, customerIds: [c1.id!], objectIds: [o2.id!])))
        result = try await viewer(try await make.portalUser("los", of: c1, contact: loose))
        XCTAssertEqual(result, .contactUser(contact: ContactLinks(contactId: loose.id!)))
        result = try await viewer(try await make.portalUser("ingen", of: c1))
        XCTAssertEqual(result, .contactUser(contact: nil))
        result = try await viewer(try await make.portalUser("kund", of: c1, kind: .invoiceCustomer))
        XCTAssertEqual(result, .invoiceCustomer(customerId: c1.id!))
        result = try await viewer(try await make.portalUser("huset", of: c1, kind: .object, object: o1))
        XCTAssertEqual(result, .object(objectId: o1.id!, customerId: c1.id!))
        result = try await viewer(try await make.portalUser("vilse", of: c1, kind: .object))
        XCTAssertEqual(result, .disabled, "an object login without its object sees nothing")
        result = try await viewer(try await make.portalUser("av", of: c1, contact: linked, isActive: false))
        XCTAssertEqual(result, .disabled, "an inactive account sees nothing")
    }
}
