import CaseportCore
import CaseportOperations
import CaseportStore
import CaseportTestSupport
import FluentKit
import XCTest


extension OperationWorld {
    /// The world's notification context with some more texts (the mails an area's operations send).
    static func notifications(adding more: [String: String]) -> NotificationContext {
        let texts = Self.texts.merging(more) { _, new in new }
        return NotificationContext(translations: Translations(tables: Dictionary(uniqueKeysWithValues: Language.allCases.map { ($0, texts) })),
                                   publicBaseURL: "https://portal.example.com", companyName: "Fastighetsservice")
    }
}

/// The back office's master data operations (D6) below HTTP, on both databases: what each writes,
/// its audit lines (E5) exactly as the audit page shows them, and each problem.
final class MasterDataOperationsTests: XCTestCase {
    var harness: StoreHarness!
    var world: OperationWorld!
    var db: any Database { world.db }

    override func setUp() async throws {
        harness = try await StoreHarness()
        world = try await OperationWorld.build(on: harness.database)
        world.context.notifications = OperationWorld.notifications(adding: [
            "mail_login_details_subject": "Login for {organisation}/{username}",
            "mail_login_details_body": "Hello {name}: {link}",
        ])
    }

    override func tearDown() async throws { await harness.shutdown() }

    func audit(_ action: AuditAction) async throws -> [AuditEventRecord] {
        try await AuditEventRecord.query(on: db).filter(\.$action == action.rawValue).sort(\.$id).all()
    }

    func customer(_ number: String) async throws -> CustomerRecord {
        try await CustomerRecord.query(on: db).filter(\.$customerNumber == number).first()!
    }

    // MARK: customers

    func testSaveCustomerCreatesEditsAndDeactivatesWithAnAuditLineEach() async throws {
        let created = try await SaveCustomer.run(.init(customerId: nil, name: " Brf Ny ", shortCode: "ny", customerNumber: "3001",
                                                       singleUser: false, isActive: false), by: world.handler, in: world.context).value
        let id = try XCTUnwrap(created?.customerId)
        XCTAssertEqual(created?.created, true)
        var record = try await CustomerRecord.find(id, on: db)!
        XCTAssertEqual(record.name, "Brf Ny", "trimmed")
        XCTAssertTrue(record.isActive, "a new customer is active whatever the form says")
        var lines = try await audit(.masterDataChanged)
        XCTAssertEqual(lines.map(\.subject), ["customer 3001 Brf Ny"])
        XCTAssertEqual(lines.map(\.details), ["created"])
        XCTAssertEqual(lines.first?.actorName, "Henrik Handläggare")

        let edited = try await SaveCustomer.run(.init(customerId: id, name: "Brf Nyare", shortCode: "ny", customerNumber: "3001",
                                                      singleUser: true, isActive: false), by: world.handler, in: world.context).value
        XCTAssertEqual(edited?.customerId, id)
        XCTAssertEqual(edited?.created, false)
        record = try await CustomerRecord.find(id, on: db)!
        XCTAssertFalse(record.isActive)
        XCTAssertTrue(record.singleUser)
        lines = try await audit(.masterDataChanged)
        XCTAssertEqual(lines.last?.details, "name: Brf Ny → Brf Nyare; single user: false → true")
        let access = try await audit(.accessChanged)
        XCTAssertEqual(access.map(\.details), ["deactivated"])
        XCTAssertEqual(access.first?.subject, "customer 3001 Brf Nyare")

        // Saving without a change writes no line.
        _ = try await SaveCustomer.run(.init(customerId: id, name: "Brf Nyare", shortCode: "ny", customerNumber: "3001",
                                             singleUser: true, isActive: false), by: world.handler, in: world.context)
        let after = try await AuditEventRecord.query(on: db).count()
        XCTAssertEqual(after, 3)
    }

