import CaseportCore
import CaseportOperations
import CaseportStore
import CaseportTestSupport
import FluentKit
import XCTest

/// Issue 11 point 10 (A9, BS seed), below HTTP on both databases: the register contacts an administrator
/// may give a login, a new user's links chosen among the administrator's own (reach never grows), and
/// removing a user (deactivated, hidden, rows kept, audit line, sessions ended).
final class OrganisationUserAdminTests: XCTestCase {
    var harness: StoreHarness!
    var db: (any Database)!
    var context: OperationContext!
    var customerA: CustomerRecord!
    var customerB: CustomerRecord!
    var houseA: ObjectRecord!
    var houseA2: ObjectRecord!
    var houseB: ObjectRecord!
    var admin: PortalActor!
    var adminRecord: PortalUserRecord!
    let passwords = PlainTestHasher()

    override func setUp() async throws {
        harness = try await StoreHarness()
        db = harness.database
        context = OperationContext(database: db, clock: { Date(timeIntervalSince1970: 1_800_000_000) },
                                   notifications: NotificationContext(translations: Translations(tables: [:]),
                                                                      publicBaseURL: "https://portal.example.com",
                                                                      companyName: "Fastighetsservice"))
        customerA = CustomerRecord(name: "Brf Solgläntan", shortCode: "sol", customerNumber: "1")
        customerB = CustomerRecord(name: "Brf Granen", shortCode: "gran", customerNumber: "2")
        try await customerA.create(on: db)
        try await customerB.create(on: db)
        houseA = ObjectRecord(customerId: customerA.id!, name: "Hus A", address: "Gatan 1")
        houseA2 = ObjectRecord(customerId: customerA.id!, name: "Hus A2", address: "Gatan 3")
        houseB = ObjectRecord(customerId: customerB.id!, name: "Hus B", address: "Gatan 2")
        for object in [houseA!, houseA2!, houseB!] { try await object.create(on: db) }
        // The administrator reaches customer A's house A only (an object link), not the whole customer.
        let adminContact = try await contact("Ada", objects: [houseA])
        adminRecord = PortalUserRecord(organisationId: customerA.id!, username: "ada", loginKind: .contact, contactId: adminContact.id,
                                       firstName: "Ada", lastName: "Test", passwordHash: "plain:Old12345", isAdmin: true)
        try await adminRecord.create(on: db)
        admin = try PortalActor(user: adminRecord, viewer: try await PortalViewers.viewer(for: adminRecord, on: db))
    }

    override func tearDown() async throws { await harness.shutdown() }

    func contact(_ name: String, customers: [CustomerRecord] = [], objects: [ObjectRecord] = []) async throws -> ContactRecord {
        let contact = ContactRecord(firstName: name, lastName: "Test", email: "\(name.lowercased())@example.com")
        try await contact.create(on: db)
        for customer in customers { try await ContactCustomerLink(contactId: contact.id!, customerId: customer.id!).create(on: db) }
        for object in objects { try await ContactObjectLink(contactId: contact.id!, objectId: object.id!).create(on: db) }
        return contact
    }

    func newUser(_ username: String) -> SaveOrganisationUser.Input {
        var input = SaveOrganisationUser.Input(userId: nil, language: .sv)
        (input.firstName, input.lastName, input.username, input.password, input.passwordConfirm) =
            ("Nina", "Ny", username, "Secret123", "Secret123")
        return input
    }

    func links(of user: PortalUserRecord) async throws -> (customers: Set<Int>, objects: Set<Int>) {
        let contactId = try XCTUnwrap(user.contactId)
        let customers = try await ContactCustomerLink.query(on: db).filter(\.$contactId == contactId).all().map(\.customerId)
        let objects = try await ContactObjectLink.query(on: db).filter(\.$contactId == contactId).all().map(\.objectId)
        return (Set(customers), Set(objects))
    }

    func testTheRegisterContactsWithinTheAdministratorsReachAreListedAndGivenALoginInOneStep() async throws {
        let onHouse = try await contact("Olle", objects: [houseA])
        _ = try await contact("Wider", customers: [customerA])            // reaches all of customer A: more than Ada
        _ = try await contact("Other", objects: [houseB])                  // another customer's house
        let withLogin = try await contact("Max", objects: [houseA])
        try await PortalUserRecord(organisationId: customerA.id!, username: "max", loginKind: .contact, contactId: withLogin.id,
                                   firstName: "Max", lastName: "Test", passwordHash: "x").create(on: db)
        let administration = try await PortalUserAdmin.of(admin, on: db)
        let listed = try await OrganisationContacts.withoutLogin(for: administration, on: db)
        XCTAssertEqual(listed.map(\.firstName), ["Olle"], "only contacts without a login whose reach lies within Ada's")

        var input = newUser("olle")
        input.contactId = onHouse.id
        input.links = .init(customerIds: [customerA.id!], objectIds: [])  // ignored: the contact keeps its own links
        let saved = try await SaveOrganisationUser.run(input, by: admin, passwords: passwords, in: context).value
        let user = try await PortalUserRecord.find(saved?.userId, on: db)!
        XCTAssertEqual(user.contactId, onHouse.id, "the register contact itself, not a copy")
        let reach = try await links(of: user)
        XCTAssertEqual(reach.customers, [])
        XCTAssertEqual(reach.objects, [houseA.id!])
        let contactCount = try await ContactRecord.query(on: db).count()
        XCTAssertEqual(contactCount, 5, "no new contact")
        let afterwards = try await OrganisationContacts.withoutLogin(for: administration, on: db)
        XCTAssertEqual(afterwards.map(\.firstName), [])

        // A contact outside the list (wider reach, another customer, or already a login) is not found.
        for other in try await ContactRecord.query(on: db).filter(\.$firstName ~~ ["Wider", "Other", "Max"]).all() {
            var forged = newUser("x\(other.id!)")
            forged.contactId = other.id
            do {
                _ = try await SaveOrganisationUser.run(forged, by: admin, passwords: passwords, in: context)
                XCTFail("\(other.firstName) got a login through an administrator who does not reach them")
            } catch let error as OperationError {
                XCTAssertEqual(error, .notFound)
            }
        }
    }

