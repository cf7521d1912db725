import CaseportCore
import CaseportStore
import FluentKit
import XCTest

/// A customer administrator manages only contact logins that see no more than they do (A9), and
/// not a registration still waiting for its confirmation.
final class ManagedUsersTests: StoreTestCase {
    func testOnlyContactLoginsWithinTheAdministratorsReachAreManageable() async throws {
        let c1 = try await make.customer("1"), c2 = try await make.customer("2")
        let o1 = try await make.object(of: c1, "Ett"), o2 = try await make.object(of: c2, "Två")
        let adminContact = try await make.contact("Admin", customers: [c1])
        let administrator = CaseVisibility(for: .contactUser(contact: ContactLinks(contactId: adminContact.id!, customerIds: [c1.id!])))

        let sameCustomer = try await make.portalUser("samma", of: c1, contact: try await make.contact("Samma", customers: [c1]))
        let ownObject = try await make.portalUser("objekt", of: c1, contact: try await make.contact("Objekt", objects: [o1]))
        let foreignObject = try await make.portalUser("främmande", of: c1, contact: try await make.contact("Främmande", objects: [o2]))
        let otherCustomer = try await make.portalUser("annan", of: c1, contact: try await make.contact("Annan", customers: [c2]))
        let invoice = try await make.portalUser("kund", of: c1, kind: .invoiceCustomer)
        let inactive = try await make.portalUser("vilande", of: c1, contact: try await make.contact("Vilande", customers: [c1]),
                                                  isActive: false)
        let pending = try await make.portalUser("ny", of: c1, contact: try await make.contact("Ny", customers: [c1]), isActive: false)
        _ = try await AccountTokens(database: db).issue(userId: pending.id!, purpose: "activate", lifetime: 3_600)

        // A loose contact is linked to one case of another customer: managing that login would
        // reach a case the administrator cannot see.
        let looseContact = try await make.contact("Lös")
        let loose = try await make.portalUser("lös", of: c1, contact: looseContact)
        let coveredContact = try await make.contact("Täckt")
        let covered = try await make.portalUser("täckt", of: c1, contact: coveredContact)
        try await make.case("Annans fall", customer: c2, contacts: [looseContact])
        try await make.case("Eget fall", customer: c1, contacts: [coveredContact])

        let users = [sameCustomer, ownObject, foreignObject, otherCustomer, invoice, inactive, pending, loose, covered]
        let manageable = try await ManagedUsers.manageable(users, by: administrator, on: db)
        XCTAssertEqual(manageable, Set([sameCustomer, ownObject, inactive, covered].map { $0.id! }))
        var may = try await ManagedUsers.mayManage(ownObject, by: administrator, on: db)
        XCTAssertTrue(may)
        may = try await ManagedUsers.mayManage(loose, by: administrator, on: db)
        XCTAssertFalse(may)
        may = try await ManagedUsers.mayManage(pending, by: administrator, on: db)
        XCTAssertFalse(may, "a pending registration is not the administrator's yet")
        let nobody = try await ManagedUsers.manageable([], by: administrator, on: db)
        XCTAssertEqual(nobody, [])
    }
}