    func testSaveCustomerProblemsAndClashesWriteNothing() async throws {
        let before = try await CustomerRecord.query(on: db).count()
        let problems = try await SaveCustomer.run(.init(customerId: nil, name: " ", shortCode: String(repeating: "x", count: 51),
                                                        customerNumber: "1", singleUser: false, isActive: true),
                                                  by: world.handler, in: world.context).problems
        XCTAssertEqual(problems?[.name], ProblemKey.required)
        XCTAssertEqual(problems?[.shortCode], ProblemKey.tooLong)
        XCTAssertEqual(problems?[.customerNumber], "md_error_customer_number_taken")
        let clash = try await SaveCustomer.run(.init(customerId: nil, name: "Ny", shortCode: " SOL ", customerNumber: "9",
                                                     singleUser: false, isActive: true), by: world.handler, in: world.context).problems
        XCTAssertEqual(clash?[.shortCode], "md_error_short_code_taken", "short codes are unique however they are typed")
        let count = try await CustomerRecord.query(on: db).count()
        XCTAssertEqual(count, before)
        let lines = try await AuditEventRecord.query(on: db).count()
        XCTAssertEqual(lines, 0)

        // A customer keeps its own short code and number.
        let sol = try await customer("1")
        let own = try await SaveCustomer.run(.init(customerId: sol.id, name: sol.name, shortCode: "SOL", customerNumber: "1",
                                                   singleUser: false, isActive: true), by: world.handler, in: world.context)
        XCTAssertNotNil(own.value)
        do {
            _ = try await SaveCustomer.run(.init(customerId: 9_999, name: "X", shortCode: "x", customerNumber: "x",
                                                 singleUser: false, isActive: true), by: world.handler, in: world.context)
            XCTFail("no such customer")
        } catch let error as OperationError {
            XCTAssertEqual(error, .notFound)
        }
    }

    // MARK: objects

    func testSaveObjectNeedsAKnownCustomerAndAuditsAMove() async throws {
        let unknown = try await SaveObject.run(.init(objectId: nil, name: "", address: String(repeating: "a", count: 501),
                                                     customerNumber: "404", isActive: true), by: world.handler, in: world.context).problems
        XCTAssertEqual(unknown?[.name], ProblemKey.required)
        XCTAssertEqual(unknown?[.address], ProblemKey.tooLong)
        XCTAssertEqual(unknown?[.customerNumber], "md_error_unknown_customer")
        let missing = try await SaveObject.run(.init(objectId: nil, name: "Hus C", address: "Gatan 3", customerNumber: " ",
                                                     isActive: true), by: world.handler, in: world.context).problems
        XCTAssertEqual(missing?[.customerNumber], ProblemKey.required)

        let saved = try await SaveObject.run(.init(objectId: nil, name: "Hus C", address: "Gatan 3", customerNumber: " 1 ",
                                                   isActive: true), by: world.handler, in: world.context).value
        let id = try XCTUnwrap(saved?.objectId)
        let sol = try await customer("1"), gran = try await customer("2")
        var object = try await ObjectRecord.find(id, on: db)!
        XCTAssertEqual(object.customerId, sol.id)
        _ = try await SaveObject.run(.init(objectId: id, name: "Hus C", address: "Gatan 3", customerNumber: "2", isActive: false),
                                     by: world.handler, in: world.context)
        object = try await ObjectRecord.find(id, on: db)!
        XCTAssertEqual(object.customerId, gran.id)
        XCTAssertFalse(object.isActive)
        let lines = try await audit(.masterDataChanged)
        XCTAssertEqual(lines.map(\.details), ["created, customer 1", "customer: \(sol.id!) → \(gran.id!)"])
        XCTAssertEqual(lines.first?.subject, "object \(id) Hus C")
        let access = try await audit(.accessChanged)
        XCTAssertEqual(access.map(\.details), ["deactivated"])
    }

    // MARK: contacts