    func testANewUsersLinksAreChosenAmongTheAdministratorsOwnAndReachCannotGrow() async throws {
        // Default (nil): all of the administrator's links, in a contact of its own.
        let all = try await SaveOrganisationUser.run(newUser("nina"), by: admin, passwords: passwords, in: context).value
        let nina = try await PortalUserRecord.find(all?.userId, on: db)!
        XCTAssertNotEqual(nina.contactId, adminRecord.contactId, "a contact of its own")
        let ninaLinks = try await links(of: nina)
        XCTAssertEqual(ninaLinks.objects, [houseA.id!])
        XCTAssertEqual(ninaLinks.customers, [])

        // None chosen: a contact without links.
        var none = newUser("noll")
        none.links = .init(customerIds: [], objectIds: [])
        let noneSaved = try await SaveOrganisationUser.run(none, by: admin, passwords: passwords, in: context).value
        let noll = try await PortalUserRecord.find(noneSaved?.userId, on: db)!
        let nollLinks = try await links(of: noll)
        XCTAssertEqual(nollLinks.objects, [])
        XCTAssertEqual(nollLinks.customers, [])

        // Anything beyond the administrator's own links is refused and nothing is written.
        let before = try await PortalUserRecord.query(on: db).count()
        for forged in [SaveOrganisationUser.ChosenLinks(customerIds: [customerA.id!], objectIds: []),
                       .init(customerIds: [], objectIds: [houseA.id!, houseA2.id!]),
                       .init(customerIds: [customerB.id!], objectIds: [houseB.id!])] {
            var input = newUser("grow")
            input.links = forged
            let outcome = try await SaveOrganisationUser.run(input, by: admin, passwords: passwords, in: context)
            XCTAssertEqual(outcome.problems?[.links], ProblemKey.chooseFromList, "\(forged)")
        }
        let after = try await PortalUserRecord.query(on: db).count()
        XCTAssertEqual(after, before)
        let ada = CaseVisibility(for: try await PortalViewers.viewer(for: adminRecord, on: db))
        for user in [nina, noll] {
            let viewer = try await PortalViewers.viewer(for: user, on: db)
            XCTAssertTrue(CaseVisibility(for: viewer).objectIds.isSubset(of: ada.objectIds))
            XCTAssertTrue(CaseVisibility(for: viewer).customerIds.isSubset(of: ada.customerIds))
        }
    }

    func testRemovingAUserDeactivatesAndHidesItAndKeepsItsRows() async throws {
        let saved = try await SaveOrganisationUser.run(newUser("nina"), by: admin, passwords: passwords, in: context).value
        let userId = try XCTUnwrap(saved?.userId)
        _ = try await Sessions(database: db).start(realm: .portal, userId: userId)
        try await RemoveOrganisationUser.run(userId: userId, by: admin, in: context)
        let removed = try await PortalUserRecord.find(userId, on: db)!
        XCTAssertFalse(removed.isActive)
        XCTAssertNotNil(removed.removedAt, "the row stays, so its cases and messages keep their author")
        let sessions = try await SessionRecord.query(on: db).filter(\.$userId == userId).count()
        XCTAssertEqual(sessions, 0, "signed out everywhere")
        let audit = try await AuditEventRecord.query(on: db).all().map(\.details)
        XCTAssertTrue(audit.contains("removed by the customer's administrator"))
        let administration = try await PortalUserAdmin.of(admin, on: db)
        do {
            _ = try await administration.target(userId, on: db)
            XCTFail("a removed user is gone for the organisation")
        } catch let error as OperationError {
            XCTAssertEqual(error, .notFound)
        }
        // Nobody removes themself.
        do {
            try await RemoveOrganisationUser.run(userId: adminRecord.id!, by: admin, in: context)
            XCTFail("an administrator removed themself")
        } catch let error as OperationError {
            XCTAssertEqual(error, .notAllowedNow)
        }
    }
}