    func testSaveContactCreatesEditsAndDeactivates() async throws {
        let problems = try await SaveContact.run(.init(contactId: nil, firstName: "", lastName: "Berg", email: "nope",
                                                       phone: String(repeating: "1", count: InputLimits.phone + 1), isActive: true),
                                                 by: world.handler, in: world.context).problems
        XCTAssertEqual(problems?[.firstName], ProblemKey.required)
        XCTAssertEqual(problems?[.email], ProblemKey.invalidEmail)
        XCTAssertEqual(problems?[.phone], ProblemKey.tooLong)
        XCTAssertNil(problems?[.lastName])
        let none = try await ContactRecord.query(on: db).count()
        XCTAssertEqual(none, 0)

        let saved = try await SaveContact.run(.init(contactId: nil, firstName: "Anna", lastName: "Berg", email: " anna@example.com ",
                                                    phone: "", isActive: false), by: world.handler, in: world.context).value
        let id = try XCTUnwrap(saved?.contactId)
        XCTAssertEqual(saved?.created, true)
        var contact = try await ContactRecord.find(id, on: db)!
        XCTAssertEqual(contact.email, "anna@example.com")
        XCTAssertNil(contact.phone, "an empty phone is stored as none")
        XCTAssertTrue(contact.isActive)
        _ = try await SaveContact.run(.init(contactId: id, firstName: "Anna", lastName: "Berg-Ek", email: "", phone: "070",
                                            isActive: false), by: world.handler, in: world.context)
        contact = try await ContactRecord.find(id, on: db)!
        XCTAssertFalse(contact.isActive)
        let lines = try await audit(.masterDataChanged)
        XCTAssertEqual(lines.map(\.details), ["created", "last name: Berg → Berg-Ek; email: anna@example.com → ; phone:  → 070"])
        XCTAssertEqual(lines.last?.subject, "contact \(id) Anna Berg-Ek")
        let access = try await audit(.accessChanged)
        XCTAssertEqual(access.map(\.details), ["deactivated"])
    }

    func testContactLinksAreAccessChangesAndRepeatsChangeNothing() async throws {
        let contact = ContactRecord(firstName: "Erik", lastName: "Ek")
        try await contact.create(on: db)
        let id = try contact.requireID()
        let empty = try await LinkContact.add(.customer(number: "  "), toContact: id, by: world.handler, in: world.context).problems
        XCTAssertEqual(empty?[.customerNumber], ProblemKey.required)
        let unknown = try await LinkContact.add(.customer(number: "404"), toContact: id, by: world.handler, in: world.context).problems
        XCTAssertEqual(unknown?[.customerNumber], "md_error_unknown_customer")
        let noObject = try await LinkContact.add(.object(id: "abc"), toContact: id, by: world.handler, in: world.context).problems
        XCTAssertEqual(noObject?[.objectId], "md_error_unknown_object")
        let noObjectTyped = try await LinkContact.add(.object(id: ""), toContact: id, by: world.handler, in: world.context).problems
        XCTAssertEqual(noObjectTyped?[.objectId], ProblemKey.required)

        let first = try await LinkContact.add(.customer(number: " 1 "), toContact: id, by: world.handler, in: world.context).value
        XCTAssertEqual(first, true)
        let again = try await LinkContact.add(.customer(number: "1"), toContact: id, by: world.handler, in: world.context).value
        XCTAssertEqual(again, false)
        let object = try await ObjectRecord.query(on: db).filter(\.$name == "Hus B").first()!
        let objectLinked = try await LinkContact.add(.object(id: String(object.id!)), toContact: id, by: world.handler,
                                                     in: world.context).value
        XCTAssertEqual(objectLinked, true)
        let sol = try await customer("1")
        let removed = try await LinkContact.remove(.customer(sol.id!), fromContact: id, by: world.handler, in: world.context)
        XCTAssertTrue(removed)
        let removedAgain = try await LinkContact.remove(.customer(sol.id!), fromContact: id, by: world.handler, in: world.context)
        XCTAssertFalse(removedAgain)
        try await LinkContact.remove(.object(object.id!), fromContact: id, by: world.handler, in: world.context)

        let lines = try await audit(.accessChanged)
        XCTAssertEqual(lines.map(\.details), ["linked to customer 1", "linked to object \(object.id!) Hus B",
                                              "unlinked from customer 1", "unlinked from object \(object.id!)"])
        XCTAssertTrue(lines.allSatisfy { $0.subject == "contact \(id) Erik Ek" })
        let links = try await ContactCustomerLink.query(on: db).count() + ContactObjectLink.query(on: db).count()
        XCTAssertEqual(links, 0)
        do {
            _ = try await LinkContact.add(.customer(number: "1"), toContact: 9_999, by: world.handler, in: world.context)
            XCTFail("no such contact")
        } catch let error as OperationError {
            XCTAssertEqual(error, .notFound)
        }
    }

    // MARK: portal users

    func portalUser(_ id: Int? = nil, organisation: String = "1", username: String = "nyperson", email: String = "ny@example.com",
                    kind: PortalLoginKind = .invoiceCustomer, contact: String = "", object: String = "",
                    password: String = "Secret12", confirm: String? = nil, admin: Bool = false, active: Bool = true,
                    sendDetails: Bool = false) -> SavePortalUser.Input {
        SavePortalUser.Input(userId: id, organisation: organisation, username: username, firstName: "Ny", lastName: "Person",
                             email: email, phone: "", loginKind: kind.rawValue, contactId: contact, objectId: object, password: password,
                             passwordConfirm: confirm ?? password, isAdmin: admin, isShared: false, isActive: active,
                             sendLoginDetails: sendDetails, language: .en)
    }

    func savePortalUser(_ input: SavePortalUser.Input) async throws -> Outcome<SavePortalUser.Saved, SavePortalUser.Field> {
        try await SavePortalUser.run(input, by: world.handler, passwords: PlainPasswords(), in: world.context)
    }

    func testSavePortalUserProblems() async throws {
        let before = try await PortalUserRecord.query(on: db).count()
        var problems = try await savePortalUser(portalUser(username: " ANNA ", kind: .object, password: "kort")).problems
        XCTAssertEqual(problems?[.username], "users_error_username_taken", "usernames are unique per organisation")
        XCTAssertEqual(problems?[.objectId], ProblemKey.required)
        XCTAssertEqual(problems?.all(.password), ["password_too_short", "password_needs_digit", "password_needs_uppercase"],
                       "every rule the password breaks")
        let objectB = try await ObjectRecord.query(on: db).filter(\.$name == "Hus B").first()!
        problems = try await savePortalUser(portalUser(organisation: "404", kind: .object, object: String(objectB.id!),
                                                       confirm: "Secret13")).problems
        XCTAssertEqual(problems?[.organisation], "md_error_unknown_customer")
        XCTAssertNil(problems?[.objectId], "an unknown organisation cannot be compared")
        XCTAssertEqual(problems?[.passwordConfirm], "password_mismatch")
        problems = try await savePortalUser(portalUser(kind: .object, object: String(objectB.id!))).problems
        XCTAssertEqual(problems?[.objectId], "md_error_object_other_customer")
        problems = try await savePortalUser(portalUser(kind: .contact, contact: "9999")).problems
        XCTAssertEqual(problems?[.contactId], "md_error_unknown_contact")
        problems = try await savePortalUser(portalUser(email: "", password: "", sendDetails: true)).problems
        XCTAssertEqual(problems?[.email], "users_error_email_for_details")
        problems = try await savePortalUser(portalUser(password: "")).problems
        XCTAssertEqual(problems?[.password], "users_error_password_or_details")
        problems = try await savePortalUser(portalUser(email: "x@", password: "")).problems
        XCTAssertEqual(problems?[.email], ProblemKey.invalidEmail)
        let count = try await PortalUserRecord.query(on: db).count()
        XCTAssertEqual(count, before)
        let outbox = try await OutboxRecord.query(on: db).count()
        XCTAssertEqual(outbox, 0)
    }

    func testSavePortalUserCreatesWithLoginDetailsAndAuditsEachKindOfChange() async throws {
        let saved = try await savePortalUser(portalUser(password: "", sendDetails: true)).value
        let id = try XCTUnwrap(saved?.userId)
        XCTAssertEqual(saved?.created, true)
        var user = try await PortalUserRecord.find(id, on: db)!
        XCTAssertFalse(user.passwordHash.isEmpty)
        XCTAssertNotEqual(user.passwordHash, "plain:", "a random secret until the link is used")
        let mail = try await OutboxRecord.query(on: db).filter(\.$kind == "login_details").all()
        XCTAssertEqual(mail.map(\.recipient), ["ny@example.com"])
        XCTAssertEqual(mail.first?.language, "en", "the staff member's language when the user has none")
        let link = try XCTUnwrap(mail.first?.body.components(separatedBy: "https://portal.example.com/password/set?token=").last)
        XCTAssertFalse(link.isEmpty)
        var access = try await audit(.accessChanged)
        XCTAssertEqual(access.map(\.details), ["created, invoice_customer"])
        let sol = try await customer("1")
        XCTAssertEqual(access.first?.subject, "portal user \(id) 1/nyperson")

        // An edit: a master-data line, an access line, the activity and the password each their own.
        let session = try await Sessions(database: db).start(realm: .portal, userId: id)
        let edited = try await savePortalUser(portalUser(id, username: "nyperson", email: "ny2@example.com", password: "Secret99",
                                                         admin: true, active: false)).value
        XCTAssertEqual(edited?.userId, id)
        XCTAssertEqual(edited?.created, false)
        user = try await PortalUserRecord.find(id, on: db)!
        XCTAssertEqual(user.passwordHash, "plain:Secret99")
        XCTAssertFalse(user.isActive)
        XCTAssertEqual(user.organisationId, sol.id)
        let data = try await audit(.masterDataChanged)
        XCTAssertEqual(data.map(\.details), ["email: ny@example.com → ny2@example.com"])
        access = try await audit(.accessChanged)
        XCTAssertEqual(access.map(\.details), ["created, invoice_customer", "admin: false → true", "deactivated", "password set by staff"])
        let ended = try await Sessions(database: db).userId(token: session, realm: .portal)
        XCTAssertNil(ended, "deactivation ends the user's sessions")
    }

    func testSavePortalUserKeepsTheKindsOwnLinkOnly() async throws {
        let objectA = try await ObjectRecord.query(on: db).filter(\.$name == "Hus A").first()!
        let saved = try await savePortalUser(portalUser(kind: .object, contact: "12", object: " \(objectA.id!) ")).value
        let user = try await PortalUserRecord.find(try XCTUnwrap(saved?.userId), on: db)!
        XCTAssertEqual(user.loginKind, .object)
        XCTAssertEqual(user.objectId, objectA.id)
        XCTAssertNil(user.contactId, "a contact id typed for another kind is not stored")
        let lines = try await audit(.accessChanged)
        XCTAssertEqual(lines.map(\.details), ["created, object"])
    }

    func testUnlockClearsEveryCounterOfTheAccount() async throws {
        let anna = try await PortalUserRecord.find(world.anna.userId, on: db)!
        let sol = try await customer("1")
        let attempts = LoginAttempts(database: db)
        let typed = LoginThrottle.key(realm: "portal", organisation: sol.shortCode, username: anna.username)
        for _ in 0..<5 { try await attempts.recordFailure(key: typed) }
        let locked = try await UnlockPortalUser.isLocked(anna, organisation: sol, on: db)
        XCTAssertTrue(locked)
        try await UnlockPortalUser.run(userId: world.anna.userId, by: world.handler, in: world.context)
        let open = try await UnlockPortalUser.isLocked(anna, organisation: sol, on: db)
        XCTAssertFalse(open)
        let lines = try await audit(.accountUnlocked)
        XCTAssertEqual(lines.map(\.subject), ["portal user \(world.anna.userId) 1/anna"])
        XCTAssertEqual(lines.first?.actorName, "Henrik Handläggare")
        do {
            try await UnlockPortalUser.run(userId: 9_999, by: world.handler, in: world.context)
            XCTFail("no such user")
        } catch let error as OperationError {
            XCTAssertEqual(error, .notFound)
        }
    }
}
